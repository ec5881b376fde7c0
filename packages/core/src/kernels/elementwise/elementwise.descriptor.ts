import { defineKernel } from '../descriptor';
import { channelSum, reluBackward, reluForward } from './elementwise';
import {
  CHANNEL_SUM_EXPORTS,
  ELEMENTWISE_EXPORTS,
  wasmChannelSum,
  wasmReluBackward,
  wasmReluForward,
} from './elementwise.wasm';

/** out[i] = max(x[i], 0) for i < out.length; NaN stays NaN, −0 and −∞ give +0. `out` may be `x`. */
export const reluForwardKernel = defineKernel({
  name: 'reluForward',
  ts: reluForward,
  wasm: wasmReluForward,
  wasmExports: ELEMENTWISE_EXPORTS,
});

/** out[i] = g[i] where y[i] > 0 (y = the ReLU output; NaN fails), else +0 (also for ±∞/NaN g). `out` may be `g`. */
export const reluBackwardKernel = defineKernel({
  name: 'reluBackward',
  ts: reluBackward,
  wasm: wasmReluBackward,
  wasmExports: ELEMENTWISE_EXPORTS,
});

/**
 * out[c] = Σ_{r < rows} x[r·channels + c] (e.g. a conv bias gradient over N·H·W), accumulated in float64 as two
 * fixed halves of the rows ([0, ⌈rows/2⌉) and the rest, each in row order), added first + second and rounded once.
 * Overwrites out[0..channels).
 */
export const channelSumKernel = defineKernel({
  name: 'channelSum',
  ts: channelSum,
  wasm: wasmChannelSum,
  wasmExports: CHANNEL_SUM_EXPORTS,
});
