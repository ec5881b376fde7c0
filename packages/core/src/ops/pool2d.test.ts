import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { tensor } from '../creation';
import { ValueError } from '../errors';
import { Rng } from '../rng';
import { ShapeError } from '../shape-error';
import { randn64, testRng } from '../test-utils';
import { gradcheck } from '../testing';
import { dropout } from './dropout';
import { avgPool2d, maxPool2d } from './pool2d';
import { sum } from './reduce';

const rng = testRng(5);
const x33 = () => tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [1, 3, 3, 1], dtype: 'float64' });

describe('maxPool2d', () => {
  test('forward by hand and gradient routed to the argmax', () => {
    const x = tensor([1, 5, 2, 0, 3, 4, 8, 1, 6, 7, 9, 2, 0, 1, 2, 3], {
      shape: [1, 4, 4, 1],
      requiresGrad: true,
    });
    const y = maxPool2d(x, { kernelSize: 2 });
    expect(y.toArray()).toEqual([
      [
        [[5], [8]],
        [[7], [9]],
      ],
    ]);
    sum(y).backward();
    expect(x.grad?.toArray()).toEqual(
      tensor([0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0], { shape: [1, 4, 4, 1] }).toArray(),
    );
  });

  test('padding and ceilMode shapes (PyTorch rules)', () => {
    expect(maxPool2d(x33(), { kernelSize: 2, stride: 1, padding: 1 }).shape).toEqual([1, 4, 4, 1]);
    expect(maxPool2d(x33(), { kernelSize: 2, ceilMode: true }).toArray()).toEqual([
      [
        [[5], [6]],
        [[8], [9]],
      ],
    ]);
  });

  test('gradcheck (random values have no ties)', () => {
    gradcheck((t) => maxPool2d(t, { kernelSize: 2 }), [randn64([2, 4, 6, 3], rng)]);
    gradcheck((t) => maxPool2d(t, { kernelSize: 3, stride: 2, padding: 1 }), [randn64([1, 5, 5, 2], rng)]);
    gradcheck(
      (t) => maxPool2d(t, { kernelSize: [2, 3], stride: [1, 2], dilation: [2, 1], ceilMode: true }),
      [randn64([2, 5, 7, 2], rng)],
    );
  });

  test('typed errors', () => {
    expect(() => maxPool2d(randn64([3, 3, 1], rng), { kernelSize: 2 })).toThrow(ShapeError);
    expect(() => maxPool2d(x33(), { kernelSize: 2, padding: 2 })).toThrow(ShapeError);
    expect(() => maxPool2d(x33(), { kernelSize: 4 })).toThrow(ShapeError);
    // @hw3/shape's errors are rethrown naming the op, keeping code and dimension (1 = H in NHWC)
    let err: unknown;
    try {
      avgPool2d(x33(), { kernelSize: [2, 0] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as ShapeError).message).toMatch(
      /^layer "avgPool2d", dimension 2: kernelSize must be an integer >= 1, got 0/,
    );
    expect((err as ShapeError).layer).toBe('avgPool2d');
    expect((err as ShapeError).dimension).toBe(2);
    expect(() => maxPool2d(x33(), {} as never)).toThrow(ValueError);
  });
});

describe('avgPool2d', () => {
  test('count_include_pad = true (PyTorch default) vs false', () => {
    const incl = avgPool2d(x33(), { kernelSize: 2, stride: 1, padding: 1 });
    const excl = avgPool2d(x33(), { kernelSize: 2, stride: 1, padding: 1, countIncludePad: false });
    expect(incl.shape).toEqual([1, 4, 4, 1]);
    // corner window holds three padding zeros and x[0,0] = 1
    expect(incl.data[0]).toBe(0.25);
    expect(excl.data[0]).toBe(1);
    // interior window [1,2;4,5]
    expect(incl.data[5]).toBe(3);
    expect(excl.data[5]).toBe(3);
  });

  test('ceil mode with padding: PyTorch divisors (window clipped to the padded input, or to the input)', () => {
    // 4×4 input 0..15, kernel 3, stride 2, padding 1, ceil_mode → 3×3. Divisors from PyTorch's algorithm:
    // pool_size = (min(hs + k, H + p) − hs)·(…) with count_include_pad, else the in-input tap count.
    const x = tensor(
      Array.from({ length: 16 }, (_, i) => i),
      { shape: [1, 4, 4, 1], dtype: 'float64' },
    );
    const opts = { kernelSize: 3, stride: 2, padding: 1, ceilMode: true };
    const sums = [10, 24, 10, 51, 90, 33, 25, 42, 15];
    const incl = [9, 9, 6, 9, 9, 6, 6, 6, 4];
    const excl = [4, 6, 2, 6, 9, 3, 2, 3, 1];
    const yIncl = Array.from(avgPool2d(x, opts).data);
    const yExcl = Array.from(avgPool2d(x, { ...opts, countIncludePad: false }).data);
    sums.forEach((s, i) => {
      expect(yIncl[i]).toBeCloseTo(s / incl[i], 14);
      expect(yExcl[i]).toBeCloseTo(s / excl[i], 14);
    });
  });

  test('ceil mode: a window hanging past the input divides by its in-input taps', () => {
    const x = tensor([1, 2, 3, 4, 5], { shape: [1, 1, 5, 1] });
    expect(avgPool2d(x, { kernelSize: [1, 2], ceilMode: true }).toArray()).toEqual([[[[1.5], [3.5], [5]]]]);
  });

  test('gradcheck', () => {
    gradcheck((t) => avgPool2d(t, { kernelSize: 2 }), [randn64([2, 4, 4, 3], rng)]);
    gradcheck((t) => avgPool2d(t, { kernelSize: 3, stride: 2, padding: 1 }), [randn64([1, 5, 6, 2], rng)]);
    gradcheck(
      (t) => avgPool2d(t, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false, ceilMode: true }),
      [randn64([1, 6, 6, 2], rng)],
    );
    gradcheck(
      (t) => avgPool2d(t, { kernelSize: 2, padding: 'same', stride: 1 }),
      [randn64([1, 3, 4, 1], rng)],
    );
  });
});

