import { defineKernel } from '../descriptor';
import { maxPool2dBackward, maxPool2dForward } from './max-pool2d';
import {
  POOL_BACKWARD_EXPORTS,
  POOL_EXPORTS,
  wasmMaxPool2dBackward,
  wasmMaxPool2dForward,
} from './max-pool2d.wasm';

/**
 * Max pooling forward; argmax[i] = flat index into x of the chosen element (for backward). Overwrites out, argmax.
 * Padding taps are skipped (as if −∞); the first maximum wins ties; NaN propagates (the first NaN wins).
 * A window with no in-bounds tap (impossible when padding ≤ kernel/2) gives −∞ and argmax −1.
 */
export const maxPool2dForwardKernel = defineKernel({
  name: 'maxPool2dForward',
  ts: maxPool2dForward,
  wasm: wasmMaxPool2dForward,
  wasmExports: POOL_EXPORTS,
});

/** dx (overwritten, zero first) = Σ over pooled outputs i with argmax[i] ≥ 0 of g[i] at dx[argmax[i]]. */
export const maxPool2dBackwardKernel = defineKernel({
  name: 'maxPool2dBackward',
  ts: maxPool2dBackward,
  wasm: wasmMaxPool2dBackward,
  wasmExports: POOL_BACKWARD_EXPORTS,
});
