// Helpers shared by the tests of this package (not exported from the package root).

/** mulberry32: uniform samples in [0, 1) from a seed (a small, fast, reproducible PRNG). */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic float64 samples from a seed (mulberry32 → Box–Muller), for reproducible test data. */
export function seededNormal(seed: number): (mean?: number, std?: number) => number {
  const next = seededUniform(seed);
  return (mean = 0, std = 1) => {
    const u = 1 - next();
    const v = next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export function randomArray(length: number, seed: number, mean = 0, std = 1): Float64Array {
  const normal = seededNormal(seed);
  const a = new Float64Array(length);
  for (let i = 0; i < length; i++) a[i] = normal(mean, std);
  return a;
}

/** max_i |a_i − b_i| / max(1e-300, max_i |b_i|): the error relative to the reference's scale. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-300);
}

/** Central finite difference of a scalar function with respect to every entry of `values` (restored after). */
export function numericGradient(f: () => number, values: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const saved = values[i];
    values[i] = saved + h;
    const plus = f();
    values[i] = saved - h;
    const minus = f();
    values[i] = saved;
    g[i] = (plus - minus) / (2 * h);
  }
  return g;
}
