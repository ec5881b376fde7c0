/**
 * Mean squared error, elementwise:
 *   loss_k = (x_k − y_k)²,   ∂loss_k/∂x_k = 2·(x_k − y_k),   ∂loss_k/∂y_k = −2·(x_k − y_k)
 */
import type { FloatArray } from './types.js';

/** Writes per-element losses; returns their sum. */
export function mseLossForwardKernel(input: FloatArray, target: FloatArray, perElement: FloatArray): number {
  let total = 0;
  for (let k = 0; k < input.length; k++) {
    const d = input[k] - target[k];
    const l = d * d;
    perElement[k] = l;
    total += l;
  }
  return total;
}

/** grad_k = 2·s_k·(x_k − y_k), s_k = scale·(elementScale ? elementScale[k] : 1). Overwrites grad. */
export function mseLossBackwardKernel(
  input: FloatArray,
  target: FloatArray,
  scale: number,
  elementScale: FloatArray | null,
  grad: FloatArray,
): void {
  const twice = 2 * scale;
  if (elementScale === null) {
    for (let k = 0; k < input.length; k++) grad[k] = twice * (input[k] - target[k]);
  } else {
    for (let k = 0; k < input.length; k++) grad[k] = twice * elementScale[k] * (input[k] - target[k]);
  }
}
