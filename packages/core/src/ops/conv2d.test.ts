import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { tensor } from '../creation';
import { ValueError } from '../errors';
import { getKernels, setKernels, tsKernels } from '../kernels/index';
import { Rng } from '../rng';
import { ShapeError } from '../shape-error';
import type { Tensor } from '../tensor';
import { randn64, testRng } from '../test-utils';
import { gradcheck } from '../testing';
import { type Conv2dOptions, conv2d } from './conv2d';
import { sum } from './reduce';

const rng = testRng(21);

/** Direct-loop reference convolution (NHWC, OHWI), explicit top/left padding. */
function naiveConv(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  outH: number,
  outW: number,
  s: [number, number],
  padTL: [number, number],
  d: [number, number],
  groups: number,
): Float64Array {
  const [N, H, W, C] = x.shape;
  const [O, kH, kW, icpg] = w.shape;
  const ocpg = O / groups;
  const out = new Float64Array(N * outH * outW * O);
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let o = 0; o < O; o++) {
          const grp = Math.floor(o / ocpg);
          let acc = b === null ? 0 : b.data[o];
          for (let kh = 0; kh < kH; kh++)
            for (let kw = 0; kw < kW; kw++) {
              const ih = oh * s[0] - padTL[0] + kh * d[0];
              const iw = ow * s[1] - padTL[1] + kw * d[1];
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              for (let i = 0; i < icpg; i++)
                acc +=
                  x.data[((n * H + ih) * W + iw) * C + grp * icpg + i] *
                  w.data[((o * kH + kh) * kW + kw) * icpg + i];
            }
          out[((n * outH + oh) * outW + ow) * O + o] = acc;
        }
  return out;
}

