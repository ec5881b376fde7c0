import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { conv2dShape } from './conv-shape.js';
import { convTranspose2dShape } from './conv-transpose-shape.js';
import { pool2dShape } from './pool-shape.js';
import { ShapeError } from './shape-error.js';

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

describe('property: every invalid N-d configuration throws ShapeError, valid ones give sizes >= 1', () => {
  const small = fc.integer({ min: -2, max: 9 });
  test('conv2d / pool2d / convTranspose2d over random (often invalid) settings', () => {
    fc.assert(
      fc.property(
        fc.tuple(small, small, small, small),
        fc.tuple(small, small),
        fc.tuple(small, small),
        fc.tuple(small, small),
        fc.tuple(small, small),
        fc.integer({ min: -1, max: 9 }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom('channels-last' as const, 'channels-first' as const),
        (shape, kernelSize, stride, dilation, padding, outChannels, groups, layout) => {
          const calls = [
            () => conv2dShape(shape, { kernelSize, stride, dilation, padding, outChannels, groups, layout }),
            () =>
              conv2dShape(shape, {
                kernelSize,
                stride,
                dilation,
                padding: 'same',
                outChannels,
                groups,
                layout,
              }),
            () =>
              pool2dShape(shape, {
                kernelSize,
                stride,
                dilation,
                padding,
                layout,
                ceilMode: groups % 2 === 1,
              }),
            () =>
              convTranspose2dShape(shape, {
                kernelSize,
                stride,
                dilation,
                padding,
                outChannels,
                groups,
                layout,
              }),
          ];
          for (const call of calls) {
            let out: number[];
            try {
              out = call();
            } catch (error) {
              expect(error).toBeInstanceOf(ShapeError);
              continue;
            }
            expect(out).toHaveLength(4);
            for (const size of out) {
              expect(Number.isInteger(size)).toBe(true);
              expect(size).toBeGreaterThanOrEqual(1);
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
