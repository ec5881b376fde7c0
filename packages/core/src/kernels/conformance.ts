/**
 * Conformance tests for any `Kernels` implementation, checked against the naive reference kernels (each op
 * folder's *.reference.ts) on random geometries in float32 and float64. Exported by `@hw3/core/testing`, not the
 * main entry: `kernelConformanceTests(kernels, { describe, it, expect })` from a *.test.ts file, with the test
 * runner's functions (vitest or jest; the package does not depend on either).
 */
import { describeValue, ValueError } from '../errors';
import {
  referenceConv2dBackwardInput,
  referenceConv2dBackwardWeight,
  referenceConv2dForward,
} from './conv2d/conv2d.reference';
import { referenceGemm } from './gemm/gemm.reference';
import type { Conv2dGeometry, FloatArray, Kernels, Pool2dGeometry } from './kernels';
import { referenceMaxPool2dForward } from './pool/max-pool2d.reference';
import {
  bitsOf,
  describeGeometry,
  type FloatCtor,
  mismatch,
  outSize,
  poolGeometry,
  randInt,
  randomArray,
  randomConvGeometry,
  randomPoolGeometry,
  sameConv3x3,
  seededRandom,
} from './test-helpers';

/** The assertions the conformance tests use (a subset of vitest's / jest's `expect`). */
export interface ConformanceAssertion {
  toEqual(expected: unknown): void;
  toBe(expected: unknown): void;
  toBeNaN(): void;
  toBeLessThan(expected: number): void;
  toBeLessThanOrEqual(expected: number): void;
}

/** The test runner functions `kernelConformanceTests` registers its tests with (vitest / jest compatible). */
export interface ConformanceTestApi {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => void): unknown;
  expect(actual: unknown, message?: string): ConformanceAssertion;
}

let expect: ConformanceTestApi['expect'] = () => {
  throw new Error('kernelConformanceTests: no test API given');
};

const dtypes: Array<[string, FloatCtor]> = [
  ['float32', Float32Array],
  ['float64', Float64Array],
];

/** Tolerance for sums of `terms` products of values in [−1, 1]. */
function tolerance(ctor: FloatCtor, terms: number): { atol: number; rtol: number } {
  return ctor === Float64Array
    ? { atol: 1e-13 * (terms + 1), rtol: 1e-12 }
    : { atol: 2e-7 * (terms + 1), rtol: 1e-5 };
}

interface GemmCase {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  accumulate: boolean;
}

function checkGemm(kernels: Kernels, ctor: FloatCtor, cs: GemmCase, rand: () => number): void {
  const { transA, transB, m, n, k, accumulate } = cs;
  const aRows = transA ? k : m;
  const aCols = transA ? m : k;
  const bRows = transB ? n : k;
  const bCols = transB ? k : n;
  const lda = aCols + randInt(rand, 0, 3);
  const ldb = bCols + randInt(rand, 0, 3);
  const ldc = n + randInt(rand, 0, 3);
  const aOffset = randInt(rand, 0, 5);
  const bOffset = randInt(rand, 0, 5);
  const cOffset = randInt(rand, 0, 5);
  const a = randomArray(ctor, aOffset + aRows * lda + 2, rand);
  const b = randomArray(ctor, bOffset + bRows * ldb + 2, rand);
  const c0 = randomArray(ctor, cOffset + m * ldc + 2, rand);
  const expected = c0.slice();
  const actual = c0.slice();
  referenceGemm(
    transA,
    transB,
    m,
    n,
    k,
    a,
    aOffset,
    lda,
    b,
    bOffset,
    ldb,
    expected,
    cOffset,
    ldc,
    accumulate,
  );
  kernels.gemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, actual, cOffset, ldc, accumulate);
  const { atol, rtol } = tolerance(ctor, k);
  // Everything outside the m×n window (offset prefix, row padding, tail) must be untouched, so the whole
  // buffer is compared: the reference leaves those entries as they were.
  expect(mismatch(actual, expected, atol, rtol), JSON.stringify({ ...cs, lda, ldb, ldc })).toBe('');
}

type ConvKernel = 'forward' | 'backwardInput' | 'backwardWeight';

