import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { tensor } from '../creation';
import { ValueError } from '../errors';
import { AvgPool2d, MaxPool2d } from '../nn/layers';
import { Rng } from '../rng';
import { ShapeError } from '../shape-error';
import { randn64, testRng } from '../test-utils';
import { gradcheck } from '../testing';
import { dropout } from './dropout';
import { avgPool2d, maxPool2d, maxPool2dGeometry } from './pool2d';
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

/** x[n,h,w,c] = (37·i) mod 101 with i the NHWC flat index: integers without ties inside any window. */
const mod101 = (shape: number[]) =>
  tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i * 37) % 101),
    { shape, dtype: 'float64' },
  );

describe('maxPool2d returnIndices (PyTorch return_indices=True)', () => {
  test("PyTorch's documented example (MaxUnpool2d docs): indices are h·W + w within each plane", () => {
    const x = tensor(
      Array.from({ length: 16 }, (_, i) => i + 1),
      { shape: [1, 4, 4, 1] },
    );
    const { output, indices } = maxPool2d(x, { kernelSize: 2, stride: 2, returnIndices: true });
    expect(Array.from(output.data)).toEqual([6, 8, 14, 16]);
    expect(Array.from(indices)).toEqual([5, 7, 13, 15]);
    // without the option the op returns the tensor itself, unchanged
    expect(Array.from(maxPool2d(x, { kernelSize: 2 }).data)).toEqual([6, 8, 14, 16]);
  });

  test('hand-computed: two channels, two images: the plane index ignores n and c', () => {
    // [1, 2, 2, 2]: channel 0 = [1, 9; 3, 4] (max at h=0,w=1 → 1), channel 1 = [8, 2; 7, 5] (max at 0 → 0)
    const one = [1, 8, 9, 2, 3, 7, 4, 5];
    // second image: channel 0 = [0, 0; 0, 5] (max at h=1,w=1 → 3), channel 1 = [1, 2; 6, 3] (max at h=1,w=0 → 2)
    const two = [0, 1, 0, 2, 0, 6, 5, 3];
    const x = tensor([...one, ...two], { shape: [2, 2, 2, 2] });
    const { output, indices } = maxPool2d(x, { kernelSize: 2, returnIndices: true });
    expect(output.shape).toEqual([2, 1, 1, 2]);
    expect(Array.from(output.data)).toEqual([9, 8, 5, 6]);
    expect(Array.from(indices)).toEqual([1, 0, 3, 2]);
    // ties: the first maximum in row-major window order (PyTorch: [[3, 3], [1, 3]] → index 0)
    const tie = maxPool2d(tensor([3, 3, 1, 3], { shape: [1, 2, 2, 1] }), {
      kernelSize: 2,
      returnIndices: true,
    });
    expect(Array.from(tie.indices)).toEqual([0]);
  });

  // Produced with PyTorch 1.13 (/usr/bin/python3): x = the NHWC tensor mod101([2, 5, 6, 3]) permuted to NCHW,
  // y, i = F.max_pool2d(x, return_indices=True, **opts), both permuted back to NHWC and flattened.
  test("random-looking data with padding, ceil mode, dilation: PyTorch's values and indices", () => {
    const x = mod101([2, 5, 6, 3]);
    const a = maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, returnIndices: true });
    expect(a.output.shape).toEqual([2, 3, 4, 3]);
    expect(Array.from(a.output.data)).toEqual([
      70, 97, 84, 90, 67, 94, 100, 87, 83, 50, 87, 83, 89, 97, 93, 99, 86, 82, 100, 96, 92, 69, 65, 83, 89,
      85, 62, 99, 95, 82, 88, 65, 92, 88, 65, 61, 98, 94, 81, 87, 64, 91, 97, 84, 80, 47, 84, 80, 86, 94, 100,
      96, 83, 100, 97, 93, 99, 66, 62, 99, 86, 82, 59, 96, 92, 79, 85, 62, 99, 85, 62, 99,
    ]);
    expect(Array.from(a.indices)).toEqual([
      7, 6, 1, 9, 3, 2, 10, 5, 11, 5, 5, 11, 19, 6, 12, 20, 15, 21, 10, 16, 22, 17, 23, 11, 19, 25, 19, 20,
      26, 21, 29, 23, 22, 29, 23, 29, 0, 6, 1, 9, 3, 2, 10, 5, 11, 5, 5, 11, 19, 6, 13, 20, 15, 13, 10, 16,
      23, 17, 23, 23, 19, 25, 19, 20, 26, 21, 29, 23, 23, 29, 23, 23,
    ]);
    const b = maxPool2d(x, {
      kernelSize: [2, 3],
      stride: [1, 2],
      padding: [1, 0],
      dilation: [2, 1],
      returnIndices: true,
    });
    expect(b.output.shape).toEqual([2, 5, 2, 3]);
    expect(Array.from(b.output.data)).toEqual([
      80, 97, 53, 100, 36, 73, 39, 76, 94, 59, 96, 94, 99, 97, 72, 100, 55, 92, 58, 95, 93, 78, 96, 51, 99,
      35, 72, 99, 55, 92, 77, 94, 50, 97, 33, 70, 98, 73, 100, 56, 93, 91, 96, 94, 69, 97, 52, 89, 55, 92,
      100, 75, 93, 48, 96, 32, 69, 96, 52, 89,
    ]);
    expect(Array.from(b.indices)).toEqual([
      8, 6, 8, 10, 10, 10, 14, 14, 2, 16, 16, 2, 20, 6, 20, 10, 22, 22, 26, 26, 12, 28, 16, 28, 20, 20, 20,
      20, 22, 22, 8, 6, 8, 10, 10, 10, 0, 14, 13, 16, 16, 2, 20, 6, 20, 10, 22, 22, 26, 26, 13, 28, 16, 28,
      20, 20, 20, 20, 22, 22,
    ]);
  });

  test('indices agree with where the gradient lands; the output still has its gradient', () => {
    const x = randn64([2, 5, 7, 3], rng);
    x.requiresGrad = true;
    const { output, indices } = maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, returnIndices: true });
    sum(output).backward();
    const [, H, W, C] = x.shape;
    const hits = new Float64Array(x.size);
    for (let i = 0; i < indices.length; i++) {
      const c = i % C;
      const n = Math.floor(i / (output.shape[1] * output.shape[2] * C));
      hits[(n * H * W + indices[i]) * C + c] += 1;
    }
    expect(Array.from(x.grad?.data ?? [])).toEqual(Array.from(hits));
    gradcheck(
      (t) => maxPool2d(t, { kernelSize: 3, stride: 2, padding: 1, returnIndices: true }).output,
      [randn64([1, 5, 5, 2], rng)],
    );
  });

  test('MaxPool2d layer: returnIndices keeps the last indices; forwardWithIndices; typed errors', () => {
    const x = tensor(
      Array.from({ length: 16 }, (_, i) => i + 1),
      { shape: [1, 4, 4, 1] },
    );
    const layer = new MaxPool2d(2, { returnIndices: true });
    expect(layer.indices).toBeNull();
    expect(Array.from(layer.forward(x).data)).toEqual([6, 8, 14, 16]);
    expect(Array.from(layer.indices ?? [])).toEqual([5, 7, 13, 15]);
    const plain = new MaxPool2d(2);
    expect(Array.from(plain.forwardWithIndices(x).indices)).toEqual([5, 7, 13, 15]);
    plain.forward(x);
    expect(plain.indices).toBeNull();
    expect(() => new MaxPool2d(2, { returnIndices: 1 as never })).toThrow(
      /MaxPool2d: options.returnIndices must be a boolean, got number 1/,
    );
    expect(() => maxPool2d(x, { kernelSize: 2, returnIndices: 'yes' as never })).toThrow(ValueError);
  });
});

