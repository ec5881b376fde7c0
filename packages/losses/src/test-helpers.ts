/** Test-only helpers (not exported from the package). */

/** Central finite differences of a scalar function of a Float64Array, perturbing a copy. */
export function numericGradient(f: (x: Float64Array) => number, x: Float64Array, eps = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  const probe = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    probe[i] = x[i] + eps;
    const up = f(probe);
    probe[i] = x[i] - eps;
    const down = f(probe);
    probe[i] = x[i];
    g[i] = (up - down) / (2 * eps);
  }
  return g;
}

/** Max |a − b| / (atol + rtol·|b|) ≤ 1 check with a readable failure. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol = 1e-9,
  rtol = 1e-9,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} !== expected ${expected.length}`);
  }
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`index ${i}: got ${a}, expected ${e} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

/** Deterministic pseudo-random numbers in [lo, hi) (mulberry32), so tests need no core RNG. */
export function randomArray(n: number, seed: number, lo = -3, hi = 3): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * u;
  }
  return out;
}

/** Naive (unstabilised) log-softmax of one row, for moderate logits only: log(exp(z_c) / Σ exp(z_k)). */
export function naiveLogSoftmaxRow(z: ArrayLike<number>): number[] {
  let s = 0;
  for (let i = 0; i < z.length; i++) s += Math.exp(z[i]);
  const out: number[] = [];
  for (let i = 0; i < z.length; i++) out.push(Math.log(Math.exp(z[i]) / s));
  return out;
}
