import { allocateLike } from '../dtype';
import { describeValue, ValueError } from '../errors';
import { defaultRng, Rng } from '../rng';
import type { Tensor } from '../tensor';
import { checkTensor } from './check';
import { defineUnary } from './define-unary';

/** Options of `dropout` (PyTorch `F.dropout` arguments, plus the generator). */
export interface DropoutOptions {
  /** Default true (like F.dropout). When false, dropout is the identity and returns x itself. */
  training?: boolean;
  /** Default: the module-level default generator (see manualSeed). */
  rng?: Rng;
}

// y = x · m with m = [u ≥ p] / (1 − p), u ~ U[0, 1) (inverted dropout);  ∂x = g · m
const dropoutOp = defineUnary({ name: 'dropout', f: (x, m) => x * m, grad: (g, m) => g * m, saves: 'a' });

/**
 * Inverted dropout (PyTorch semantics): in training each element is zeroed with probability p and the
 * survivors are scaled by 1/(1 − p); p = 1 gives zeros; in eval (training false) or p = 0 it returns x.
 */
export function dropout(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  checkTensor(x, 'dropout');
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new ValueError(`dropout: p must be a probability in [0, 1], got ${p}`, 'INVALID_PROBABILITY');
  }
  if (typeof options !== 'object' || options === null) {
    throw new ValueError(
      `dropout: options must be an object { training?, rng? }, got ${describeValue(options)}`,
      'INVALID_OPTIONS',
    );
  }
  const rng = options.rng ?? defaultRng();
  if (!(rng instanceof Rng)) {
    throw new ValueError(`dropout: options.rng must be an Rng, got ${describeValue(rng)}`, 'INVALID_RNG');
  }
  if (options.training === false || p === 0) return x;
  const mask = allocateLike(x.data, x.size);
  const keep = p < 1 ? 1 / (1 - p) : 0;
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < p ? 0 : keep;
  return dropoutOp(x, mask);
}
