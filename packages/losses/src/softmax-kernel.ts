/**
 * Softmax / log-softmax kernels over one axis of a contiguous row-major array, viewed as
 * [outer, classes, inner] (the softmax axis is the middle one; inner = 1 when it is the last axis).
 * Shared by the plain typed-array functions and the autograd ops. No allocation.
 */
import type { FloatArray } from './types.js';

/**
 * Forward, max subtracted (stable for any finite logits):
 *   m = max_c x_c,  s = Σ_c exp(x_c − m)
 *   softmax_c    = exp(x_c − m) / s
 *   logSoftmax_c = x_c − m − log s
 * `log` selects log-softmax. `out` may not alias `x`.
 */
export function softmaxForwardKernel(
  x: FloatArray,
  out: FloatArray,
  outer: number,
  classes: number,
  inner: number,
  log: boolean,
): void {
  for (let o = 0; o < outer; o++) {
    const base = o * classes * inner;
    for (let k = 0; k < inner; k++) {
      const start = base + k;
      const end = start + classes * inner;
      let m = Number.NEGATIVE_INFINITY;
      for (let i = start; i < end; i += inner) if (x[i] > m) m = x[i];
      let s = 0;
      for (let i = start; i < end; i += inner) s += Math.exp(x[i] - m);
      if (log) {
        // (x − m) − log s, not x − (m + log s): exact for the max entry even when |m| is large.
        const logS = Math.log(s);
        for (let i = start; i < end; i += inner) out[i] = x[i] - m - logS;
      } else {
        const inv = 1 / s;
        for (let i = start; i < end; i += inner) out[i] = Math.exp(x[i] - m) * inv;
      }
    }
  }
}

/**
 * Backward of softmax, y = softmax(x):      dx_c = y_c · (dy_c − Σ_k dy_k·y_k)
 * Backward of log-softmax, y = logSoftmax(x): dx_c = dy_c − exp(y_c) · Σ_k dy_k
 * `y` is the forward output. Overwrites dx.
 */
export function softmaxBackwardKernel(
  y: FloatArray,
  dy: FloatArray,
  dx: FloatArray,
  outer: number,
  classes: number,
  inner: number,
  log: boolean,
): void {
  for (let o = 0; o < outer; o++) {
    const base = o * classes * inner;
    for (let k = 0; k < inner; k++) {
      const start = base + k;
      const end = start + classes * inner;
      let dot = 0;
      if (log) {
        for (let i = start; i < end; i += inner) dot += dy[i];
        for (let i = start; i < end; i += inner) dx[i] = dy[i] - Math.exp(y[i]) * dot;
      } else {
        for (let i = start; i < end; i += inner) dot += dy[i] * y[i];
        for (let i = start; i < end; i += inner) dx[i] = y[i] * (dy[i] - dot);
      }
    }
  }
}
