import type { Rng } from '../rng';
import type { Tensor } from '../tensor';

/**
 * PyTorch's kaiming_uniform_ bound for the default layer init (a = √5, leaky_relu gain):
 * gain = √(2 / (1 + a²)), bound = gain · √(3 / fanIn). With a = √5 this is 1/√fanIn.
 */
export function kaimingUniformBound(fanIn: number, a = Math.sqrt(5)): number {
  const gain = Math.sqrt(2 / (1 + a * a));
  return fanIn > 0 ? gain * Math.sqrt(3 / fanIn) : 0;
}

/** Fills t in place with values uniform in [-bound, bound). */
export function fillUniform(t: Tensor, bound: number, rng: Rng): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = rng.uniform(-bound, bound);
}
