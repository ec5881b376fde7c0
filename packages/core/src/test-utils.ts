import { Rng } from './rng';
import { Tensor } from './tensor';

/** A float64 tensor of normal values that requires grad (for gradchecks). */
export function randn64(shape: readonly number[], rng: Rng, requiresGrad = true): Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal();
  return new Tensor(data, shape, { requiresGrad });
}

export function testRng(seed = 1234): Rng {
  return new Rng(seed);
}
