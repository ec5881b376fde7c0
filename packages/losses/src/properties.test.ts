import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaryCrossEntropyWithLogitsArray } from './binary-cross-entropy-with-logits.js';
import { crossEntropyArray } from './cross-entropy.js';
import { logSoftmaxArray, softmaxArray } from './softmax.js';

/** Batches of logits [rows, classes] with finite values up to ±1e4 and a class index per row. */
const batch = fc
  .record({ rows: fc.integer({ min: 1, max: 6 }), classes: fc.integer({ min: 1, max: 7 }) })
  .chain(({ rows, classes }) =>
    fc.record({
      rows: fc.constant(rows),
      classes: fc.constant(classes),
      logits: fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), {
        minLength: rows * classes,
        maxLength: rows * classes,
      }),
      target: fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: rows, maxLength: rows }),
      labelSmoothing: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  );

describe('properties (fast-check)', () => {
  it('cross-entropy: finite, ≥ 0, rows of the gradient sum to 0, entries in [−1, 1] for any logits up to ±1e4', () => {
    fc.assert(
      fc.property(batch, ({ rows, classes, logits, target, labelSmoothing }) => {
        const z = Float64Array.from(logits);
        const { loss, grad } = crossEntropyArray(z, [rows, classes], target, {
          labelSmoothing,
          reduction: 'sum',
        });
        expect(Number.isFinite(loss)).toBe(true);
        expect(loss).toBeGreaterThanOrEqual(0);
        for (let i = 0; i < rows; i++) {
          let s = 0;
          for (let c = 0; c < classes; c++) {
            const g = grad[i * classes + c];
            expect(g).toBeGreaterThanOrEqual(-1 - 1e-12);
            expect(g).toBeLessThanOrEqual(1 + 1e-12);
            s += g;
          }
          expect(Math.abs(s)).toBeLessThan(1e-9);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('softmax / cross-entropy are invariant to adding a constant to every logit of a row', () => {
    fc.assert(
      fc.property(batch, fc.double({ min: -100, max: 100, noNaN: true }), (b, shift) => {
        const z = Float64Array.from(b.logits, (v) => v / 1e3);
        const shifted = Float64Array.from(z, (v) => v + shift);
        const shape = [b.rows, b.classes];
        const p = softmaxArray(z, shape);
        const q = softmaxArray(shifted, shape);
        for (let k = 0; k < p.length; k++) expect(Math.abs(p[k] - q[k])).toBeLessThan(1e-12);
        const a = crossEntropyArray(z, shape, b.target);
        const c = crossEntropyArray(shifted, shape, b.target);
        expect(Math.abs(a.loss - c.loss)).toBeLessThan(1e-10 * (1 + Math.abs(a.loss)));
      }),
      { numRuns: 200 },
    );
  });

  it('logSoftmax ≤ 0 and exp(logSoftmax) = softmax, for logits up to ±1e4', () => {
    fc.assert(
      fc.property(batch, ({ rows, classes, logits }) => {
        const z = Float64Array.from(logits);
        const ls = logSoftmaxArray(z, [rows, classes]);
        const s = softmaxArray(z, [rows, classes]);
        for (let k = 0; k < z.length; k++) {
          expect(ls[k]).toBeLessThanOrEqual(0);
          expect(Math.abs(Math.exp(ls[k]) - s[k])).toBeLessThan(1e-15);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('BCE with logits: finite, ≥ 0 and gradient σ(x) − y in [−1, 1] for logits up to ±1e4', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -1e4, max: 1e4, noNaN: true }),
            fc.double({ min: 0, max: 1, noNaN: true }),
          ),
          {
            minLength: 1,
            maxLength: 20,
          },
        ),
        (pairs) => {
          const x = Float64Array.from(pairs, ([v]) => v);
          const y = pairs.map(([, t]) => t);
          const { loss, grad } = binaryCrossEntropyWithLogitsArray(x, [x.length], y, { reduction: 'none' });
          for (let k = 0; k < x.length; k++) {
            expect(Number.isFinite(loss[k])).toBe(true);
            expect(loss[k]).toBeGreaterThanOrEqual(0);
            expect(Math.abs(grad[k] - (1 / (1 + Math.exp(-x[k])) - y[k]))).toBeLessThan(1e-12);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
