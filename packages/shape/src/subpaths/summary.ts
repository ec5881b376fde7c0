/**
 * `@hw3/shape/summary`: a whole-network shape summary (like torchinfo / keras summary) from a list of layer specs:
 * per-layer output shapes and parameter counts, a formatted table, and the playground's network `mnistCnnBn`.
 */
export { mnistCnnBn } from '../mnist-cnn-bn.js';
export {
  type BatchNormLayerSpec,
  type ConvLayerSpec,
  type ConvTransposeLayerSpec,
  type DropoutLayerSpec,
  type FlattenLayerSpec,
  formatSummary,
  type LayerSpec,
  type LinearLayerSpec,
  type NetworkSpec,
  type NetworkSummary,
  type PoolLayerSpec,
  type ReluLayerSpec,
  type SummaryRow,
  type SummaryTotals,
  summarize,
  summarizeNetwork,
} from '../summary.js';
