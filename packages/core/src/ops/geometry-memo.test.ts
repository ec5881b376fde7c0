import { describe, expect, it } from 'vitest';
import { Tensor } from '../tensor';
import { conv2d } from './conv2d';
import { memoGeometry } from './geometry-memo';
import { avgPool2d, maxPool2d } from './pool2d';

describe('memoGeometry', () => {
  it('resolves once per shape and primitive option values', () => {
    const memo = new Map<string, { n: number }>();
    let calls = 0;
    const resolve = () => ({ n: ++calls });
    const a = memoGeometry(memo, [2, 8, 8, 3], [3, 'same', undefined, true], resolve);
    expect(memoGeometry(memo, [2, 8, 8, 3], [3, 'same', undefined, true], resolve)).toBe(a);
    expect(calls).toBe(1);
    // Any difference in the shape or a value (or its type) is another key.
    for (const [shape, options] of [
      [
        [2, 8, 8, 4],
        [3, 'same', undefined, true],
      ],
      [
        [2, 8, 8, 3],
        [3, 'valid', undefined, true],
      ],
      [
        [2, 8, 8, 3],
        ['3', 'same', undefined, true],
      ],
      [
        [2, 8, 8, 3],
        [3, 'same', 1, true],
      ],
      [
        [2, 8, 8, 3],
        [3, 'same', undefined, false],
      ],
      [
        [2, 8, 83],
        [3, 'same', undefined, true],
      ],
    ] as [number[], unknown[]][]) {
      memoGeometry(memo, shape, options, resolve);
    }
    expect(calls).toBe(7);
  });

  it('resolves every time when an option is an array or an object, and stores nothing when resolve throws', () => {
    const memo = new Map<string, number>();
    let calls = 0;
    const resolve = () => ++calls;
    const pair = [1, 1];
    memoGeometry(memo, [1, 4, 4, 1], [pair], resolve);
    pair[0] = 2; // mutable: the next call must see the new value
    memoGeometry(memo, [1, 4, 4, 1], [pair], resolve);
    memoGeometry(memo, [1, 4, 4, 1], [{ a: 1 }], resolve);
    expect(calls).toBe(3);
    expect(memo.size).toBe(0);
    const fail = () => {
      throw new RangeError('bad');
    };
    expect(() => memoGeometry(memo, [1], [0], fail)).toThrow('bad');
    expect(() => memoGeometry(memo, [1], [0], fail)).toThrow('bad');
    expect(memo.size).toBe(0);
  });

  it('keeps at most 64 entries', () => {
    const memo = new Map<string, number>();
    for (let i = 0; i < 200; i++) memoGeometry(memo, [i], [], () => i);
    expect(memo.size).toBeLessThanOrEqual(64);
    expect(memoGeometry(memo, [199], [], () => -1)).toBe(199);
  });
});

describe('conv2d and pooling with memoized geometries', () => {
  const x = new Tensor(
    new Float32Array(2 * 6 * 6 * 2).map((_, i) => Math.sin(i)),
    [2, 6, 6, 2],
  );
  const w = new Tensor(
    new Float32Array(3 * 3 * 3 * 2).map((_, i) => Math.cos(i)),
    [3, 3, 3, 2],
  );

  it('an invalid option after a valid call with the same text still throws (values are typed in the key)', () => {
    expect(conv2d(x, w, null, { stride: 1, padding: 'same' }).shape).toEqual([2, 6, 6, 3]);
    expect(() => conv2d(x, w, null, { stride: '1' as unknown as number, padding: 'same' })).toThrow(/stride/);
    expect(maxPool2d(x, { kernelSize: 2 }).shape).toEqual([2, 3, 3, 2]);
    expect(() => maxPool2d(x, { kernelSize: '2' as unknown as number })).toThrow(/kernelSize/);
    expect(() => maxPool2d(x, { kernelSize: 2, ceilMode: 1 as unknown as boolean })).toThrow(/ceilMode/);
  });

  it('repeated and mutated-tuple calls give the geometry of their own arguments', () => {
    const first = conv2d(x, w, null, { stride: 2, padding: 1 });
    expect(conv2d(x, w, null, { stride: 2, padding: 1 }).data).toEqual(first.data);
    const stride: [number, number] = [1, 1];
    expect(conv2d(x, w, null, { stride, padding: 1 }).shape).toEqual([2, 6, 6, 3]);
    stride[1] = 2;
    expect(conv2d(x, w, null, { stride, padding: 1 }).shape).toEqual([2, 6, 3, 3]);
    expect(avgPool2d(x, { kernelSize: 3, stride: 3 }).shape).toEqual([2, 2, 2, 2]);
    expect(maxPool2d(x, { kernelSize: 3, stride: 3 }).shape).toEqual([2, 2, 2, 2]);
  });
});
