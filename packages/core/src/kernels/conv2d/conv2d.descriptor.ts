import { defineKernel } from '../descriptor';
import { conv2dBackwardInput, conv2dBackwardWeight, conv2dForward } from './conv2d';
import {
  CONV2D_EXPORTS,
  wasmConv2dBackwardInput,
  wasmConv2dBackwardWeight,
  wasmConv2dForward,
} from './conv2d.wasm';

/**
 * The three conv2d passes: NHWC input, OHWI weights [outC, kH, kW, inC / groups], stride, top/left padding,
 * dilation, groups (geometry in `Conv2dGeometry`). Outputs are overwritten.
 * - forward: out[N, outH, outW, outC] = conv(x, w) + bias[outC] (bias may be null);
 * - backward input: dx[N, inH, inW, inC] = ∂L/∂x given dOut[N, outH, outW, outC];
 * - backward weight: dw[outC, kH, kW, inC/groups] = ∂L/∂w.
 */
export const conv2dForwardKernel = defineKernel({
  name: 'conv2dForward',
  ts: conv2dForward,
  wasm: wasmConv2dForward,
  wasmExports: CONV2D_EXPORTS,
});
export const conv2dBackwardInputKernel = defineKernel({
  name: 'conv2dBackwardInput',
  ts: conv2dBackwardInput,
  wasm: wasmConv2dBackwardInput,
  wasmExports: CONV2D_EXPORTS,
});
export const conv2dBackwardWeightKernel = defineKernel({
  name: 'conv2dBackwardWeight',
  ts: conv2dBackwardWeight,
  wasm: wasmConv2dBackwardWeight,
  wasmExports: CONV2D_EXPORTS,
});
