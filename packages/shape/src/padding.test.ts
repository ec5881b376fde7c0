import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { convOutputSize } from './output-size.js';
import { resolvePadding, samePadding } from './padding.js';
import { ShapeError } from './shape-error.js';

describe('samePadding (TensorFlow rule)', () => {
  // From the TensorFlow docs "Notes on padding" (tf.nn): out = ceil(in / stride),
  // pad_total = max((out − 1)·stride + filter − in, 0), pad_before = floor(pad_total / 2), the rest after.
  test.each([
    ['MNIST 3×3/1 on 28', 28, 3, 1, 1, [1, 1]],
    ['ResNet-style 7×7/2 on 224 (odd total goes after)', 224, 7, 2, 1, [2, 3]],
    ['2×2/2 on 5', 5, 2, 2, 1, [0, 1]],
    ['3×3/2 on 4', 4, 3, 2, 1, [0, 1]],
    ['1×1/3 needs none', 7, 1, 3, 1, [0, 0]],
    ['3×3 dilation 2 on 10', 10, 3, 1, 2, [2, 2]],
    ['even kernel 4×4/1 on 6', 6, 4, 1, 1, [1, 2]],
  ])('%s', (_name, n, k, s, d, expected) => {
    expect(samePadding(n, k, s, d)).toEqual(expected);
  });

  test("property: 'same' gives out = ceil(n / stride), and padding after >= before", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        (n, k, s, d) => {
          const [before, after] = samePadding(n, k, s, d);
          expect(after - before === 0 || after - before === 1).toBe(true);
          expect(convOutputSize(n, k, { stride: s, dilation: d, padding: [before, after] })).toBe(
            Math.ceil(n / s),
          );
          expect(convOutputSize(n, k, { stride: s, dilation: d, padding: 'same' })).toBe(Math.ceil(n / s));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('resolvePadding', () => {
  const geometry = { inputSize: [28, 30], kernelSize: [3, 4], stride: [1, 2] };
  test('all accepted forms', () => {
    expect(resolvePadding(2, geometry)).toEqual([
      [2, 2],
      [2, 2],
    ]);
    expect(resolvePadding([1, 0], geometry)).toEqual([
      [1, 1],
      [0, 0],
    ]);
    expect(
      resolvePadding(
        [
          [0, 1],
          [2, 3],
        ],
        geometry,
      ),
    ).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(resolvePadding([1, [0, 2]], geometry)).toEqual([
      [1, 1],
      [0, 2],
    ]);
    expect(resolvePadding('valid', geometry)).toEqual([
      [0, 0],
      [0, 0],
    ]);
    // 30 / 2 → 15 outputs: total = 14·2 + 4 − 30 = 2
    expect(resolvePadding('same', geometry)).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });

  test.each([
    ['wrong length', [1, 1, 1], 'rank-mismatch'],
    ['negative', -1, 'invalid-padding'],
    ['fraction in a pair', [[0.5, 1], 0], 'invalid-padding'],
    ['three-element entry', [[1, 1, 1], 0], 'invalid-padding'],
    ['unknown rule', 'full', 'invalid-padding'],
  ])('rejects %s', (_name, padding, code) => {
    try {
      resolvePadding(padding as never, geometry);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ShapeError);
      expect((error as ShapeError).code).toBe(code);
    }
  });

  test('a 1-d [before, after] written without nesting gets a hint', () => {
    expect(() => resolvePadding([1, 2], { inputSize: [10], kernelSize: 3 })).toThrow('[[before, after]]');
  });
});

describe('resolvePadding geometry that is not an object (found by apps/fuzz)', () => {
  test.each([undefined, null, 4, { inputSize: 4 }])('geometry %j is a ShapeError, not a TypeError', (bad) => {
    expect(() => resolvePadding('same', bad as never)).toThrow(ShapeError);
    expect(() => resolvePadding('same', bad as never)).toThrow(/geometry must be an object/);
  });
});