function checkConv(
  kernels: Kernels,
  ctor: FloatCtor,
  g: Conv2dGeometry,
  which: ConvKernel,
  rand: () => number,
) {
  const icpg = g.inC / g.groups;
  const xSize = g.batch * g.inH * g.inW * g.inC;
  const wSize = g.outC * g.kH * g.kW * icpg;
  const ySize = g.batch * g.outH * g.outW * g.outC;
  const x = randomArray(ctor, xSize, rand);
  const w = randomArray(ctor, wSize, rand);
  const dy = randomArray(ctor, ySize, rand);
  const bias = rand() < 0.5 ? randomArray(ctor, g.outC, rand) : null;
  // Outputs start as garbage: kernels must overwrite, not accumulate.
  let expected: FloatArray;
  let actual: FloatArray;
  let terms: number;
  if (which === 'forward') {
    expected = new ctor(ySize);
    actual = randomArray(ctor, ySize, rand);
    referenceConv2dForward(g, x, w, bias, expected);
    kernels.conv2dForward(g, x, w, bias, actual);
    terms = g.kH * g.kW * icpg + 1;
  } else if (which === 'backwardInput') {
    expected = new ctor(xSize);
    actual = randomArray(ctor, xSize, rand);
    referenceConv2dBackwardInput(g, dy, w, expected);
    kernels.conv2dBackwardInput(g, dy, w, actual);
    terms = g.kH * g.kW * (g.outC / g.groups);
  } else {
    expected = new ctor(wSize);
    actual = randomArray(ctor, wSize, rand);
    referenceConv2dBackwardWeight(g, x, dy, expected);
    kernels.conv2dBackwardWeight(g, x, dy, actual);
    terms = g.batch * g.outH * g.outW;
  }
  const { atol, rtol } = tolerance(ctor, terms);
  expect(mismatch(actual, expected, atol, rtol), `${which} ${describeGeometry(g)}`).toBe('');
}

/**
 * 3×3, stride 1, dilation 1, one group, inC % 4 = 0: the WebAssembly kernels' direct paths (and their fallbacks: outC
 * % 8 ≠ 0, inC % 8 ≠ 0 for the input gradient, fewer than four pixels). Sizes 1×3 … 14×14, batch 1 to 3, 'same',
 * 'valid' and asymmetric padding.
 */
function direct3x3Geometries(): Conv2dGeometry[] {
  const shapes: Array<[number, number, number, number, number, number, number, number, number]> = [
    // batch, inH, inW, inC, outC, padTop, padLeft, padBottom, padRight
    [1, 14, 14, 8, 16, 1, 1, 1, 1],
    [3, 5, 7, 8, 16, 1, 1, 1, 1],
    [2, 7, 5, 4, 8, 1, 1, 1, 1],
    [2, 5, 7, 12, 24, 1, 1, 1, 1],
    [1, 6, 5, 16, 8, 1, 1, 1, 1],
    [2, 4, 4, 8, 12, 1, 1, 1, 1],
    [2, 7, 6, 8, 16, 0, 0, 0, 0],
    [2, 6, 7, 8, 8, 2, 0, 1, 2],
    [3, 2, 2, 8, 16, 1, 1, 1, 1],
    [2, 1, 3, 8, 16, 1, 1, 1, 1],
    [2, 9, 3, 24, 32, 1, 2, 0, 1],
  ];
  return shapes.map(([batch, inH, inW, inC, outC, padTop, padLeft, padBottom, padRight]) => ({
    batch,
    inH,
    inW,
    inC,
    outH: outSize(inH, 3, 1, padTop + padBottom, 1),
    outW: outSize(inW, 3, 1, padLeft + padRight, 1),
    outC,
    kH: 3,
    kW: 3,
    strideH: 1,
    strideW: 1,
    padTop,
    padLeft,
    dilationH: 1,
    dilationW: 1,
    groups: 1,
  }));
}

