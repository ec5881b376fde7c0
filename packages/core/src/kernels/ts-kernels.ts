import { conv2dBackwardInput, conv2dBackwardWeight, conv2dForward } from './conv2d';
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
};
