/**
 * The handout's six batch-normalization gradients, in the handout's order, and the function that computes each
 * (per channel, over the m rows of channels-last data viewed as [m, C]):
 *
 *   1. ∂l/∂x̂_i  = ∂l/∂y_i · γ                                                     — inputGradientHandout: dXHat
 *   2. ∂l/∂σ²_B = Σ_i ∂l/∂x̂_i · (x_i − μ_B) · (−1/2)(σ²_B + ε)^(−3/2)              — inputGradientHandout: dVariance
 *   3. ∂l/∂μ_B  = (Σ_i ∂l/∂x̂_i · −1/√(σ²_B + ε)) + ∂l/∂σ²_B · Σ_i −2(x_i − μ_B)/m — inputGradientHandout: dMean
 *   4. ∂l/∂x_i  = ∂l/∂x̂_i/√(σ²_B + ε) + ∂l/∂σ²_B · 2(x_i − μ_B)/m + ∂l/∂μ_B/m     — inputGradientHandout: dx
 *               (the same value in one pass: inputGradientFused; eval mode: inputGradientAffine)
 *   5. ∂l/∂γ    = Σ_i ∂l/∂y_i · x̂_i                                               — reduceGradient: invStd · sumDyXmu
 *   6. ∂l/∂β    = Σ_i ∂l/∂y_i                                                      — reduceGradient: sumDy
 *
 * Like every batch-norm kernel, these functions do no validation and allocate nothing: every output and scratch
 * array is passed in, so a training step can reuse them. Data may be Float32Array or Float64Array; every sum is
 * accumulated in float64 (float64 locals and Float64Arrays), so for float32 data the only float32 rounding is the
 * final store. The public, validating entry points are in `batch-norm-forward.ts` and `batch-norm-backward.ts`.
 */

import { type FloatArray, rowsPerBlock } from './channel-blocks';

/**
 * The handout's derivation, term by term (for learners and tests; the fast path is `inputGradientFused`):
 *   ∂l/∂x̂_i  = ∂l/∂y_i · γ
 *   ∂l/∂σ²   = Σ_i ∂l/∂x̂_i · (x_i − μ) · (−1/2) · (σ² + ε)^(−3/2)
 *   ∂l/∂μ    = (Σ_i ∂l/∂x̂_i · −1/√(σ² + ε)) + ∂l/∂σ² · Σ_i −2(x_i − μ) / m
 *   ∂l/∂x_i  = ∂l/∂x̂_i / √(σ² + ε) + ∂l/∂σ² · 2(x_i − μ) / m + ∂l/∂μ / m
 * `dMeanFromXHat` and `dMeanFromVariance` receive the two terms of ∂l/∂μ separately; the second one is
 * zero in exact arithmetic because Σ_i (x_i − μ) = 0.
 */
export function inputGradientHandout(
  dy: FloatArray,
  x: FloatArray,
  m: number,
  channels: number,
  mean: Float64Array,
  invStd: Float64Array,
  gamma: FloatArray | null,
  dXHat: FloatArray,
  dVariance: Float64Array,
  dMean: Float64Array,
  dMeanFromXHat: Float64Array,
  dMeanFromVariance: Float64Array,
  sumXmu: Float64Array,
  dx: FloatArray,
): void {
  for (let c = 0; c < channels; c++) {
    dVariance[c] = 0;
    dMeanFromXHat[c] = 0;
    sumXmu[c] = 0;
  }
  // ∂l/∂x̂ and the sums of the ∂l/∂σ² and ∂l/∂μ formulas.
  let index = 0;
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < channels; c++) {
      const g = gamma === null ? dy[index] : dy[index] * gamma[c];
      dXHat[index] = g;
      const xmu = x[index] - mean[c];
      dVariance[c] += g * xmu;
      dMeanFromXHat[c] += g;
      sumXmu[c] += xmu;
      index++;
    }
  }
  for (let c = 0; c < channels; c++) {
    const s = invStd[c];
    dVariance[c] *= -0.5 * s * s * s; // (σ² + ε)^(−3/2) = invStd³
    dMeanFromXHat[c] *= -s;
    dMeanFromVariance[c] = (dVariance[c] * (-2 * sumXmu[c])) / m;
    dMean[c] = dMeanFromXHat[c] + dMeanFromVariance[c];
  }
  index = 0;
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < channels; c++) {
      dx[index] = dXHat[index] * invStd[c] + (dVariance[c] * 2 * (x[index] - mean[c])) / m + dMean[c] / m;
      index++;
    }
  }
}

/**
 * The two per-channel reductions every backward needs, in one pass over dy and x:
 *   sumDy_c = Σ_i dy_ic  (= ∂l/∂β_c),   sumDyXmu_c = Σ_i dy_ic · (x_ic − μ_c)  (so ∂l/∂γ_c = invStd_c · sumDyXmu_c).
 */
