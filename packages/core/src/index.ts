/**
 * `@hw3/core`: tensors, autograd, ops, layers, initializers, the seeded RNG. Subpaths: `@hw3/core/safetensors`
 * (checkpoints, PyTorch-layout state dicts), `@hw3/core/kernels` (kernel sets), `@hw3/core/threads` (two-thread kernels),
 * `@hw3/core/testing` (gradcheck).
 */
import { version as packageVersion } from '../package.json';

export { VERSION as SHAPE_VERSION } from '@hw3/shape';
/** The package version (from its package.json, inlined at build time). */
export const VERSION: string = packageVersion;

export {
  type CreationOptions,
  full,
  normal,
  ones,
  onesLike,
  type RandomOptions,
  type TensorFromValuesOptions,
  tensor,
  uniform,
  zeros,
  zerosLike,
} from './creation';
export { defineOp, type OpContext, type OpSpec } from './define-op';
export type { DType, FloatArray } from './dtype';
export { Hw3Error, ValueError } from './errors';
export { getKernels, setKernels } from './kernels/index';
export { Conv2d, type Conv2dLayerOptions } from './nn/conv2d';
export { fillUniform, kaimingUniformBound } from './nn/init';
export { AvgPool2d, Dropout, Flatten, MaxPool2d, ReLU, Sequential, Sigmoid, Tanh } from './nn/layers';
export { Linear, type LinearOptions } from './nn/linear';
export {
  type LoadStateDictOptions,
  type LoadStateDictResult,
  Module,
  StateDictError,
  type TorchLayout,
  type TorchTensorLayout,
} from './nn/module';
export { type Conv2dOptions, conv2d, type Pair } from './ops/conv2d';
export { type DropoutOptions, dropout } from './ops/dropout';
export { add, div, mul, sub } from './ops/elementwise';
export { linear } from './ops/linear';
export { matmul } from './ops/matmul';
export {
  type AvgPool2dOptions,
  avgPool2d,
  type MaxPool2dOptions,
  type MaxPool2dWithIndices,
  maxPool2d,
  maxPool2dGeometry,
  type Pool2dOptions,
} from './ops/pool2d';
export { type Axes, mean, sum } from './ops/reduce';
export { flatten, reshape } from './ops/reshape';
export { transpose } from './ops/transpose';
export { exp, log, neg, relu, sigmoid, tanh } from './ops/unary';
export { defaultRng, manualSeed, Rng } from './rng';
export { ShapeError } from './shape-error';
export { TensorReleasedError } from './storage';
export {
  enableGrad,
  type GradFn,
  isGradEnabled,
  type NestedArray,
  noGrad,
  Tensor,
  type TensorOptions,
} from './tensor';
export { tidy } from './tidy';