describe('avgPool2d divisorOverride (PyTorch divisor_override)', () => {
  test('hand-computed: the sum divided by the override, whatever countIncludePad', () => {
    const y = avgPool2d(x33(), { kernelSize: 2, stride: 1, divisorOverride: 2 });
    expect(Array.from(y.data)).toEqual([6, 8, 12, 14]); // window sums 12, 16, 24, 28
    const padded = avgPool2d(x33(), { kernelSize: 2, stride: 1, padding: 1, divisorOverride: 5 });
    expect(padded.data[0]).toBe(1 / 5); // corner window: three padding zeros and x[0,0] = 1
    expect(
      Array.from(
        avgPool2d(x33(), { kernelSize: 2, stride: 1, padding: 1, divisorOverride: 5, countIncludePad: false })
          .data,
      ),
    ).toEqual(Array.from(padded.data));
  });

  // Produced with PyTorch 1.13 (/usr/bin/python3), float64: x = mod101(shape) permuted to NCHW,
  // F.avg_pool2d(x, **opts) permuted back to NHWC and flattened; the gradient of y.sum() likewise.
  test("PyTorch's values with ceil mode and padding", () => {
    const x = mod101([2, 5, 6, 3]);
    const y = avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, divisorOverride: 4 });
    expect(y.shape).toEqual([2, 3, 4, 3]);
    expect(Array.from(y.data)).toEqual([
      35.0, 46.75, 58.5, 75.0, 54.75, 85.0, 79.75, 84.75, 64.5, 14.75, 33.25, 26.5, 86.5, 66.25, 71.25,
      138.25, 95.25, 102.75, 107.5, 115.0, 122.5, 26.5, 29.0, 31.5, 63.5, 50.0, 36.5, 92.5, 72.25, 77.25,
      72.0, 51.75, 82.0, 29.0, 22.25, 15.5, 57.25, 43.75, 55.5, 70.5, 50.25, 80.5, 75.25, 80.25, 60.0, 13.25,
      31.75, 25.0, 82.0, 61.75, 92.0, 131.5, 88.5, 121.25, 100.75, 108.25, 141.0, 24.25, 26.75, 54.5, 60.5,
      47.0, 33.5, 88.0, 67.75, 72.75, 67.5, 47.25, 102.75, 27.5, 20.75, 39.25,
    ]);
    const small = mod101([1, 3, 4, 2]);
    small.requiresGrad = true;
    const z = avgPool2d(small, {
      kernelSize: 2,
      stride: 2,
      padding: 1,
      divisorOverride: 3,
      countIncludePad: false,
    });
    expect(z.shape).toEqual([1, 2, 3, 2]);
    const torchValues = [
      0.0, 12.333333333333334, 40.333333333333336, 31.333333333333332, 6.666666666666667, 19.0,
      60.333333333333336, 17.666666666666668, 66.66666666666667, 82.33333333333333, 6.333333333333333, 31.0,
    ];
    Array.from(z.data).forEach((v, i) => {
      expect(v).toBeCloseTo(torchValues[i], 13);
    });
    sum(z).backward();
    // PyTorch's x.grad: 1/3 everywhere (each input is in exactly one window)
    for (const g of small.grad?.data ?? []) expect(g).toBeCloseTo(0.3333333333333333, 15);
  });

  test('gradcheck (float64), forward and backward share the divisor', () => {
    gradcheck((t) => avgPool2d(t, { kernelSize: 2, divisorOverride: 3 }), [randn64([2, 4, 4, 3], rng)]);
    gradcheck(
      (t) => avgPool2d(t, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, divisorOverride: 7 }),
      [randn64([1, 6, 5, 2], rng)],
    );
    gradcheck(
      (t) => avgPool2d(t, { kernelSize: [2, 3], stride: 1, dilation: [1, 2], divisorOverride: 1 }),
      [randn64([1, 4, 6, 1], rng)],
    );
  });

  test('AvgPool2d layer passes it through and checks it at construction', () => {
    const layer = new AvgPool2d(2, { stride: 1, divisorOverride: 2 });
    expect(Array.from(layer.forward(x33()).data)).toEqual([6, 8, 12, 14]);
    expect(() => new AvgPool2d(2, { divisorOverride: 0 })).toThrow(
      /^AvgPool2d: options.divisorOverride must be an integer in \[1, 2147483647\]/,
    );
  });

  test('typed errors name the option, the value and what is valid', () => {
    for (const bad of [0, -2, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '2', null]) {
      expect(() => avgPool2d(x33(), { kernelSize: 2, divisorOverride: bad as never })).toThrow(
        /^avgPool2d: options.divisorOverride must be an integer in \[1, 2147483647\] \(PyTorch's divisor_override\), got /,
      );
    }
    expect(() => avgPool2d(x33(), { kernelSize: 2, divisorOverride: 0 })).toThrow(ValueError);
    expect(() => avgPool2d(x33(), { kernelSize: 2, countIncludePad: 'no' as never })).toThrow(
      /avgPool2d: options.countIncludePad must be a boolean, got string "no"/,
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

describe('maxPool2dGeometry: the geometry maxPool2d pools with', () => {
  test('sizes, defaults and padding as maxPool2d; its errors; returnIndices rejected', () => {
    const x = tensor(new Float32Array(2 * 7 * 6 * 3), { shape: [2, 7, 6, 3] });
    const g = maxPool2dGeometry(x, { kernelSize: 3, stride: 2, padding: 1 });
    expect(g).toMatchObject({ batch: 2, inH: 7, inW: 6, channels: 3, kH: 3, kW: 3, strideH: 2, strideW: 2 });
    expect([g.outH, g.outW, g.padTop, g.padLeft]).toEqual([4, 3, 1, 1]);
    expect(maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }).shape).toEqual([2, g.outH, g.outW, 3]);
    expect(maxPool2dGeometry(x, { kernelSize: 2 })).toMatchObject({
      outH: 3,
      outW: 3,
      strideH: 2,
      dilationW: 1,
    });
    expect(() => maxPool2dGeometry(tensor([1, 2]), { kernelSize: 2 })).toThrow(ShapeError);
    expect(() => maxPool2dGeometry(x, { kernelSize: 9 })).toThrow(ShapeError);
    expect(() => maxPool2dGeometry(x, { kernelSize: 2, returnIndices: true } as never)).toThrow(
      /returnIndices/,
    );
    expect(maxPool2dGeometry(x, { kernelSize: 2, returnIndices: false } as never).outH).toBe(3);
  });
});
