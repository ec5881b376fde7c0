import { version as packageVersion } from '../package.json';

export {
  type BinaryCrossEntropyWithLogitsArrayOptions,
  type BinaryCrossEntropyWithLogitsOptions,
  binaryCrossEntropyWithLogits,
  binaryCrossEntropyWithLogitsArray,
} from './binary-cross-entropy-with-logits.js';
export {
  type CrossEntropyArrayOptions,
  type CrossEntropyArrayTarget,
  type CrossEntropyOptions,
  type CrossEntropyTarget,
  crossEntropy,
  crossEntropyArray,
} from './cross-entropy.js';
export { LossError, type LossErrorCode } from './loss-error.js';
export { type MseLossArrayOptions, type MseLossOptions, mseLoss, mseLossArray } from './mse-loss.js';
export { type NllLossArrayOptions, type NllLossOptions, nllLoss, nllLossArray } from './nll-loss.js';
export type { GradOutput, LossValue } from './reduction.js';
export {
  logSoftmax,
  logSoftmaxArray,
  logSoftmaxBackwardArray,
  softmax,
  softmaxArray,
  softmaxBackwardArray,
} from './softmax.js';
export type { FloatArray, Reduction } from './types.js';
export type { ClassIndices } from './validate.js';

/** The package version (from its package.json, inlined at build time). */
export const VERSION: string = packageVersion;
