import { describeValue, ValueError } from '../errors';
import { Rng } from '../rng';
import { Tensor } from '../tensor';

/**
 * PyTorch's kaiming_uniform_ bound for the default layer init (a = √5, leaky_relu gain):
 * gain = √(2 / (1 + a²)), bound = gain · √(3 / fanIn). With a = √5 this is 1/√fanIn.
 */
export function kaimingUniformBound(fanIn: number, a = Math.sqrt(5)): number {
  if (typeof fanIn !== 'number' || Number.isNaN(fanIn) || !Number.isFinite(a)) {
    throw new ValueError(
      `kaimingUniformBound: need a number fanIn and a finite a, got fanIn=${String(fanIn)}, a=${String(a)}`,
      'INVALID_VALUE',
    );
  }
  const gain = Math.sqrt(2 / (1 + a * a));
  return fanIn > 0 ? gain * Math.sqrt(3 / fanIn) : 0;
}

/** Fills t in place with values uniform in [-bound, bound). */
export function fillUniform(t: Tensor, bound: number, rng: Rng): void {
  if (!(t instanceof Tensor))
    throw new ValueError(`fillUniform: t must be a Tensor, got ${describeValue(t)}`, 'INVALID_INPUT');
  if (typeof bound !== 'number' || !Number.isFinite(bound) || bound < 0) {
    throw new ValueError(
      `fillUniform: bound must be a finite number >= 0, got ${String(bound)}`,
      'INVALID_VALUE',
    );
  }
  if (!(rng instanceof Rng))
    throw new ValueError(`fillUniform: rng must be an Rng, got ${describeValue(rng)}`, 'INVALID_RNG');
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = rng.uniform(-bound, bound);
}
