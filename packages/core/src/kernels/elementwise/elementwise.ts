import type { FloatArray } from '../types';

/** Plain-TypeScript elementwise / reduction kernels of the autograd ops (ReLU, bias gradient). */

export function reluForward(x: FloatArray, out: FloatArray): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    // Branch-free (signs are unpredictable, a branch mispredicts half the time): v·[v > 0] + 0 turns
    // −0 into 0; the rare NaN result (v = NaN stays NaN as in PyTorch, v = −∞ gives 0) is fixed after.
    const v = x[i];
    const r = v * +(v > 0) + 0;
    out[i] = Number.isNaN(r) ? (Number.isNaN(v) ? v : 0) : r;
  }
}

export function reluBackward(y: FloatArray, g: FloatArray, out: FloatArray): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    // Branch-free g·[y > 0]; when g is ±∞/NaN at a masked position the product is NaN: use 0 there.
    const pass = +(y[i] > 0);
    const gi = g[i];
    const r = gi * pass + 0;
    out[i] = Number.isNaN(r) ? (pass === 1 ? gi : 0) : r;
  }
}

/**
 * Channel sums of a channels-last [rows, C] array: float64 sums of the two fixed halves of the rows ([0, ⌈rows/2⌉)
 * and the rest, each in row order), added first + second and rounded once — the association the WebAssembly kernels
 * use on one and two threads. Rows are taken in blocks; inside a block each channel is walked with stride C into a
 * float64 local (register), so each element is one load and one add.
 */
export function channelSum(x: FloatArray, rows: number, channels: number, out: FloatArray): void {
  const C = channels;
  const h = Math.ceil(rows / 2);
  const first = new Float64Array(C); // 2·C doubles per call, outside the hot loop
  const second = new Float64Array(C);
  channelSumRows(x, 0, h, C, first);
  channelSumRows(x, h, rows, C, second);
  for (let c = 0; c < C; c++) out[c] = first[c] + second[c];
}

/** acc[c] += Σ x[r·C + c] for r in [from, to), in row order. */
function channelSumRows(x: FloatArray, from: number, to: number, C: number, acc: Float64Array): void {
  const blockRows = Math.max(4, Math.floor(4096 / Math.max(C, 1)));
  for (let r0 = from; r0 < to; r0 += blockRows) {
    const end = Math.min(to, r0 + blockRows) * C;
    for (let c = 0; c < C; c++) {
      let s = acc[c];
      for (let idx = r0 * C + c; idx < end; idx += C) s += x[idx];
      acc[c] = s;
    }
  }
}