/** Reference-network layers and a few larger shapes that exercise blocking paths. */
const namedConvGeometries: Array<[string, Conv2dGeometry]> = [
  ['mnist conv1 1→8 3×3 same', sameConv3x3(2, 28, 1, 8)],
  ['mnist conv2 8→16 3×3 same', sameConv3x3(2, 14, 8, 16)],
  ['mnist conv1 batch 8 (several im2col chunks)', sameConv3x3(8, 28, 1, 8)],
  [
    'inC 8 → 12, stride 2, asymmetric padding, more than KC = 256 output rows',
    {
      batch: 5,
      inH: 17,
      inW: 15,
      inC: 8,
      outH: 8,
      outW: 8,
      outC: 12,
      kH: 3,
      kW: 3,
      strideH: 2,
      strideW: 2,
      padTop: 0,
      padLeft: 2,
      dilationH: 1,
      dilationW: 1,
      groups: 1,
    },
  ],
  [
    '1×1 conv 6→9 groups 3',
    {
      batch: 2,
      inH: 5,
      inW: 4,
      inC: 6,
      outH: 5,
      outW: 4,
      outC: 9,
      kH: 1,
      kW: 1,
      strideH: 1,
      strideW: 1,
      padTop: 0,
      padLeft: 0,
      dilationH: 1,
      dilationW: 1,
      groups: 3,
    },
  ],
  [
    '1×1 conv 37→45',
    {
      batch: 1,
      inH: 9,
      inW: 11,
      inC: 37,
      outH: 9,
      outW: 11,
      outC: 45,
      kH: 1,
      kW: 1,
      strideH: 1,
      strideW: 1,
      padTop: 0,
      padLeft: 0,
      dilationH: 1,
      dilationW: 1,
      groups: 1,
    },
  ],
  [
    'wide 5×5 stride 2 32→40',
    {
      batch: 2,
      inH: 17,
      inW: 15,
      inC: 32,
      outH: 8,
      outW: 7,
      outC: 40,
      kH: 5,
      kW: 5,
      strideH: 2,
      strideW: 2,
      padTop: 1,
      padLeft: 1,
      dilationH: 1,
      dilationW: 1,
      groups: 1,
    },
  ],
  [
    'more than 1024 taps per output (generic im2col paths)',
    {
      batch: 1,
      inH: 5,
      inW: 6,
      inC: 120,
      outH: 3,
      outW: 4,
      outC: 5,
      kH: 3,
      kW: 3,
      strideH: 1,
      strideW: 1,
      padTop: 0,
      padLeft: 0,
      dilationH: 1,
      dilationW: 1,
      groups: 1,
    },
  ],
  [
    'depthwise 3×3 groups 12',
    {
      batch: 2,
      inH: 8,
      inW: 8,
      inC: 12,
      outH: 8,
      outW: 8,
      outC: 24,
      kH: 3,
      kW: 3,
      strideH: 1,
      strideW: 1,
      padTop: 1,
      padLeft: 1,
      dilationH: 1,
      dilationW: 1,
      groups: 12,
    },
  ],
  [
    'padding larger than kernel reach',
    {
      batch: 1,
      inH: 3,
      inW: 2,
      inC: 2,
      outH: 7,
      outW: 6,
      outC: 3,
      kH: 2,
      kW: 2,
      strideH: 1,
      strideW: 1,
      padTop: 3,
      padLeft: 3,
      dilationH: 1,
      dilationW: 1,
      groups: 1,
    },
  ],
];

/**
 * One-input-channel convolutions of the WebAssembly direct path (zero-padded image plane, blocks of four output
 * pixels): kernel height 1–5 with width 3, outC 8 and 16, asymmetric and oversized padding, widths 4 (one block),
 * 5–9 (an overlapping last block, odd widths for the weight gradient's pixel pairs); width 3 and outC 4 take the
 * per-pixel path. [name, batch, inH, inW, outH, outW, outC, kH, kW, padTop, padLeft].
 */
const oneChannelConvs: Array<
  [string, number, number, number, number, number, number, number, number, number, number]
> = [
  ['1→16 3×3 same, odd width', 3, 9, 7, 9, 7, 16, 3, 3, 1, 1],
  ['1→8 2×3, no top padding, left 2, right 2', 2, 9, 7, 8, 9, 8, 2, 3, 0, 2],
  ['1→8 5×3, padding beyond the image', 1, 2, 3, 7, 6, 8, 5, 3, 3, 2],
  ['1→8 1×3, width 4 (one block)', 2, 5, 4, 5, 4, 8, 1, 3, 0, 1],
  ['1→24 3×3 valid, width 5', 2, 6, 7, 4, 5, 24, 3, 3, 0, 0],
  ['1→8 3×3 same, width 3 (per-pixel path)', 2, 4, 3, 4, 3, 8, 3, 3, 1, 1],
  ['1→4 3×3 same (per-pixel path)', 2, 6, 6, 6, 6, 4, 3, 3, 1, 1],
];
for (const [name, batch, inH, inW, outH, outW, outC, kH, kW, padTop, padLeft] of oneChannelConvs)
  namedConvGeometries.push([
    name,
    {
      batch,
      inH,
      inW,
      inC: 1,
      outH,
      outW,
      outC,
      kH,
      kW,
      strideH: 1,
      strideW: 1,
      padTop,
      padLeft,
      dilationH: 1,
      dilationW: 1,
      groups: 1,
    },
  ]);

