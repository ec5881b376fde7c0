import { conv2dBackwardInput, conv2dBackwardWeight, conv2dForward } from './conv2d';
import { channelSum, maxPool2dBackward, reluBackward, reluForward } from './elementwise';
import { gemm } from './gemm';
import type { Kernels } from './kernels';
import { maxPool2dForward } from './pool2d';

/** The plain-TypeScript kernels: the default implementation, and the one others are checked against. */
export const tsKernels: Kernels = {
  name: 'ts',
  gemm,
  conv2dForward,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  maxPool2dForward,
  maxPool2dBackward,
  reluForward,
  reluBackward,
  channelSum,
};
