/**
 * The handout's batch-normalization forward, per channel c over the m rows of channels-last data viewed as [m, C]:
 *   μ_B = (1/m) Σ x_i,   σ²_B = (1/m) Σ (x_i − μ_B)²,   x̂_i = (x_i − μ_B)/√(σ²_B + ε),   y_i = γ x̂_i + β
 * `computeStatistics` gives μ, σ² and invStd = 1/√(σ² + ε); `normalize` gives y (x̂ is recomputed, not stored).
 *
 * Like every batch-norm kernel, these functions do no validation and allocate nothing: every output and scratch
 * array is passed in, so a training step can reuse them. Data may be Float32Array or Float64Array; every sum is
 * accumulated in float64 (float64 locals and Float64Arrays), so for float32 data the only float32 rounding is the
 * final store. The public, validating entry points are in `batch-norm-forward.ts` and `batch-norm-backward.ts`.
 */

import { type FloatArray, rowsPerBlock } from './channel-blocks';

/**
 * Batch statistics in one pass over x (shifted-data algorithm):
 *   K_c = x[0, c],  s1_c = Σ_i (x_ic − K_c),  s2_c = Σ_i (x_ic − K_c)²
 *   μ_c = K_c + s1_c / m,   σ²_c = (s2_c − s1_c² / m) / m   (biased, clamped at 0),   invStd_c = 1 / √(σ²_c + ε)
 * Shifting by a sample of the same channel keeps s2 − s1²/m free of the catastrophic cancellation of the
 * naive Σx² − (Σx)²/m when |μ| ≫ σ; constant channels give exactly σ² = 0.
 */
export function computeStatistics(
  x: FloatArray,
  m: number,
  channels: number,
  eps: number,
  mean: Float64Array,
  variance: Float64Array,
  invStd: Float64Array,
  shift: Float64Array,
): void {
  for (let c = 0; c < channels; c++) {
    shift[c] = x[c];
    mean[c] = 0; // s1 accumulator
    variance[c] = 0; // s2 accumulator
  }
  const C = channels;
  const C4 = 4 * C;
  const blockRows = rowsPerBlock(C);
  for (let r0 = 0; r0 < m; r0 += blockRows) {
    const end = Math.min(m, r0 + blockRows) * C;
    for (let c = 0; c < C; c++) {
      const k = shift[c];
      let a1 = 0;
      let a2 = 0;
      let b1 = 0;
      let b2 = 0;
      let c1 = 0;
      let c2 = 0;
      let d1 = 0;
      let d2 = 0;
      let idx = r0 * C + c;
      for (; idx + 3 * C < end; idx += C4) {
        const p = x[idx] - k;
        const q = x[idx + C] - k;
        const r = x[idx + 2 * C] - k;
        const s = x[idx + 3 * C] - k;
        a1 += p;
        a2 += p * p;
        b1 += q;
        b2 += q * q;
        c1 += r;
        c2 += r * r;
        d1 += s;
        d2 += s * s;
      }
      for (; idx < end; idx += C) {
        const p = x[idx] - k;
        a1 += p;
        a2 += p * p;
      }
      mean[c] += a1 + b1 + (c1 + d1);
      variance[c] += a2 + b2 + (c2 + d2);
    }
  }
  for (let c = 0; c < channels; c++) {
    const s1 = mean[c];
    const s2 = variance[c];
    const biased = Math.max((s2 - (s1 * s1) / m) / m, 0);
    mean[c] = shift[c] + s1 / m;
    variance[c] = biased;
    invStd[c] = 1 / Math.sqrt(biased + eps);
  }
}

/**
 * y_ic = γ_c · (x_ic − μ_c) · invStd_c + β_c   (x̂ = (x − μ) · invStd; γ = 1, β = 0 when null).
 * One read of x, one write of y. `out` may be x itself (in place; the public forward then marks the cache unusable for backward).
 */
export function normalize(
  x: FloatArray,
  m: number,
  channels: number,
  mean: Float64Array,
  invStd: Float64Array,
  gamma: FloatArray | null,
  beta: FloatArray | null,
  out: FloatArray,
): void {
  const C = channels;
  const C4 = 4 * C;
  const blockRows = rowsPerBlock(C);
  for (let r0 = 0; r0 < m; r0 += blockRows) {
    const end = Math.min(m, r0 + blockRows) * C;
    for (let c = 0; c < C; c++) {
      const mu = mean[c];
      const scale = gamma === null ? invStd[c] : gamma[c] * invStd[c];
      const offset = beta === null ? 0 : beta[c];
      let idx = r0 * C + c;
      for (; idx + 3 * C < end; idx += C4) {
        out[idx] = (x[idx] - mu) * scale + offset;
        out[idx + C] = (x[idx + C] - mu) * scale + offset;
        out[idx + 2 * C] = (x[idx + 2 * C] - mu) * scale + offset;
        out[idx + 3 * C] = (x[idx + 3 * C] - mu) * scale + offset;
      }
      for (; idx < end; idx += C) out[idx] = (x[idx] - mu) * scale + offset;
    }
  }
}
