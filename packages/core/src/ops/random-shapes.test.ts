import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Rng } from '../rng';
import { randn64 } from '../test-utils';
import { gradcheck } from '../testing';
import { add, div, mul, sub } from './elementwise';
import { matmul } from './matmul';
import { mean, sum } from './reduce';
import { flatten } from './reshape';
import { transpose } from './transpose';
import { exp, sigmoid, tanh } from './unary';

// Float64 gradchecks (full Jacobian) of the non-convolution ops on random shapes. Convolution and pooling have
// their own property tests in conv2d.test.ts and pool2d.test.ts.

const dim = fc.integer({ min: 1, max: 3 });
const shape = fc.array(dim, { minLength: 0, maxLength: 3 });

/** Two shapes that broadcast: each aligned dim is shared, or 1 on one side; either may have fewer dims. */
const broadcastPair = fc
  .tuple(
    fc.array(fc.tuple(dim, fc.constantFrom('same', 'a1', 'b1')), { minLength: 0, maxLength: 3 }),
    fc.integer({ min: 0, max: 3 }),
    fc.boolean(),
  )
  .map(([dims, drop, dropFromA]) => {
    let a = dims.map(([d, k]) => (k === 'a1' ? 1 : d));
    let b = dims.map(([d, k]) => (k === 'b1' ? 1 : d));
    const cut = Math.min(drop, dims.length);
    if (dropFromA) a = a.slice(cut);
    else b = b.slice(cut);
    return { a, b };
  });

describe('gradcheck on random shapes (property)', () => {
  test('add / sub / mul / div with broadcasting', () => {
    fc.assert(
      fc.property(broadcastPair, fc.integer({ min: 0, max: 1e6 }), ({ a, b }, seed) => {
        const rng = new Rng(seed);
        const x = randn64(a, rng);
        const y = randn64(b, rng);
        for (let i = 0; i < y.size; i++) y.data[i] = 0.5 + Math.abs(y.data[i]); // division stays well-conditioned
        gradcheck(add, [x, y]);
        gradcheck(sub, [x, y]);
        gradcheck(mul, [x, y]);
        gradcheck(div, [x, y]);
        gradcheck(add, [y, x]);
      }),
      { numRuns: 40, seed: 11 },
    );
  });

  test('matmul with random (broadcast) batch dims', () => {
    fc.assert(
      fc.property(
        broadcastPair,
        dim,
        dim,
        dim,
        fc.integer({ min: 0, max: 1e6 }),
        ({ a: aBatch, b: bBatch }, m, k, n, seed) => {
          const rng = new Rng(seed);
          const a = randn64([...aBatch.slice(-2), m, k], rng);
          const b = randn64([...bBatch.slice(-2), k, n], rng);
          const c = matmul(a, b);
          expect(c.shape.slice(-2)).toEqual([m, n]);
          gradcheck(matmul, [a, b]);
        },
      ),
      { numRuns: 40, seed: 12 },
    );
  });

  test('sum / mean over random axes, with and without keepDims', () => {
    fc.assert(
      fc.property(
        shape,
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        (s, pick, keepDims, seed) => {
          const x = randn64(s, new Rng(seed));
          const axes = s.map((_, i) => i).filter((i) => pick[i]);
          const negative = axes.map((i) => i - s.length); // same axes counted from the end
          const y = sum(x, axes, keepDims);
          expect(Array.from(sum(x, negative, keepDims).data)).toEqual(Array.from(y.data));
          gradcheck((t) => sum(t, axes, keepDims), [x]);
          gradcheck((t) => mean(t, negative, keepDims), [x]);
        },
      ),
      { numRuns: 40, seed: 13 },
    );
  });

  test('transpose of random dims, flatten, and unary ops on random shapes', () => {
    fc.assert(
      fc.property(
        fc.array(dim, { minLength: 2, maxLength: 4 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 1e6 }),
        (s, i0, i1, seed) => {
          const x = randn64(s, new Rng(seed));
          const d0 = i0 % s.length;
          const d1 = i1 % s.length;
          gradcheck((t) => transpose(t, d0, d1), [x]);
          gradcheck((t) => mul(flatten(t), 3), [x]);
          gradcheck((t) => tanh(sigmoid(exp(t))), [x]);
        },
      ),
      { numRuns: 30, seed: 14 },
    );
  });
});
