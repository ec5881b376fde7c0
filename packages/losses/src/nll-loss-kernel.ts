/**
 * Negative log-likelihood over rows of log-probabilities x[rows, classes] (classes on the last axis):
 *   loss_i = −w_{t_i}·x_{i,t_i}            (0 when t_i = ignoreIndex)
 *   ∂loss_i/∂x_{i,j} = −w_{t_i}·[j = t_i]
 * Mean reduction divides by Σ_i w_{t_i} over non-ignored rows (PyTorch).
 */
import type { FloatArray } from './types.js';

/** Writes the per-row losses; returns Σ w_{t_i} over the non-ignored rows. */
export function nllLossForwardKernel(
  input: FloatArray,
  rows: number,
  classes: number,
  indices: Int32Array,
  weight: FloatArray | null,
  ignoreIndex: number,
  perRow: FloatArray,
): number {
  let denominator = 0;
  for (let i = 0; i < rows; i++) {
    const t = indices[i];
    if (t === ignoreIndex) {
      perRow[i] = 0;
      continue;
    }
    const wt = weight === null ? 1 : weight[t];
    denominator += wt;
    perRow[i] = -wt * input[i * classes + t];
  }
  return denominator;
}

/** grad_{i,j} = −s_i·w_{t_i}·[j = t_i], s_i = scale·(rowScale ? rowScale[i] : 1). Overwrites grad. */
export function nllLossBackwardKernel(
  rows: number,
  classes: number,
  indices: Int32Array,
  weight: FloatArray | null,
  ignoreIndex: number,
  scale: number,
  rowScale: FloatArray | null,
  grad: FloatArray,
): void {
  grad.fill(0);
  for (let i = 0; i < rows; i++) {
    const t = indices[i];
    if (t === ignoreIndex) continue;
    const s = rowScale === null ? scale : scale * rowScale[i];
    grad[i * classes + t] = -s * (weight === null ? 1 : weight[t]);
  }
}
