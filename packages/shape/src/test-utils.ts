// Helpers shared by this package's tests only (not exported from the package). The brute-force oracles count
// window positions directly instead of using the closed-form size formulas under test.
import { ShapeError } from './shape-error.js';

/** The ShapeError `fn` throws; fails the test when it returns or throws anything else. */
export function errorOf(fn: () => unknown): ShapeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ShapeError) return error;
    throw error;
  }
  throw new Error('expected a ShapeError');
}

/** Count window start positions t = 0, s, 2s, ... whose window [t, t + eff) lies inside the padded input. */
export function bruteConv(n: number, k: number, s: number, d: number, before: number, after: number): number {
  const span = n + before + after;
  const eff = d * (k - 1) + 1;
  let count = 0;
  for (let t = 0; t + eff <= span; t += s) count++;
  return count;
}

/**
 * PyTorch ceil mode by enumeration: window i (start i·s) is kept while it starts inside the input or the left
 * padding (i·s < before + n) and the previous window did not already reach the end of the padded input.
 */
export function bruteCeilPool(
  n: number,
  k: number,
  s: number,
  d: number,
  before: number,
  after: number,
): number {
  const span = n + before + after;
  const eff = d * (k - 1) + 1;
  let count = 0;
  for (let i = 0; i * s < before + n && (i - 1) * s + eff < span; i++) count++;
  return count;
}

/** Transposed convolution by scattering: input i, tap j writes position i·s + j·d of the full output. */
export function bruteTranspose(
  n: number,
  k: number,
  s: number,
  d: number,
  before: number,
  after: number,
  op: number,
) {
  let last = -1;
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) last = Math.max(last, i * s + j * d);
  return last + 1 - before - after + op;
}
