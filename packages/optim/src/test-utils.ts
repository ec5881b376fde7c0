// Helpers shared by this package's tests only (not exported from the package).
import type { FloatArray, ParamLike } from './param';

/** mulberry32: a tiny seeded PRNG so every test sequence is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n-long sequence of vectors of `dim` values uniform in [lo, hi). */
export function randomSequence(seed: number, n: number, dim: number, lo = -1, hi = 1): number[][] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => lo + (hi - lo) * rand()));
}

export interface PlainParam extends ParamLike {
  data: FloatArray;
  grad: FloatArray | null;
}

export function makeParam(values: readonly number[], dtype: 'float32' | 'float64' = 'float64'): PlainParam {
  const data = dtype === 'float32' ? new Float32Array(values) : new Float64Array(values);
  const grad = dtype === 'float32' ? new Float32Array(values.length) : new Float64Array(values.length);
  return { data, grad };
}

/** Bytes of a typed array, for bitwise comparisons (distinguishes −0/+0 and NaN payloads). */
export function bytesOf(a: FloatArray): number[] {
  return Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/** Asserts |actual − expected| ≤ rtol·max(1, |expected|) elementwise, with a readable failure. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  label = '',
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length} != ${expected.length}`);
  }
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const tol = rtol * Math.max(1, Math.abs(e));
    if (!(Math.abs(a - e) <= tol)) {
      throw new Error(`${label}[${i}]: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > tol ${tol})`);
    }
  }
}

/**
 * Runs an optimizer made by `make` from p0 on `grads` in float64 and float32 and checks the parameters after every
 * step against `expected[t]` (a float64 reference), to `tolerance[dtype]` relative.
 */
export function expectMatchesReference(
  make: (params: ParamLike[]) => { step(): unknown },
  p0: readonly number[],
  grads: readonly (readonly number[])[],
  expected: readonly (readonly number[])[],
  tolerance: { float64: number; float32: number },
): void {
  for (const dtype of ['float64', 'float32'] as const) {
    const p = makeParam(p0, dtype);
    const opt = make([p]);
    grads.forEach((g, t) => {
      p.grad!.set(g);
      opt.step();
      expectClose(p.data, expected[t], tolerance[dtype], `${dtype} step ${t + 1}`);
    });
  }
}