/**
 * Registers the conformance tests of `kernels` (every kernel against the reference, float32 and float64, random
 * geometries, special values) with the given test runner.
 */
export function kernelConformanceTests(kernels: Kernels, api: ConformanceTestApi): void {
  // (an object is enough here: a kernel table may be a proxy whose kernels exist only once the tests run)
  if (typeof kernels !== 'object' || kernels === null) {
    throw new ValueError(
      `kernelConformanceTests: kernels must be a kernel table (such as tsKernels), got ${describeValue(kernels)}`,
      'INVALID_KERNELS',
    );
  }
  if (
    typeof api !== 'object' ||
    api === null ||
    typeof api.describe !== 'function' ||
    typeof api.it !== 'function' ||
    typeof api.expect !== 'function'
  ) {
    throw new ValueError(
      `kernelConformanceTests: api must be { describe, it, expect } (vitest's or jest's), got ${describeValue(api)}`,
      'INVALID_INPUT',
    );
  }
  const { describe, it } = api;
  expect = api.expect;
  describe(`${kernels.name} kernels match the reference`, () => {
    for (const [dtype, ctor] of dtypes) {
      describe(dtype, () => {
        it('gemm: every trans combination, offsets, leading dims, accumulate, small random sizes', () => {
          const rand = seededRandom(1);
          for (let t = 0; t < 300; t++) {
            const cs: GemmCase = {
              transA: (t & 1) === 1,
              transB: (t & 2) === 2,
              m: randInt(rand, 1, 20),
              n: randInt(rand, 1, 20),
              k: randInt(rand, 1, 20),
              accumulate: (t & 4) === 4,
            };
            checkGemm(kernels, ctor, cs, rand);
          }
        });

        it('gemm: sizes crossing the cache-block boundaries', () => {
          const rand = seededRandom(2);
          const sizes: Array<[number, number, number]> = [
            [131, 67, 300],
            [7, 1030, 33],
            [260, 9, 513],
            [64, 64, 64],
            [1, 1, 1],
            [1, 50, 1],
          ];
          for (const [m, n, k] of sizes)
            for (let t = 0; t < 8; t++)
              checkGemm(
                kernels,
                ctor,
                { transA: (t & 1) === 1, transB: (t & 2) === 2, m, n, k, accumulate: (t & 4) === 4 },
                rand,
              );
        });

        it('gemm: k = 0 writes zeros (or leaves C when accumulating); m or n = 0 touches nothing', () => {
          const c = new ctor([5, 6, 7, 8]);
          kernels.gemm(false, false, 2, 2, 0, new ctor(0), 0, 0, new ctor(0), 0, 2, c, 0, 2, true);
          expect(Array.from(c)).toEqual([5, 6, 7, 8]);
          kernels.gemm(false, false, 2, 2, 0, new ctor(0), 0, 0, new ctor(0), 0, 2, c, 0, 2, false);
          expect(Array.from(c)).toEqual([0, 0, 0, 0]);
          const d = new ctor([1, 2]);
          kernels.gemm(false, false, 0, 2, 3, new ctor(0), 0, 3, new ctor(6), 0, 2, d, 0, 2, false);
          kernels.gemm(false, false, 1, 0, 3, new ctor(3), 0, 3, new ctor(0), 0, 0, d, 0, 0, false);
          expect(Array.from(d)).toEqual([1, 2]);
        });

        it('gemm: NaN and Infinity propagate (0·NaN = NaN, 0·∞ = NaN), never skipped', () => {
          for (const [tA, tB] of [
            [false, false],
            [true, false],
            [false, true],
            [true, true],
          ] as const) {
            // A = [[0, 1]] (1×2), B = [[special],[2]] (2×1): 0·NaN + 1·2 = NaN and 0·∞ + 1·2 = NaN.
            for (const special of [Number.NaN, Number.POSITIVE_INFINITY]) {
              const c = new ctor(1);
              const a = new ctor([0, 1]);
              const b = new ctor([special, 2]);
              kernels.gemm(tA, tB, 1, 1, 2, a, 0, tA ? 1 : 2, b, 0, tB ? 2 : 1, c, 0, 1, false);
              expect(c[0]).toBeNaN();
            }
          }
        });

        for (const which of ['forward', 'backwardInput', 'backwardWeight'] as const) {
          it(`conv2d ${which}: random geometries (groups, stride, dilation, asymmetric padding)`, () => {
            const rand = seededRandom(which.length * 7 + ctor.BYTES_PER_ELEMENT);
            for (let t = 0; t < 150; t++) checkConv(kernels, ctor, randomConvGeometry(rand), which, rand);
          });
          it(`conv2d ${which}: reference-network layers and larger shapes`, () => {
            const rand = seededRandom(3);
            for (const [, g] of namedConvGeometries) checkConv(kernels, ctor, g, which, rand);
          });
          it(`conv2d ${which}: 3×3 stride 1 with inC % 4 = 0 (direct WebAssembly paths), odd sizes, batch 1, paddings`, () => {
            const rand = seededRandom(8);
            for (const g of direct3x3Geometries()) checkConv(kernels, ctor, g, which, rand);
          });
        }

        it('maxPool2d forward: random geometries, values and argmax', () => {
          const rand = seededRandom(4);
          for (let t = 0; t < 200; t++) {
            const g = randomPoolGeometry(rand);
            const x = randomArray(ctor, g.batch * g.inH * g.inW * g.channels, rand);
            // Some exact ties, to pin down that the first maximum wins.
            for (let i = 0; i < x.length; i++) if (rand() < 0.2) x[i] = 0.5;
            const size = g.batch * g.outH * g.outW * g.channels;
            const expected = new ctor(size);
            const expectedArg = new Int32Array(size);
            const actual = randomArray(ctor, size, rand);
            const actualArg = new Int32Array(size).fill(123);
            referenceMaxPool2dForward(g, x, expected, expectedArg);
            kernels.maxPool2dForward(g, x, actual, actualArg);
            expect(Array.from(actual), describeGeometry(g)).toEqual(Array.from(expected));
            expect(Array.from(actualArg), describeGeometry(g)).toEqual(Array.from(expectedArg));
          }
        });

        it('maxPool2d forward: channels 4, 8, 12 (vector paths) with ties, NaN, −∞ and windows wholly in the padding', () => {
          const rand = seededRandom(6);
          for (let t = 0; t < 150; t++) {
            const base = randomPoolGeometry(rand);
            // Padding up to kernel + 1 on both sides: some windows have no in-bounds tap (−∞, argmax −1).
            const padTop = randInt(rand, 0, base.kH + 1);
            const padLeft = randInt(rand, 0, base.kW + 1);
            const g = {
              ...base,
              channels: 4 * randInt(rand, 1, 3),
              padTop,
              padLeft,
              outH: outSize(base.inH, base.kH, base.strideH, 2 * padTop, base.dilationH),
              outW: outSize(base.inW, base.kW, base.strideW, 2 * padLeft, base.dilationW),
            };
            const x = randomArray(ctor, g.batch * g.inH * g.inW * g.channels, rand);
            for (let i = 0; i < x.length; i++) {
              const u = rand();
              if (u < 0.2) x[i] = 0.5;
              else if (u < 0.3) x[i] = Number.NaN;
              else if (u < 0.35) x[i] = Number.NEGATIVE_INFINITY;
            }
            const size = g.batch * g.outH * g.outW * g.channels;
            const expected = new ctor(size);
            const expectedArg = new Int32Array(size);
            const actual = randomArray(ctor, size, rand);
            const actualArg = new Int32Array(size).fill(123);
            referenceMaxPool2dForward(g, x, expected, expectedArg);
            kernels.maxPool2dForward(g, x, actual, actualArg);
            expect(Array.from(actual), describeGeometry(g)).toEqual(Array.from(expected));
            expect(Array.from(actualArg), describeGeometry(g)).toEqual(Array.from(expectedArg));
          }
        });

        it('maxPool2d forward: padding never wins over negative values; NaN propagates', () => {
          const g = {
            batch: 1,
            inH: 2,
            inW: 2,
            channels: 1,
            outH: 2,
            outW: 2,
            kH: 2,
            kW: 2,
            strideH: 1,
            strideW: 1,
            padTop: 1,
            padLeft: 1,
            dilationH: 1,
            dilationW: 1,
          };
          const out = new ctor(4);
          const arg = new Int32Array(4);
          kernels.maxPool2dForward(g, new ctor([-4, -3, -2, -1]), out, arg);
          expect(Array.from(out)).toEqual([-4, -3, -2, -1]);
          expect(Array.from(arg)).toEqual([0, 1, 2, 3]);
          kernels.maxPool2dForward(g, new ctor([-4, Number.NaN, 7, -1]), out, arg);
          expect(out[0]).toBe(-4);
          expect(out[1]).toBeNaN();
          expect(arg[1]).toBe(1);
          expect(out[2]).toBe(7);
          expect(out[3]).toBeNaN();
          expect(arg[3]).toBe(1);
        });

        it('maxPool2d backward: scatter-adds the gradient at argmax (overlapping windows accumulate), zeroes dx', () => {
          const rand = seededRandom(5);
          for (let t = 0; t < 100; t++) {
            const g = randomPoolGeometry(rand);
            const x = randomArray(ctor, g.batch * g.inH * g.inW * g.channels, rand);
            const size = g.batch * g.outH * g.outW * g.channels;
            const arg = new Int32Array(size);
            referenceMaxPool2dForward(g, x, new ctor(size), arg);
            const gy = randomArray(ctor, size, rand);
            const expected = new ctor(x.length);
            for (let i = 0; i < size; i++) if (arg[i] >= 0) expected[arg[i]] += gy[i];
            const actual = randomArray(ctor, x.length, rand); // stale values must be overwritten
            kernels.maxPool2dBackward(arg, gy, actual);
            expect(Array.from(actual), describeGeometry(g)).toEqual(Array.from(expected));
          }
          const dx = new ctor([5, 5, 5]);
          kernels.maxPool2dBackward(new Int32Array([-1, 2, 2]), new ctor([1, 2, 3]), dx);
          expect(Array.from(dx)).toEqual([0, 0, 5]);
          // Past the first four: repeated, negative and too-large indices (vector loops must keep the order).
          const longArg = new Int32Array([0, 3, 3, 1, 2, -1, 0, 9, 7, 7, 6, 5, 4, 8, 2, 2, -7]);
          const longG = new ctor(longArg.length).map((_, i) => 1 + i / 8);
          const longExpected = new ctor(8);
          for (let i = 0; i < longArg.length; i++)
            if (longArg[i] >= 0 && longArg[i] < 8) longExpected[longArg[i]] += longG[i];
          const longDx = new ctor(8).fill(3);
          kernels.maxPool2dBackward(longArg, longG, longDx);
          expect(Array.from(longDx)).toEqual(Array.from(longExpected));
        });

        it("maxPool2d backward with the forward's geometry: the same bits as the scatter without it", () => {
          const rand = seededRandom(15);
          const cases: Pool2dGeometry[] = [];
          // The window-by-window path (2×2, stride ≥ 2, channels % 4 = 0) on even and odd sizes, strides 2 and 3,
          // batches 1 and 3; then geometries it must leave to the scatter (overlap, padding, dilation, channels 3).
          for (const [inH, inW, s, c, batch] of [
            [4, 4, 2, 4, 1],
            [7, 5, 2, 8, 3],
            [8, 9, 3, 12, 2],
            [6, 6, 2, 16, 3],
          ])
            cases.push(poolGeometry(batch, inH, inW, c, 2, s, 0, 1));
          cases.push(poolGeometry(2, 6, 6, 4, 2, 1, 0, 1), poolGeometry(2, 6, 6, 4, 2, 2, 1, 1));
          cases.push(poolGeometry(2, 7, 7, 4, 2, 2, 0, 2), poolGeometry(2, 6, 6, 3, 2, 2, 0, 1));
          for (let t = 0; t < 20; t++) cases.push(randomPoolGeometry(rand));
          for (const g of cases) {
            const x = randomArray(ctor, g.batch * g.inH * g.inW * g.channels, rand);
            for (let i = 0; i < x.length; i++) if (rand() < 0.2) x[i] = 0.5;
            const size = g.batch * g.outH * g.outW * g.channels;
            const arg = new Int32Array(size);
            kernels.maxPool2dForward(g, x, new ctor(size), arg);
            const gy = randomArray(ctor, size, rand);
            for (let i = 0; i < size; i++) if (rand() < 0.1) gy[i] = -0;
            const expected = randomArray(ctor, x.length, rand);
            kernels.maxPool2dBackward(arg, gy, expected);
            const actual = randomArray(ctor, x.length, rand); // stale values must be overwritten
            kernels.maxPool2dBackward(arg, gy, actual, g);
            expect(bitsOf(actual), describeGeometry(g)).toEqual(bitsOf(expected));
          }
        });

        it('relu forward / backward: random values (odd lengths) and the special values', () => {
          const rand = seededRandom(6);
          for (const n of [0, 1, 3, 4, 7, 1001]) {
            const x = randomArray(ctor, n, rand);
            const g = randomArray(ctor, n, rand);
            const y = new ctor(n).fill(9);
            kernels.reluForward(x, y);
            expect(Array.from(y)).toEqual(Array.from(x, (v) => Math.max(v, 0)));
            const dx = new ctor(n).fill(9);
            kernels.reluBackward(y, g, dx);
            expect(Array.from(dx)).toEqual(Array.from(g, (v, i) => (x[i] > 0 ? v : 0)));
          }
          const x = new ctor([Number.NaN, -0, 0, -Infinity, Infinity, -2, 3, Number.NaN, 1]);
          const y = new ctor(x.length);
          kernels.reluForward(x, y);
          expect(Array.from(y)).toEqual([Number.NaN, 0, 0, 0, Infinity, 0, 3, Number.NaN, 1]);
          expect(Object.is(y[1], 0) && Object.is(y[3], 0) && Object.is(y[5], 0)).toBe(true);
          const g = new ctor([1, Number.NaN, Infinity, -Infinity, 5, Number.NaN, -Infinity, 2, Number.NaN]);
          const dx = new ctor(x.length);
          kernels.reluBackward(y, g, dx);
          // Masked positions (y ≤ 0 or NaN) give +0 whatever g is; passing positions keep g (NaN, ±∞ included).
          expect(Array.from(dx)).toEqual([0, 0, 0, 0, 5, 0, -Infinity, 0, Number.NaN]);
          expect(Object.is(dx[1], 0) && Object.is(dx[2], 0)).toBe(true);
          // In place: out = x (forward), out = g (backward).
          const z = new ctor([-1, 2, -3, 4, 5]);
          kernels.reluForward(z, z);
          expect(Array.from(z)).toEqual([0, 2, 0, 4, 5]);
          const gz = new ctor([1, 1, 1, 1, 1]);
          kernels.reluBackward(z, gz, gz);
          expect(Array.from(gz)).toEqual([0, 1, 0, 1, 1]);
        });

        it('channelSum: per-channel float64 sums of the two halves of the rows, first + second, rounded once', () => {
          const rand = seededRandom(7);
          for (const [rows, C] of [
            [1, 1],
            [5, 3],
            [37, 4],
            [64 * 28 * 28, 8],
            [1000, 13],
            [300, 16],
            [0, 5],
          ]) {
            const x = randomArray(ctor, rows * C, rand);
            const expected = new ctor(C);
            const h = Math.ceil(rows / 2);
            for (let c = 0; c < C; c++) {
              let first = 0;
              for (let r = 0; r < h; r++) first += x[r * C + c];
              let second = 0;
              for (let r = h; r < rows; r++) second += x[r * C + c];
              expected[c] = first + second;
            }
            const out = new ctor(C).fill(7);
            kernels.channelSum(x, rows, C, out);
            expect(Array.from(out), `rows ${rows} C ${C}`).toEqual(Array.from(expected));
          }
          // The association is visible: 2^60 + 1 rounds to 2^60, so the halves give (2^60 + 1) + (−2^60 + 1) = 0 where
          // a sum in row order would give 1 (each channel of four, the SIMD path, and one channel, the scalar path).
          for (const C of [4, 1]) {
            const x = new ctor(4 * C);
            for (const [r, v] of [2 ** 60, 1, -(2 ** 60), 1].entries()) x.fill(v, r * C, (r + 1) * C);
            const sums = new ctor(C).fill(7);
            kernels.channelSum(x, 4, C, sums);
            expect(Array.from(sums), `association, C ${C}`).toEqual(new Array(C).fill(0));
          }
          const out = new ctor(2);
          kernels.channelSum(new ctor([1, Number.NaN, Infinity, 2]), 2, 2, out);
          expect(out[0]).toBe(Infinity);
          expect(out[1]).toBeNaN();
        });
      });
    }
  });
}
