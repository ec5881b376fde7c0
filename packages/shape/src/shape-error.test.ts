import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { conv2dShape } from './conv-shape.js';
import { convTranspose2dShape } from './conv-transpose-shape.js';
import { pool2dShape } from './pool-shape.js';
import { ShapeError } from './shape-error.js';
import { bruteCeilPool, bruteConv, bruteTranspose } from './test-utils.js';

describe('ShapeError', () => {
  test('is an Error with code, layer, dimension and frozen values', () => {
    const e = new ShapeError('kernelSize must be an integer >= 1, got 0', {
      code: 'invalid-size',
      layer: 'conv1',
      dimension: 2,
      values: { kernelSize: 0 },
    });
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.name).toBe('ShapeError');
    expect(e.code).toBe('invalid-size');
    expect(e.layer).toBe('conv1');
    expect(e.dimension).toBe(2);
    expect(e.values).toEqual({ kernelSize: 0 });
    expect(Object.isFrozen(e.values)).toBe(true);
    expect(e.message).toBe('layer "conv1", dimension 2: kernelSize must be an integer >= 1, got 0');
  });

  test('messages name the argument, the value and what is valid', () => {
    expect(() => conv2dShape([1, 8, 8, 3], { kernelSize: 3, outChannels: 4, dilation: [1, 0] })).toThrow(
      'dimension 2: dilation must be an integer >= 1, got 0',
    );
    expect(() => pool2dShape([1, 8, 8, 3], { kernelSize: 3, padding: 2 })).toThrow(
      'dimension 1: pooling padding 2+2 is larger than half the effective kernel: valid padding is 0..1 per side',
    );
  });
});

/** An integer >= min (the validity rule of every size, stride, dilation and padding). */
const isInt = (x: number, min: number) => Number.isInteger(x) && x >= min;

/**
 * Independent model of the 2-d shape functions: null where the configuration is invalid (so a ShapeError is
 * required), else the output shape, built per dimension from the brute-force window counts.
 */
function model(
  op: 'conv' | 'pool' | 'convTranspose',
  shape: readonly number[],
  kernelSize: readonly number[],
  stride: readonly number[],
  dilation: readonly number[],
  padding: readonly number[],
  outChannels: number,
  groups: number,
  layout: 'channels-last' | 'channels-first',
  ceilMode: boolean,
): number[] | null {
  if (!shape.every((n) => isInt(n, 1))) return null;
  for (let i = 0; i < 2; i++) {
    if (!isInt(kernelSize[i], 1) || !isInt(stride[i], 1) || !isInt(dilation[i], 1) || !isInt(padding[i], 0)) {
      return null;
    }
  }
  const channels = layout === 'channels-last' ? shape[3] : shape[1];
  const spatial = layout === 'channels-last' ? [shape[1], shape[2]] : [shape[2], shape[3]];
  if (op !== 'pool') {
    if (!isInt(outChannels, 1) || !isInt(groups, 1)) return null;
    if (channels % groups !== 0 || outChannels % groups !== 0) return null;
  }
  const out: number[] = [];
  for (let i = 0; i < 2; i++) {
    const [n, k, s, d, p] = [spatial[i], kernelSize[i], stride[i], dilation[i], padding[i]];
    let size: number;
    if (op === 'conv') size = bruteConv(n, k, s, d, p, p);
    else if (op === 'convTranspose') size = bruteTranspose(n, k, s, d, p, p, 0);
    else {
      if (p > Math.floor((d * (k - 1) + 1) / 2)) return null;
      size = ceilMode ? bruteCeilPool(n, k, s, d, p, p) : bruteConv(n, k, s, d, p, p);
    }
    if (size < 1) return null;
    out.push(size);
  }
  const c = op === 'pool' ? channels : outChannels;
  return layout === 'channels-last' ? [shape[0], out[0], out[1], c] : [shape[0], c, out[0], out[1]];
}