describe('conv2d', () => {
  test('hand-computed 3×3 input, 2×2 kernel', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [1, 3, 3, 1] });
    const w = tensor([1, 0, 0, -1], { shape: [1, 2, 2, 1] });
    // out[i][j] = x[i][j] - x[i+1][j+1] = -4 everywhere
    expect(conv2d(x, w, null).toArray()).toEqual([
      [
        [[-4], [-4]],
        [[-4], [-4]],
      ],
    ]);
    const b = tensor([10]);
    expect(conv2d(x, w, b, { padding: 'same' }).shape).toEqual([1, 3, 3, 1]);
  });

  test('hand-computed groups 2, stride [1, 2], dilation [2, 1], padding 1, bias (PyTorch NCHW definition)', () => {
    // Expected values computed outside hw3 from PyTorch's definition on NCHW / OIHW arrays
    // (x.permute(0, 3, 1, 2), w.permute(0, 3, 1, 2)), then permuted back to NHWC.
    const x = tensor(
      Array.from({ length: 40 }, (_, i) => i),
      { shape: [1, 4, 5, 2], dtype: 'float64' },
    );
    const w = tensor(
      Array.from({ length: 16 }, (_, i) => i - 8),
      { shape: [4, 2, 2, 1], dtype: 'float64' },
    );
    const b = tensor([1, 2, 3, 4], { dtype: 'float64' });
    const y = conv2d(x, w, b, { groups: 2, stride: [1, 2], dilation: [2, 1], padding: 1 });
    expect(y.shape).toEqual([1, 4, 3, 4]);
    expect(Array.from(y.data)).toEqual([
      -49, -8, 36, 81, -141, -36, 74, 187, -185, -48, 94, 239, -99, -18, 67, 156, -295, -86, 129, 354, -399,
      -126, 153, 442, -219, -58, 107, 276, -555, -186, 189, 574, -659, -226, 213, 662, -139, -58, 24, 109,
      -343, -158, 28, 221, -403, -186, 32, 257,
    ]);
  });

  const cases: Array<[string, number[], number[], Conv2dOptions, number[]]> = [
    ['plain', [2, 5, 4, 3], [4, 3, 2, 3], {}, [2, 3, 3, 4]],
    ['stride 2, padding 1', [1, 6, 5, 2], [3, 3, 3, 2], { stride: 2, padding: 1 }, [1, 3, 3, 3]],
    [
      'stride pair, padding pair',
      [2, 5, 6, 2],
      [2, 2, 3, 2],
      { stride: [1, 2], padding: [1, 0] },
      [2, 6, 2, 2],
    ],
    [
      'explicit pairs',
      [1, 4, 4, 1],
      [2, 3, 3, 1],
      {
        padding: [
          [1, 0],
          [0, 2],
        ],
      },
      [1, 3, 4, 2],
    ],
    ['dilation 2', [1, 7, 6, 2], [2, 3, 2, 2], { dilation: 2 }, [1, 3, 4, 2]],
    ["'same', stride 2", [2, 5, 5, 2], [3, 3, 3, 2], { padding: 'same', stride: 2 }, [2, 3, 3, 3]],
    ["'valid'", [1, 4, 4, 2], [2, 3, 3, 2], { padding: 'valid' }, [1, 2, 2, 2]],
    ['groups 2', [2, 4, 4, 4], [6, 3, 3, 2], { groups: 2, padding: 1 }, [2, 4, 4, 6]],
    [
      'depthwise (groups = inC), multiplier 2',
      [1, 5, 5, 3],
      [6, 3, 3, 1],
      { groups: 3, stride: 2 },
      [1, 2, 2, 6],
    ],
    ['1×1 pointwise', [2, 3, 3, 4], [5, 1, 1, 4], {}, [2, 3, 3, 5]],
  ];
  for (const [name, xs, ws, opts, outShape] of cases) {
    test(`${name}: forward matches direct loops and gradcheck passes`, () => {
      const x = randn64(xs, rng);
      const w = randn64(ws, rng);
      const b = randn64([ws[0]], rng);
      const y = conv2d(x, w, b, opts);
      expect(y.shape).toEqual(outShape);
      // Padding top/left the op must have used: recompute it the obvious way.
      const pair = (v: number | readonly [number, number] | undefined, dflt: number): [number, number] =>
        v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
      const s = pair(opts.stride, 1);
      const d = pair(opts.dilation, 1);
      let padTL: [number, number];
      const p = opts.padding ?? 0;
      if (p === 'valid') padTL = [0, 0];
      else if (p === 'same') {
        padTL = [0, 1].map((i) => {
          const n = xs[1 + i];
          const k = ws[1 + i];
          const total = Math.max((Math.ceil(n / s[i]) - 1) * s[i] + d[i] * (k - 1) + 1 - n, 0);
          return Math.floor(total / 2);
        }) as [number, number];
      } else if (typeof p === 'number') padTL = [p, p];
      else
        padTL = [0, 1].map((i) => {
          const e = p[i];
          return typeof e === 'number' ? e : e[0];
        }) as [number, number];
      const ref = naiveConv(x, w, b, outShape[1], outShape[2], s, padTL, d, opts.groups ?? 1);
      for (let i = 0; i < ref.length; i++) expect(y.data[i]).toBeCloseTo(ref[i], 10);
      gradcheck((a, ww, bb) => conv2d(a, ww, bb, opts), [x, w, b]);
      gradcheck((a, ww) => conv2d(a, ww, null, opts), [x, w]);
    });
  }

  test('random geometries (property): forward equals direct loops, gradcheck passes', () => {
    const geometry = fc.record({
      n: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 6 }),
      w: fc.integer({ min: 1, max: 6 }),
      groups: fc.integer({ min: 1, max: 3 }),
      icpg: fc.integer({ min: 1, max: 2 }),
      ocpg: fc.integer({ min: 1, max: 2 }),
      kH: fc.integer({ min: 1, max: 3 }),
      kW: fc.integer({ min: 1, max: 3 }),
      sH: fc.integer({ min: 1, max: 3 }),
      sW: fc.integer({ min: 1, max: 2 }),
      dH: fc.integer({ min: 1, max: 2 }),
      dW: fc.integer({ min: 1, max: 2 }),
      pH: fc.integer({ min: 0, max: 2 }),
      pW: fc.integer({ min: 0, max: 2 }),
      seed: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(geometry, (g) => {
        const outH = Math.floor((g.h + 2 * g.pH - g.dH * (g.kH - 1) - 1) / g.sH) + 1;
        const outW = Math.floor((g.w + 2 * g.pW - g.dW * (g.kW - 1) - 1) / g.sW) + 1;
        fc.pre(outH >= 1 && outW >= 1);
        const r = new Rng(g.seed);
        const x = randn64([g.n, g.h, g.w, g.groups * g.icpg], r);
        const w = randn64([g.groups * g.ocpg, g.kH, g.kW, g.icpg], r);
        const b = randn64([g.groups * g.ocpg], r);
        const opts: Conv2dOptions = {
          stride: [g.sH, g.sW],
          dilation: [g.dH, g.dW],
          padding: [g.pH, g.pW],
          groups: g.groups,
        };
        const y = conv2d(x, w, b, opts);
        expect(y.shape).toEqual([g.n, outH, outW, g.groups * g.ocpg]);
        const ref = naiveConv(x, w, b, outH, outW, [g.sH, g.sW], [g.pH, g.pW], [g.dH, g.dW], g.groups);
        for (let i = 0; i < ref.length; i++) expect(Math.abs(y.data[i] - ref[i])).toBeLessThan(1e-10);
        gradcheck((a, ww, bb) => conv2d(a, ww, bb, opts), [x, w, b]);
      }),
      { numRuns: 40, seed: 2026 },
    );
  });

  test('float32 forward agrees with float64', () => {
    const x = randn64([2, 6, 6, 3], rng, false);
    const w = randn64([4, 3, 3, 3], rng, false);
    const y64 = conv2d(x, w, null, { padding: 1 });
    const x32 = tensor(new Float32Array(x.data), { shape: x.shape });
    const w32 = tensor(new Float32Array(w.data), { shape: w.shape });
    const y32 = conv2d(x32, w32, null, { padding: 1 });
    for (let i = 0; i < y64.size; i++) expect(Math.abs(y32.data[i] - y64.data[i])).toBeLessThan(1e-4);
  });

  test('float32 forward and gradients agree between the active kernels and the TypeScript reference kernels', () => {
    const x = tensor(Float32Array.from(randn64([2, 7, 6, 4], rng, false).data), { shape: [2, 7, 6, 4] });
    const w = tensor(Float32Array.from(randn64([6, 3, 3, 2], rng, false).data), { shape: [6, 3, 3, 2] });
    const run = () => {
      const xs = tensor(x.data, { shape: x.shape, requiresGrad: true });
      const ws = tensor(w.data, { shape: w.shape, requiresGrad: true });
      const y = conv2d(xs, ws, null, { stride: 2, padding: 'same', groups: 2 });
      sum(y).backward();
      return [y.data, xs.grad?.data, ws.grad?.data] as Float32Array[];
    };
    const active = run();
    const saved = getKernels();
    setKernels(tsKernels);
    let reference: Float32Array[];
    try {
      reference = run();
    } finally {
      setKernels(saved);
    }
    for (let j = 0; j < 3; j++) {
      for (let i = 0; i < reference[j].length; i++)
        expect(Math.abs(active[j][i] - reference[j][i])).toBeLessThan(1e-4);
    }
  });

  test('typed errors for bad input', () => {
    const x4 = randn64([1, 4, 4, 2], rng, false);
    expect(() => conv2d(x4, 'w' as never, null)).toThrow('conv2d: weight must be a Tensor, got string "w"');
    expect(() => conv2d(x4, randn64([1, 3, 3, 2], rng, false), 0 as never)).toThrow(
      'conv2d: bias must be a Tensor or null, got number 0',
    );
    const x = randn64([1, 4, 4, 2], rng);
    expect(() => conv2d(randn64([4, 4, 2], rng), randn64([1, 3, 3, 2], rng))).toThrow(ShapeError);
    expect(() => conv2d(x, randn64([1, 3, 3], rng))).toThrow(ShapeError);
    expect(() => conv2d(x, randn64([1, 3, 3, 3], rng))).toThrow(/input channels/);
    expect(() => conv2d(x, randn64([3, 3, 3, 1], rng), null, { groups: 2 })).toThrow(ShapeError); // 3 % 2
    expect(() => conv2d(x, randn64([1, 3, 3, 2], rng), randn64([2], rng))).toThrow(ShapeError);
    expect(() => conv2d(x, randn64([1, 5, 5, 2], rng))).toThrow(ShapeError); // output < 1
    expect(() => conv2d(x, randn64([1, 5, 5, 2], rng))).toThrow(/^layer "conv2d", dimension 1: /);
    expect(() => conv2d(x, randn64([1, 3, 3, 2], rng), null, { stride: [1, 0] })).toThrow(
      /^layer "conv2d", dimension 2: stride must be an integer >= 1, got 0/,
    );
    expect(() => conv2d(x, randn64([1, 3, 3, 2], rng), null, { stride: 0 })).toThrow(ShapeError);
    expect(() => conv2d(x, randn64([1, 3, 3, 2], rng), null, { padding: -1 })).toThrow(ShapeError);
    expect(() => conv2d(x, randn64([1, 3, 3, 2], rng), null, { groups: 0 })).toThrow(ShapeError);
    const w32 = tensor(new Float32Array(18), { shape: [1, 3, 3, 2] });
    expect(() => conv2d(x, w32)).toThrow(ValueError);
  });
});

describe('conv2d options that are not an object (found by apps/fuzz)', () => {
  test.each([null, 2, 'same'])('options %j is a ValueError naming options, not a TypeError', (bad) => {
    const x = tensor([[[[1]]]]);
    const w = tensor([[[[2]]]]);
    expect(() => conv2d(x, w, null, bad as never)).toThrow(ValueError);
    expect(() => conv2d(x, w, null, bad as never)).toThrow(/conv2d: options must be an object/);
  });
});
