/**
 * Fused softmax cross-entropy over rows of logits z[rows, classes] (classes on the last axis).
 * Shared by `crossEntropyArray` (plain typed arrays) and the `crossEntropy` autograd op.
 *
 * Every row i gets an effective, weighted target q_i (PyTorch semantics):
 *   class index t, weight w (w_c = 1 without weights), smoothing ε:
 *     q_c = (1 − ε)·w_t·[c = t] + (ε/C)·w_c        (q = 0 when t = ignoreIndex)
 *   probability target y:
 *     q_c = w_c·((1 − ε)·y_c + ε/C)
 * Loss and gradient, with log p = logSoftmax(z) computed by log-sum-exp (max subtracted), p = softmax(z):
 *   loss_i     = Σ_c q_c·(−log p_c)
 *   ∂loss_i/∂z_j = Q·p_j − q_j,  Q = Σ_c q_c      (= p_j − y_j for one-hot y, no weights, ε = 0)
 * Mean reduction divides by Σ_i w_{t_i} over non-ignored rows (index targets) or by rows (probability targets).
 */
import type { FloatArray } from './types.js';

export interface CrossEntropyProblem {
  readonly rows: number;
  readonly classes: number;
  /** Class index per row (validated: in [0, classes) or ignoreIndex), or null for probability targets. */
  readonly indices: Int32Array | null;
  /** Probabilities [rows, classes] when indices is null. */
  readonly probabilities: FloatArray | null;
  /** Per-class weights [classes] or null. */
  readonly weight: FloatArray | null;
  readonly labelSmoothing: number;
  readonly ignoreIndex: number;
}

/**
 * Writes p = softmax(z) row-wise (one exp per logit) and the per-row losses, using
 * log p_c = (z_c − m) − log s with m = max z and s = Σ exp(z − m), so no log of a probability is ever taken.
 * Returns the mean-reduction denominator (Σ of the non-ignored targets' weights for index targets, the row
 * count for probability targets).
 */
export function crossEntropyForwardKernel(
  problem: CrossEntropyProblem,
  logits: FloatArray,
  probs: FloatArray,
  perRow: FloatArray,
): number {
  const { rows, classes, indices, probabilities, weight, labelSmoothing: eps, ignoreIndex } = problem;
  const keep = 1 - eps;
  const spread = eps / classes;
  let denominator = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * classes;
    const end = base + classes;
    let m = Number.NEGATIVE_INFINITY;
    for (let j = base; j < end; j++) if (logits[j] > m) m = logits[j];
    let s = 0;
    for (let j = base; j < end; j++) {
      const e = Math.exp(logits[j] - m);
      probs[j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = base; j < end; j++) probs[j] *= inv;
    const logS = Math.log(s);

    let loss = 0;
    if (indices !== null) {
      const t = indices[i];
      if (t === ignoreIndex) {
        perRow[i] = 0;
        continue;
      }
      const wt = weight === null ? 1 : weight[t];
      denominator += wt;
      loss = -keep * wt * (logits[base + t] - m - logS);
      if (eps !== 0) {
        let smooth = 0;
        if (weight === null) for (let j = base; j < end; j++) smooth -= logits[j] - m - logS;
        else for (let c = 0; c < classes; c++) smooth -= weight[c] * (logits[base + c] - m - logS);
        loss += spread * smooth;
      }
    } else {
      const y = probabilities!;
      for (let c = 0; c < classes; c++) {
        const q = (weight === null ? 1 : weight[c]) * (keep * y[base + c] + spread);
        if (q !== 0) loss -= q * (logits[base + c] - m - logS);
      }
    }
    perRow[i] = loss;
  }
  return indices !== null ? denominator : rows;
}

/**
 * grad_{i,j} = s_i·(Q_i·p_{i,j} − q_{i,j}) with p = softmax(z) from the forward kernel and
 * s_i = scale·(rowScale ? rowScale[i] : 1). Overwrites grad (ignored rows get 0); `grad` may be `probs`
 * itself (each entry is read before it is written).
 */
export function crossEntropyBackwardKernel(
  problem: CrossEntropyProblem,
  probs: FloatArray,
  scale: number,
  rowScale: FloatArray | null,
  grad: FloatArray,
): void {
  const { rows, classes, indices, probabilities, weight, labelSmoothing: eps, ignoreIndex } = problem;
  const keep = 1 - eps;
  const spread = eps / classes;
  let weightSum = classes;
  if (weight !== null) {
    weightSum = 0;
    for (let c = 0; c < classes; c++) weightSum += weight[c];
  }
  for (let i = 0; i < rows; i++) {
    const base = i * classes;
    const s = rowScale === null ? scale : scale * rowScale[i];
    if (indices !== null) {
      const t = indices[i];
      if (t === ignoreIndex || s === 0) {
        grad.fill(0, base, base + classes);
        continue;
      }
      const wt = weight === null ? 1 : weight[t];
      const sTotal = s * (keep * wt + spread * weightSum);
      if (weight === null) {
        const sq = s * spread;
        for (let c = 0; c < classes; c++) grad[base + c] = sTotal * probs[base + c] - sq;
      } else {
        for (let c = 0; c < classes; c++) grad[base + c] = sTotal * probs[base + c] - s * spread * weight[c];
      }
      grad[base + t] -= s * keep * wt;
    } else {
      const y = probabilities!;
      let total = 0;
      for (let c = 0; c < classes; c++)
        total += (weight === null ? 1 : weight[c]) * (keep * y[base + c] + spread);
      for (let c = 0; c < classes; c++) {
        const q = (weight === null ? 1 : weight[c]) * (keep * y[base + c] + spread);
        grad[base + c] = s * (total * probs[base + c] - q);
      }
    }
  }
}

/**
 * Gradient with respect to probability targets (PyTorch differentiates soft targets too):
 *   ∂loss_i/∂y_{i,c} = −s_i·(1 − ε)·w_c·log p_{i,c},  log p recomputed from the logits by log-sum-exp.
 * Overwrites grad. Only for probability targets.
 */
export function crossEntropyTargetBackwardKernel(
  problem: CrossEntropyProblem,
  logits: FloatArray,
  scale: number,
  rowScale: FloatArray | null,
  grad: FloatArray,
): void {
  const { rows, classes, weight, labelSmoothing: eps } = problem;
  for (let i = 0; i < rows; i++) {
    const base = i * classes;
    const end = base + classes;
    let m = Number.NEGATIVE_INFINITY;
    for (let j = base; j < end; j++) if (logits[j] > m) m = logits[j];
    let sum = 0;
    for (let j = base; j < end; j++) sum += Math.exp(logits[j] - m);
    const logS = Math.log(sum);
    const s = (rowScale === null ? scale : scale * rowScale[i]) * (1 - eps);
    for (let c = 0; c < classes; c++) {
      grad[base + c] = -s * (weight === null ? 1 : weight[c]) * (logits[base + c] - m - logS);
    }
  }
}