describe('malformed options are ShapeErrors, not TypeErrors', () => {
  test.each([
    ['conv2d without options', () => conv2dShape([1, 8, 8, 3], undefined as never)],
    ['pool2d with null options', () => pool2dShape([1, 8, 8, 3], null as never)],
    ['convTranspose2d with a number', () => convTranspose2dShape([1, 8, 8, 3], 3 as never)],
    ['pool2d with ceilMode 1', () => pool2dShape([1, 8, 8, 3], { kernelSize: 2, ceilMode: 1 as never })],
  ])('%s', (_name, call) => {
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(/options must be an object|ceilMode must be true or false, got 1/);
  });
});

describe('property: every invalid N-d configuration throws ShapeError, every valid one gives the brute-force shape', () => {
  // mostly valid values with a 1-in-20 chance of an invalid one each, so that both sides are well covered
  const bad = fc.oneof(fc.integer({ min: -2, max: 0 }), fc.constantFrom(1.5, Number.NaN));
  const positive = fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 9 }), weight: 19 },
    { arbitrary: bad, weight: 1 },
  );
  const nonNegative = fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 3 }), weight: 19 },
    { arbitrary: fc.constantFrom(-1, 0.5), weight: 1 },
  );
  const pair = (a: fc.Arbitrary<number>) => fc.tuple(a, a);
  test('conv2d / pool2d / convTranspose2d over random (often invalid) settings, against an independent model', () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(
        fc.tuple(positive, positive, positive, positive),
        pair(positive),
        pair(positive),
        pair(fc.oneof({ arbitrary: fc.constant(1), weight: 3 }, { arbitrary: positive, weight: 1 })),
        pair(nonNegative),
        positive,
        fc.oneof(
          { arbitrary: fc.constant(1), weight: 6 },
          { arbitrary: fc.integer({ min: 2, max: 4 }), weight: 3 },
          { arbitrary: fc.constantFrom(0, -1), weight: 1 },
        ),
        fc.constantFrom('channels-last' as const, 'channels-first' as const),
        fc.boolean(),
        (shape, kernelSize, stride, dilation, padding, outChannels, groups, layout, ceilMode) => {
          const calls = {
            conv: () =>
              conv2dShape(shape, { kernelSize, stride, dilation, padding, outChannels, groups, layout }),
            pool: () => pool2dShape(shape, { kernelSize, stride, dilation, padding, layout, ceilMode }),
            convTranspose: () =>
              convTranspose2dShape(shape, {
                kernelSize,
                stride,
                dilation,
                padding,
                outChannels,
                groups,
                layout,
              }),
          };
          for (const op of ['conv', 'pool', 'convTranspose'] as const) {
            const args = [shape, kernelSize, stride, dilation, padding, outChannels, groups, layout] as const;
            const expected = model(op, ...args, ceilMode);
            if (expected === null) {
              invalid++;
              expect(calls[op]).toThrow(ShapeError);
            } else {
              valid++;
              expect(calls[op]()).toEqual(expected);
            }
          }
          // 'same' convolution: valid exactly when every size, kernel, stride, dilation and the groups are, and then the
          // spatial sizes are ceil(n / stride) (TensorFlow)
          const geometryOk =
            shape.every((n) => isInt(n, 1)) &&
            [...kernelSize, ...stride, ...dilation].every((x) => isInt(x, 1)) &&
            isInt(outChannels, 1) &&
            isInt(groups, 1) &&
            (layout === 'channels-last' ? shape[3] : shape[1]) % groups === 0 &&
            outChannels % groups === 0;
          const same = () =>
            conv2dShape(shape, {
              kernelSize,
              stride,
              dilation,
              padding: 'same',
              outChannels,
              groups,
              layout,
            });
          if (!geometryOk) expect(same).toThrow(ShapeError);
          else {
            const spatial = layout === 'channels-last' ? [shape[1], shape[2]] : [shape[2], shape[3]];
            const out = spatial.map((n, i) => Math.ceil(n / stride[i]));
            expect(same()).toEqual(
              layout === 'channels-last'
                ? [shape[0], out[0], out[1], outChannels]
                : [shape[0], outChannels, out[0], out[1]],
            );
          }
        },
      ),
      { numRuns: 3000 },
    );
    // the generators really reach both sides
    expect(valid).toBeGreaterThan(300);
    expect(invalid).toBeGreaterThan(300);
  });
});