export function reduceGradient(
  dy: FloatArray,
  x: FloatArray,
  m: number,
  channels: number,
  mean: Float64Array,
  sumDy: Float64Array,
  sumDyXmu: Float64Array,
): void {
  for (let c = 0; c < channels; c++) {
    sumDy[c] = 0;
    sumDyXmu[c] = 0;
  }
  const C = channels;
  const C4 = 4 * C;
  const blockRows = rowsPerBlock(C);
  for (let r0 = 0; r0 < m; r0 += blockRows) {
    const end = Math.min(m, r0 + blockRows) * C;
    for (let c = 0; c < C; c++) {
      const mu = mean[c];
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
        const p = dy[idx];
        const q = dy[idx + C];
        const r = dy[idx + 2 * C];
        const s = dy[idx + 3 * C];
        a1 += p;
        a2 += p * (x[idx] - mu);
        b1 += q;
        b2 += q * (x[idx + C] - mu);
        c1 += r;
        c2 += r * (x[idx + 2 * C] - mu);
        d1 += s;
        d2 += s * (x[idx + 3 * C] - mu);
      }
      for (; idx < end; idx += C) {
        const p = dy[idx];
        a1 += p;
        a2 += p * (x[idx] - mu);
      }
      sumDy[c] += a1 + b1 + (c1 + d1);
      sumDyXmu[c] += a2 + b2 + (c2 + d2);
    }
  }
}

/**
 * Fused input gradient (training mode), after `reduceGradient`:
 *   dx_i = (γ · invStd / m) · (m · dy_i − Σ_j dy_j − x̂_i · Σ_j dy_j x̂_j)
 * written per channel as dx = A · dy + B · (x − μ) + D with
 *   A = γ · invStd,  B = −A · invStd² · sumDyXmu / m,  D = −A · sumDy / m.
 * One read of dy and x, one write of dx. `dx` may alias dy.
 */
export function inputGradientFused(
  dy: FloatArray,
  x: FloatArray,
  m: number,
  channels: number,
  mean: Float64Array,
  invStd: Float64Array,
  gamma: FloatArray | null,
  sumDy: Float64Array,
  sumDyXmu: Float64Array,
  dx: FloatArray,
): void {
  const C = channels;
  const C4 = 4 * C;
  const blockRows = rowsPerBlock(C);
  for (let r0 = 0; r0 < m; r0 += blockRows) {
    const end = Math.min(m, r0 + blockRows) * C;
    for (let c = 0; c < C; c++) {
      const mu = mean[c];
      const a = gamma === null ? invStd[c] : gamma[c] * invStd[c];
      const b = (-a * invStd[c] * invStd[c] * sumDyXmu[c]) / m;
      const d = (-a * sumDy[c]) / m;
      let idx = r0 * C + c;
      for (; idx + 3 * C < end; idx += C4) {
        dx[idx] = a * dy[idx] + b * (x[idx] - mu) + d;
        dx[idx + C] = a * dy[idx + C] + b * (x[idx + C] - mu) + d;
        dx[idx + 2 * C] = a * dy[idx + 2 * C] + b * (x[idx + 2 * C] - mu) + d;
        dx[idx + 3 * C] = a * dy[idx + 3 * C] + b * (x[idx + 3 * C] - mu) + d;
      }
      for (; idx < end; idx += C) dx[idx] = a * dy[idx] + b * (x[idx] - mu) + d;
    }
  }
}

/** Eval-mode input gradient: y = γ · (x − μ_run) · invStd_run + β is affine in x, so dx = γ · invStd · dy. */
export function inputGradientAffine(
  dy: FloatArray,
  m: number,
  channels: number,
  invStd: Float64Array,
  gamma: FloatArray | null,
  dx: FloatArray,
): void {
  const C = channels;
  const C4 = 4 * C;
  const blockRows = rowsPerBlock(C);
  for (let r0 = 0; r0 < m; r0 += blockRows) {
    const end = Math.min(m, r0 + blockRows) * C;
    for (let c = 0; c < C; c++) {
      const scale = gamma === null ? invStd[c] : gamma[c] * invStd[c];
      let idx = r0 * C + c;
      for (; idx + 3 * C < end; idx += C4) {
        dx[idx] = dy[idx] * scale;
        dx[idx + C] = dy[idx + C] * scale;
        dx[idx + 2 * C] = dy[idx + 2 * C] * scale;
        dx[idx + 3 * C] = dy[idx + 3 * C] * scale;
      }
      for (; idx < end; idx += C) dx[idx] = dy[idx] * scale;
    }
  }
}
