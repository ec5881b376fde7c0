import { version as packageVersion } from '../package.json';

/** The package version (from its package.json, inlined at build time). */
export const VERSION: string = packageVersion;

export {
  type ConvGeometry,
  type ConvShapeOptions,
  conv1dShape,
  conv2dShape,
  conv3dShape,
  convGeometry,
  convShape,
} from './conv-shape.js';
export {
  type ConvTransposeShapeOptions,
  convTranspose1dShape,
  convTranspose2dShape,
  convTranspose3dShape,
  convTransposeShape,
} from './conv-transpose-shape.js';
export type { Layout } from './layout.js';
export { mnistCnnBn } from './mnist-cnn-bn.js';
export {
  type ConvOutputSizeOptions,
  type ConvTransposeOutputSizeOptions,
  convOutputSize,
  convTransposeOutputSize,
  type PoolOutputSizeOptions,
  poolOutputSize,
} from './output-size.js';
export {
  type Padding,
  type Padding1d,
  type PaddingGeometry,
  type PaddingPair,
  resolvePadding,
  samePadding,
} from './padding.js';
export {
  type PoolGeometry,
  type PoolShapeOptions,
  pool1dShape,
  pool2dShape,
  pool3dShape,
  poolGeometry,
  poolShape,
} from './pool-shape.js';
export { ShapeError, type ShapeErrorCode, type ShapeErrorDetails } from './shape-error.js';
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
} from './summary.js';
