/** Shared generators: junk values, definitely-invalid numbers, small shapes, typed arrays with special values. */
import fc from 'fast-check';
import type { Bad, PackageName, Target } from './harness';

/** Values of the wrong type or out of every range (what a JavaScript caller may pass by mistake). */
export const junk: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  undefined,
  null,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  0,
  0.5,
  1e300,
  'x',
  '',
  '3',
  true,
  false,
  {},
  [],
  [Number.NaN],
  [1, 2],
  new Float32Array(2),
  () => 1,
);

/** Not an integer >= 1 (sizes, kernel sizes, strides, dilations, channel counts). */
export const badPositiveInt: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0,
  -1,
  -7,
  0.5,
  2.5,
  '3',
  null,
  true,
);

/** Not an integer >= 0 (padding, indices). */
export const badNonNegativeInt: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  -3,
  0.5,
  1.5,
  '1',
  null,
  true,
);

/** Not a finite number. */
export const nonFinite: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  '1',
  null,
  true,
);

/** Values whose message form is predictable; objects and functions skip the value check. */
export function badValue(arg: string, value: unknown): Bad {
  const skip = typeof value === 'object' || typeof value === 'function' || typeof value === 'symbol';
  return skip ? { arg, value, skipValue: true } : { arg, value };
}

export const finite = (max = 10): fc.Arbitrary<number> =>
  fc.double({ min: -max, max, noNaN: true, noDefaultInfinity: true });

/** Finite values and the special ones (NaN, ±∞, ±0, huge, tiny). */
export const special: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: finite(10) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      0,
      -0,
      1e30,
      -1e30,
      1e-30,
    ),
  },
);

export const smallInt = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });

/** A shape of the given rank with sizes in [min, max]. */
export const shapeOf = (rank: number, min = 1, max = 4): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min, max }), { minLength: rank, maxLength: rank });

/** A Float64Array of exactly n finite values. */
export const f64 = (n: number, max = 10): fc.Arbitrary<Float64Array> =>
  fc.array(finite(max), { minLength: n, maxLength: n }).map((a) => Float64Array.from(a));

export const f32 = (n: number, max = 10): fc.Arbitrary<Float32Array> =>
  fc.array(finite(max), { minLength: n, maxLength: n }).map((a) => Float32Array.from(a));

/** n values including NaN / ±∞ (as float64). */
export const f64Special = (n: number): fc.Arbitrary<Float64Array> =>
  fc.array(special, { minLength: n, maxLength: n }).map((a) => Float64Array.from(a));

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Dimensions whose product is far beyond any engine's typed-array limit (must be refused before allocating). */
export const hugeShape: fc.Arbitrary<number[]> = fc
  .oneof(
    fc.constant<number[]>([2 ** 20, 2 ** 20, 2 ** 20]),
    fc.constant<number[]>([1e6, 1e6]),
    fc.constant<number[]>([2 ** 53]),
    fc.constant<number[]>([1e300]),
    fc.tuple(fc.integer({ min: 2 ** 17, max: 2 ** 20 }), fc.integer({ min: 2 ** 17, max: 2 ** 20 })),
  )
  .map((s) => [...s]);

/**
 * A target calling `fn` with `arity` arguments, each junk or a supplied plausible value: the call must return or
 * throw a typed error, never a TypeError from inside.
 */
export function junkTarget(
  pkg: PackageName,
  name: string,
  fn: (...args: unknown[]) => unknown,
  plausible: readonly fc.Arbitrary<unknown>[],
  weight = 0.5,
): Target<unknown[]> {
  const arg = (i: number): fc.Arbitrary<unknown> =>
    plausible[i] === undefined ? junk : fc.oneof(junk, plausible[i]);
  return {
    pkg,
    name,
    variant: 'junk arguments',
    weight,
    arb: fc.tuple(...plausible.map((_, i) => arg(i))),
    run: (args) => fn(...args),
  };
}

/** Relative/absolute closeness for oracle comparisons. */
export function close(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

export function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
