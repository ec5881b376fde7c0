/**
 * Binary cross-entropy on logits x with targets y ∈ [0, 1], element weight w and positive-class weight p
 * (PyTorch's BCEWithLogitsLoss). With l = 1 + (p − 1)·y and softplus(−x) = max(−x, 0) + log(1 + exp(−|x|)):
 *   loss = w·((1 − y)·x + l·softplus(−x))
 * which for p = 1 is the stable form  max(x, 0) − x·y + log(1 + exp(−|x|)).
 *   ∂loss/∂x = w·((1 − y) − l·σ(−x))      (= w·(σ(x) − y) for p = 1)
 *   ∂loss/∂y = w·(−x + (p − 1)·softplus(−x))
 * Weights broadcast over trailing dimensions: element k uses weight[k % weight.length] and
 * posWeight[k % posWeight.length] (posWeight usually has one entry per class, the last axis).
 */
import type { FloatArray } from './types.js';

/** Writes per-element losses; returns their sum. */
export function bceWithLogitsForwardKernel(
  input: FloatArray,
  target: FloatArray,
  weight: FloatArray | null,
  posWeight: FloatArray | null,
  perElement: FloatArray,
): number {
  let total = 0;
  const wLen = weight === null ? 1 : weight.length;
  const pLen = posWeight === null ? 1 : posWeight.length;
  for (let k = 0; k < input.length; k++) {
    const x = input[k];
    const y = target[k];
    const softplusNeg = Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    const l = posWeight === null ? 1 : 1 + (posWeight[k % pLen] - 1) * y;
    let loss = (1 - y) * x + l * softplusNeg;
    if (weight !== null) loss *= weight[k % wLen];
    perElement[k] = loss;
    total += loss;
  }
  return total;
}

/**
 * gradInput_k = s_k·w·((1 − y) − l·σ(−x)); gradTarget_k = s_k·w·(−x + (p − 1)·softplus(−x)).
 * s_k = scale·(elementScale ? elementScale[k] : 1). Either output may be null. Overwrites them.
 */
export function bceWithLogitsBackwardKernel(
  input: FloatArray,
  target: FloatArray,
  weight: FloatArray | null,
  posWeight: FloatArray | null,
  scale: number,
  elementScale: FloatArray | null,
  gradInput: FloatArray | null,
  gradTarget: FloatArray | null,
): void {
  const wLen = weight === null ? 1 : weight.length;
  const pLen = posWeight === null ? 1 : posWeight.length;
  for (let k = 0; k < input.length; k++) {
    const x = input[k];
    const y = target[k];
    let s = elementScale === null ? scale : scale * elementScale[k];
    if (weight !== null) s *= weight[k % wLen];
    const pm1 = posWeight === null ? 0 : posWeight[k % pLen] - 1;
    // σ(−x) without overflow: e = exp(−|x|) ≤ 1.
    const e = Math.exp(-Math.abs(x));
    const sigmoidNeg = x >= 0 ? e / (1 + e) : 1 / (1 + e);
    if (gradInput !== null) gradInput[k] = s * (1 - y - (1 + pm1 * y) * sigmoidNeg);
    if (gradTarget !== null) {
      const softplusNeg = Math.max(-x, 0) + Math.log1p(e);
      gradTarget[k] = s * (-x + pm1 * softplusNeg);
    }
  }
}
