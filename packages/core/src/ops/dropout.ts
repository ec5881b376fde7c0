import { defineOp } from '../define-op';
import { allocateLike } from '../dtype';
import { describeValue, ValueError } from '../errors';
import { defaultRng, Rng } from '../rng';
import { Tensor } from '../tensor';
import { checkTensor } from './check';

export interface DropoutOptions {
  /** Default true (like F.dropout). When false, dropout is the identity and returns x itself. */
  training?: boolean;
  /** Default: the module-level default generator (see manualSeed). */
  rng?: Rng;
}

// y = x · m / (1 − p) with m ~ Bernoulli(1 − p) (inverted dropout);  ∂x = G · m / (1 − p)
const dropoutOp = defineOp<[number, Rng]>({
  name: 'dropout',
  forward(ctx, [x], p, rng) {
    const mask = allocateLike(x.data, x.size);
    const keep = p < 1 ? 1 / (1 - p) : 0;
    const d = x.data;
    const out = allocateLike(d, d.length);
    for (let i = 0; i < d.length; i++) {
      const m = rng.next() < p ? 0 : keep;
      mask[i] = m;
      out[i] = d[i] * m;
    }
    ctx.save(mask);
    return new Tensor(out, x.shape);
  },
  backward(ctx, g) {
    const mask = ctx.saved[0] as Float32Array | Float64Array;
    const gd = g.data;
    const out = allocateLike(gd, gd.length);
    for (let i = 0; i < gd.length; i++) out[i] = gd[i] * mask[i];
    return [new Tensor(out, g.shape)];
  },
});

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
  return dropoutOp([x], p, rng);
}