describe('dropout', () => {
  test('inverted scaling, rate, determinism by seed', () => {
    const x = tensor(new Float64Array(10000).fill(1), { shape: [100, 100] });
    const y = dropout(x, 0.3, { training: true, rng: new Rng(1) });
    let zeros = 0;
    for (const v of y.data) {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(1 / 0.7, 12);
    }
    expect(zeros / 10000).toBeGreaterThan(0.27);
    expect(zeros / 10000).toBeLessThan(0.33);
    const y2 = dropout(x, 0.3, { training: true, rng: new Rng(1) });
    expect(Array.from(y2.data)).toEqual(Array.from(y.data));
  });

  test('eval and p = 0 return x; p = 1 gives zeros; bad p is a ValueError', () => {
    const x = randn64([3, 3], rng);
    expect(dropout(x, 0.5, { training: false })).toBe(x);
    expect(dropout(x, 0, { training: true })).toBe(x);
    expect(Array.from(dropout(x, 1, { training: true }).data).every((v) => v === 0)).toBe(true);
    expect(() => dropout(x, 1.5)).toThrow(ValueError);
    expect(() => dropout(x, Number.NaN)).toThrow(ValueError);
  });

  test('gradient uses the same mask (gradcheck with a fixed-seed fn)', () => {
    const x = randn64([4, 5], rng);
    gradcheck((t) => dropout(t, 0.4, { training: true, rng: new Rng(3) }), [x]);
  });
});

describe('pooling over random geometries (property)', () => {
  test('max and avg forward equal direct loops; gradcheck passes', () => {
    const geometry = fc.record({
      n: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 7 }),
      w: fc.integer({ min: 1, max: 7 }),
      c: fc.integer({ min: 1, max: 3 }),
      kH: fc.integer({ min: 1, max: 3 }),
      kW: fc.integer({ min: 1, max: 3 }),
      sH: fc.integer({ min: 1, max: 3 }),
      sW: fc.integer({ min: 1, max: 3 }),
      pH: fc.integer({ min: 0, max: 1 }),
      pW: fc.integer({ min: 0, max: 1 }),
      ceilMode: fc.boolean(),
      countIncludePad: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(geometry, (g) => {
        fc.pre(g.pH <= Math.floor(g.kH / 2) && g.pW <= Math.floor(g.kW / 2));
        const size = (n: number, k: number, s: number, p: number) => {
          let o = Math.floor((n + 2 * p - k + (g.ceilMode ? s - 1 : 0)) / s) + 1;
          if (g.ceilMode && (o - 1) * s >= n + p) o--;
          return o;
        };
        const outH = size(g.h, g.kH, g.sH, g.pH);
        const outW = size(g.w, g.kW, g.sW, g.pW);
        fc.pre(outH >= 1 && outW >= 1);
        const x = randn64([g.n, g.h, g.w, g.c], new Rng(g.seed));
        const opts = {
          kernelSize: [g.kH, g.kW] as [number, number],
          stride: [g.sH, g.sW] as [number, number],
          padding: [g.pH, g.pW],
          ceilMode: g.ceilMode,
        };
        const mx = maxPool2d(x, opts);
        const av = avgPool2d(x, { ...opts, countIncludePad: g.countIncludePad });
        expect(mx.shape).toEqual([g.n, outH, outW, g.c]);
        for (let n = 0; n < g.n; n++)
          for (let oh = 0; oh < outH; oh++)
            for (let ow = 0; ow < outW; ow++)
              for (let c = 0; c < g.c; c++) {
                // PyTorch: window [start, start + k) clipped to the padded input for the divisor, to the input for values
                const h0 = oh * g.sH - g.pH;
                const w0 = ow * g.sW - g.pW;
                const hEndPad = Math.min(h0 + g.kH, g.h + g.pH);
                const wEndPad = Math.min(w0 + g.kW, g.w + g.pW);
                let best = Number.NEGATIVE_INFINITY;
                let total = 0;
                let inside = 0;
                for (let ih = Math.max(h0, 0); ih < Math.min(h0 + g.kH, g.h); ih++)
                  for (let iw = Math.max(w0, 0); iw < Math.min(w0 + g.kW, g.w); iw++) {
                    const v = x.data[((n * g.h + ih) * g.w + iw) * g.c + c];
                    best = Math.max(best, v);
                    total += v;
                    inside++;
                  }
                const divisor = g.countIncludePad ? (hEndPad - h0) * (wEndPad - w0) : inside;
                const o = ((n * outH + oh) * outW + ow) * g.c + c;
                expect(mx.data[o]).toBe(best);
                expect(av.data[o]).toBeCloseTo(total / divisor, 12);
              }
        gradcheck((t) => maxPool2d(t, opts), [x]);
        gradcheck((t) => avgPool2d(t, { ...opts, countIncludePad: g.countIncludePad }), [x]);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
