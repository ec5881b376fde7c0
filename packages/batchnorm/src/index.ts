import { version as packageVersion } from '../package.json';

export { type BatchNormOptions, batchNorm } from './batch-norm';
export { BatchNorm1d } from './batch-norm-1d';
export { BatchNorm2d } from './batch-norm-2d';
export {
  type BatchNormBackwardOptions,
  type BatchNormGradients,
  type BatchNormIntermediates,
  batchNormBackward,
} from './batch-norm-backward';
export { BatchNormBase, type BatchNormLayerOptions } from './batch-norm-base';
export { BatchNormCache } from './batch-norm-cache';
export {
  type BatchNormForwardOptions,
  type BatchNormForwardResult,
  type BatchNormInferenceOptions,
  batchNormForward,
  batchNormInference,
  updateRunningStatistics,
} from './batch-norm-forward';
export type { FloatArray } from './channel-blocks';

/** The package version (from its package.json, inlined at build time). */
export const VERSION: string = packageVersion;
