import { describe, expect, it } from 'vitest';
import { kernelConformanceTests } from '../conformance';
import { referenceConv2dBackwardWeight, referenceConv2dForward } from '../conv2d/conv2d.reference';
import { referenceGemm } from '../gemm/gemm.reference';
import type { Conv2dGeometry, FloatArray, Kernels } from '../kernels';
import { referenceMaxPool2dForward } from '../pool/max-pool2d.reference';
import { mismatch, randInt, randomArray, randomConvGeometry, seededRandom } from '../test-helpers';
import { tsKernels } from '../ts-kernels';
import { createWasmKernels, loadWasmKernels, WasmKernels, wasmKernelBytes } from './wasm-kernels';

// Node 20 always has WebAssembly SIMD128; relaxed SIMD only with --experimental-wasm-relaxed-simd.
const simd = createWasmKernels('simd');
const relaxed = createWasmKernels('relaxed-simd');

describe('wasm kernel loading', () => {
  it('creates the SIMD128 kernels in Node', () => {
    expect(simd).toBeInstanceOf(WasmKernels);
    expect(simd?.name).toBe('wasm-simd');
  });

  it("'auto' picks relaxed SIMD exactly when the engine validates it", () => {
    const auto = createWasmKernels();
    const relaxedBytes = wasmKernelBytes('relaxed-simd');
    expect(auto?.name).toBe(relaxedBytes ? 'wasm-relaxed-simd' : 'wasm-simd');
    expect(relaxed === null).toBe(relaxedBytes === null);
  });

  it('loads asynchronously too', async () => {
    const k = await loadWasmKernels('simd');
    expect(k?.name).toBe('wasm-simd');
  });

  it('throws a RangeError naming the array when a buffer is too short', () => {
    const k = simd as Kernels;
    expect(() =>
      k.gemm(
        false,
        false,
        2,
        2,
        2,
        new Float32Array(3),
        0,
        2,
        new Float32Array(4),
        0,
        2,
        new Float32Array(4),
        0,
        2,
        false,
      ),
    ).toThrow(/a needs elements \[0, 4\) but has length 3/);
  });
});

kernelConformanceTests(simd as Kernels, { describe, it, expect });
if (relaxed) kernelConformanceTests(relaxed, { describe, it, expect });

/** Relative tolerance of float32 sums of k products of values in [−1, 1]. */
function f32Tol(k: number): { atol: number; rtol: number } {
  return { atol: 3e-7 * (k + 1), rtol: 1e-5 };
}

describe('wasm kernels agree with the TypeScript kernels (float32)', () => {
  const k = simd as Kernels;

  it('gemm: random sizes up to 300 with transposes, offsets, leading dims and accumulate', () => {
    const rand = seededRandom(11);
    for (let t = 0; t < 40; t++) {
      const transA = rand() < 0.5;
      const transB = rand() < 0.5;
      const accumulate = rand() < 0.5;
      const m = randInt(rand, 1, 300);
      const n = randInt(rand, 1, 300);
      const kk = randInt(rand, 1, 300);
      const lda = (transA ? m : kk) + randInt(rand, 0, 4);
      const ldb = (transB ? kk : n) + randInt(rand, 0, 4);
      const ldc = n + randInt(rand, 0, 4);
      const aOff = randInt(rand, 0, 7);
      const bOff = randInt(rand, 0, 7);
      const cOff = randInt(rand, 0, 7);
      const a = randomArray(Float32Array, aOff + (transA ? kk : m) * lda, rand);
      const b = randomArray(Float32Array, bOff + (transB ? n : kk) * ldb, rand);
      const c0 = randomArray(Float32Array, cOff + m * ldc + 3, rand);
      const expected = c0.slice();
      const actual = c0.slice();
      const ts = c0.slice();
      referenceGemm(transA, transB, m, n, kk, a, aOff, lda, b, bOff, ldb, expected, cOff, ldc, accumulate);
      tsKernels.gemm(transA, transB, m, n, kk, a, aOff, lda, b, bOff, ldb, ts, cOff, ldc, accumulate);
      k.gemm(transA, transB, m, n, kk, a, aOff, lda, b, bOff, ldb, actual, cOff, ldc, accumulate);
      const { atol, rtol } = f32Tol(kk);
      const where = JSON.stringify({ transA, transB, m, n, kk, lda, ldb, ldc, accumulate });
      expect(mismatch(actual, expected, atol, rtol), where).toBe('');
      expect(mismatch(actual, ts, atol, rtol), where).toBe('');
    }
  });

  it('float64 arguments run the TypeScript kernels bit for bit', () => {
    const rand = seededRandom(12);
    const a = randomArray(Float64Array, 35 * 41, rand);
    const b = randomArray(Float64Array, 41 * 29, rand);
    const c1 = new Float64Array(35 * 29);
    const c2 = new Float64Array(35 * 29);
    tsKernels.gemm(false, false, 35, 29, 41, a, 0, 41, b, 0, 29, c1, 0, 29, false);
    k.gemm(false, false, 35, 29, 41, a, 0, 41, b, 0, 29, c2, 0, 29, false);
    expect(Array.from(c2)).toEqual(Array.from(c1));
  });

  it('conv2d forward / backward input / backward weight: random geometries', () => {
    const rand = seededRandom(13);
    for (let t = 0; t < 60; t++) {
      const g = randomConvGeometry(rand);
      g.batch = randInt(rand, 1, 6);
      const icpg = g.inC / g.groups;
      const x = randomArray(Float32Array, g.batch * g.inH * g.inW * g.inC, rand);
      const w = randomArray(Float32Array, g.outC * g.kH * g.kW * icpg, rand);
      const dy = randomArray(Float32Array, g.batch * g.outH * g.outW * g.outC, rand);
      const bias = randomArray(Float32Array, g.outC, rand);
      const pairs: Array<[FloatArray, FloatArray, number]> = [];
      const y1 = new Float32Array(dy.length);
      const y2 = new Float32Array(dy.length);
      tsKernels.conv2dForward(g, x, w, bias, y1);
      k.conv2dForward(g, x, w, bias, y2);
      pairs.push([y2, y1, g.kH * g.kW * icpg + 1]);
      const dx1 = new Float32Array(x.length);
      const dx2 = new Float32Array(x.length);
      tsKernels.conv2dBackwardInput(g, dy, w, dx1);
      k.conv2dBackwardInput(g, dy, w, dx2);
      pairs.push([dx2, dx1, g.kH * g.kW * (g.outC / g.groups)]);
      const dw1 = new Float32Array(w.length);
      const dw2 = new Float32Array(w.length);
      tsKernels.conv2dBackwardWeight(g, x, dy, dw1);
      k.conv2dBackwardWeight(g, x, dy, dw2);
      pairs.push([dw2, dw1, g.batch * g.outH * g.outW]);
      for (const [actual, expected, terms] of pairs) {
        const { atol, rtol } = f32Tol(terms);
        expect(mismatch(actual, expected, atol, rtol), JSON.stringify(g)).toBe('');
      }
    }
  });

  it('conv2d one-input-channel direct path (outC 4, 8, 12, 16; stride, dilation, padding) matches the reference', () => {
    const rand = seededRandom(16);
    for (const outC of [4, 8, 12, 16]) {
      for (const [kH, kW, s, d, pad] of [
        [3, 3, 1, 1, 1],
        [5, 2, 2, 1, 2],
        [2, 3, 1, 2, 0],
      ]) {
        const inH = 9;
        const inW = 8;
        const g = {
          batch: 3,
          inH,
          inW,
          inC: 1,
          outH: Math.floor((inH + 2 * pad - d * (kH - 1) - 1) / s) + 1,
          outW: Math.floor((inW + 2 * pad - d * (kW - 1) - 1) / s) + 1,
          outC,
          kH,
          kW,
          strideH: s,
          strideW: s,
          padTop: pad,
          padLeft: pad,
          dilationH: d,
          dilationW: d,
          groups: 1,
        };
        const x = randomArray(Float32Array, g.batch * inH * inW, rand);
        const w = randomArray(Float32Array, outC * kH * kW, rand);
        const bias = randomArray(Float32Array, outC, rand);
        const dy = randomArray(Float32Array, g.batch * g.outH * g.outW * outC, rand);
        const y1 = new Float32Array(dy.length);
        const y2 = new Float32Array(dy.length);
        referenceConv2dForward(g, x, w, bias, y1);
        k.conv2dForward(g, x, w, bias, y2);
        expect(mismatch(y2, y1, 3e-7 * (kH * kW + 2), 1e-5), JSON.stringify(g)).toBe('');
        const dw1 = new Float32Array(w.length);
        const dw2 = new Float32Array(w.length);
        referenceConv2dBackwardWeight(g, x, dy, dw1);
        k.conv2dBackwardWeight(g, x, dy, dw2);
        const terms = g.batch * g.outH * g.outW;
        expect(mismatch(dw2, dw1, 3e-7 * (terms + 1), 1e-5), JSON.stringify(g)).toBe('');
      }
    }
  });

  it('conv2d direct 3×3 paths (inC % 4 = 0): bit for bit the float32 sums of the im2col + GEMM path', () => {
    const rand = seededRandom(17);
    for (const kk of [simd, relaxed]) {
      if (!kk) continue;
      const fused = kk.name === 'wasm-relaxed-simd';
      for (const [batch, inH, inW, inC, outC, pT, pL, pB, pR] of [
        [2, 14, 14, 8, 16, 1, 1, 1, 1],
        [3, 5, 7, 8, 16, 1, 1, 1, 1],
        [1, 7, 5, 4, 8, 1, 1, 1, 1],
        [2, 5, 7, 12, 24, 1, 1, 1, 1],
        [2, 6, 5, 16, 8, 0, 0, 0, 0],
        [2, 6, 7, 8, 16, 2, 0, 1, 2],
      ]) {
        const g = {
          batch,
          inH,
          inW,
          inC,
          outH: inH + pT + pB - 2,
          outW: inW + pL + pR - 2,
          outC,
          kH: 3,
          kW: 3,
          strideH: 1,
          strideW: 1,
          padTop: pT,
          padLeft: pL,
          dilationH: 1,
          dilationW: 1,
          groups: 1,
        };
        // Values whose sums round (order matters), some ±0 and underflowing products.
        const special = (array: FloatArray) => {
          const a = array as Float32Array;
          for (let i = 0; i < a.length; i++) {
            const u = rand();
            if (u < 0.05) a[i] = 0;
            else if (u < 0.1) a[i] = -0;
            else if (u < 0.15) a[i] *= 1e-25;
          }
          return a;
        };
        const x = special(randomArray(Float32Array, batch * inH * inW * inC, rand));
        const w = special(randomArray(Float32Array, outC * 9 * inC, rand));
        const bias = special(randomArray(Float32Array, outC, rand));
        const dy = special(randomArray(Float32Array, batch * g.outH * g.outW * outC, rand));
        const where = JSON.stringify({ name: kk.name, batch, inH, inW, inC, outC, pT, pL, pB, pR });
        const y = new Float32Array(dy.length);
        kk.conv2dForward(g, x, w, bias, y);
        expect(bitsOf(y), `forward ${where}`).toEqual(bitsOf(gemmOrderForward(g, x, w, bias, fused)));
        kk.conv2dForward(g, x, w, null, y);
        expect(bitsOf(y), `forward no bias ${where}`).toEqual(bitsOf(gemmOrderForward(g, x, w, null, fused)));
        const dx = new Float32Array(x.length);
        kk.conv2dBackwardInput(g, dy, w, dx);
        expect(bitsOf(dx), `backward input ${where}`).toEqual(
          bitsOf(gemmOrderBackwardInput(g, dy, w, fused)),
        );
        const dw = new Float32Array(w.length);
        kk.conv2dBackwardWeight(g, x, dy, dw);
        expect(bitsOf(dw), `backward weight ${where}`).toEqual(
          bitsOf(gemmOrderBackwardWeight(g, x, dy, fused)),
        );
        // A non-finite weight: padding taps must not turn the input gradient's skipped terms into NaN.
        const wInf = w.slice();
        wInf[5] = Number.POSITIVE_INFINITY;
        wInf[w.length - 3] = Number.NaN;
        kk.conv2dBackwardInput(g, dy, wInf, dx);
        expect(bitsOf(dx), `backward input, ∞ and NaN weights ${where}`).toEqual(
          bitsOf(gemmOrderBackwardInput(g, dy, wInf, fused)),
        );
      }
    }
  });

  it('maxPool2d: SIMD channel path keeps the first maximum, NaN propagation and argmax (channels 8 and 9)', () => {
    const rand = seededRandom(15);
    for (const channels of [8, 9, 12]) {
      const g = {
        batch: 2,
        inH: 7,
        inW: 6,
        channels,
        outH: 4,
        outW: 3,
        kH: 2,
        kW: 2,
        strideH: 2,
        strideW: 2,
        padTop: 1,
        padLeft: 0,
        dilationH: 1,
        dilationW: 1,
      };
      const x = randomArray(Float32Array, g.batch * g.inH * g.inW * channels, rand);
      for (let i = 0; i < x.length; i++) {
        const r = rand();
        if (r < 0.1) x[i] = Number.NaN;
        else if (r < 0.3) x[i] = 0.25;
      }
      const size = g.batch * g.outH * g.outW * channels;
      const out1 = new Float32Array(size);
      const arg1 = new Int32Array(size);
      const out2 = new Float32Array(size);
      const arg2 = new Int32Array(size);
      referenceMaxPool2dForward(g, x, out1, arg1);
      k.maxPool2dForward(g, x, out2, arg2);
      expect(Array.from(out2)).toEqual(Array.from(out1));
      expect(Array.from(arg2)).toEqual(Array.from(arg1));
    }
  });

  it('reuses its memory: repeated calls give identical results and the memory stops growing', () => {
    const rand = seededRandom(14);
    const a = randomArray(Float32Array, 200 * 150, rand);
    const b = randomArray(Float32Array, 150 * 170, rand);
    const c1 = new Float32Array(200 * 170);
    const c2 = new Float32Array(200 * 170);
    const fresh = createWasmKernels('simd') as WasmKernels;
    fresh.gemm(false, false, 200, 170, 150, a, 0, 150, b, 0, 170, c1, 0, 170, false);
    const bytes = (fresh as unknown as { runtime: { arena: { memory: WebAssembly.Memory } } }).runtime.arena
      .memory.buffer.byteLength;
    fresh.gemm(false, false, 20, 17, 15, a, 0, 150, b, 0, 170, new Float32Array(20 * 170), 0, 170, false);
    fresh.gemm(false, false, 200, 170, 150, a, 0, 150, b, 0, 170, c2, 0, 170, false);
    expect(Array.from(c2)).toEqual(Array.from(c1));
    expect(
      (fresh as unknown as { runtime: { arena: { memory: WebAssembly.Memory } } }).runtime.arena.memory.buffer
        .byteLength,
    ).toBe(bytes);
  });
});

const f32 = Math.fround;

/** The bits of a float32 array (tells −0 from +0 and compares NaN payload-free: all NaNs as one). */
function bitsOf(a: Float32Array): number[] {
  const bits = new Int32Array(a.buffer, a.byteOffset, a.length);
  return Array.from(bits, (b, i) => (Number.isNaN(a[i]) ? 0x7fc00000 : b));
}

/** float32 fma(a, b, c) rounded once (a·b is exact in float64; a float64 sum that lands on a float32 tie is fixed). */
function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = f32(s);
  if (!Number.isFinite(s) || r === s) return r;
  // TwoSum: s + err = p + c exactly.
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  if (err === 0) return r;
  const other = nextF32(r, s > r ? 1 : -1);
  if (Math.abs(s - r) !== Math.abs(other - s)) return r; // not a tie: rounding s is rounding p + c
  return err > 0 === other > r ? other : r;
}

function nextF32(v: number, dir: 1 | -1): number {
  const buf = new Float32Array([v]);
  const bits = new Int32Array(buf.buffer);
  if (v === 0) bits[0] = dir > 0 ? 1 : -2147483647;
  else bits[0] += v > 0 === dir > 0 ? 1 : -1;
  return buf[0];
}

/** One madd of the kernels: fused (relaxed SIMD) or float32 multiply then add. */
function madd(a: number, b: number, c: number, fused: boolean): number {
  return fused ? fmaF32(a, b, c) : f32(f32(a * b) + c);
}

/** x[n, ih, iw, ic], 0 in the padding. */
function xAt(g: Conv2dGeometry, x: Float32Array, n: number, ih: number, iw: number, ic: number): number {
  return ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW ? 0 : x[((n * g.inH + ih) * g.inW + iw) * g.inC + ic];
}

/** Forward as im2col + GEMM sums it: from the bias (or +0), then k = (kh, kw, ic) in order, padding taps as 0·w. */
function gemmOrderForward(
  g: Conv2dGeometry,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  fused: boolean,
): Float32Array {
  const out = new Float32Array(g.batch * g.outH * g.outW * g.outC);
  const K = 9 * g.inC;
  let o = 0;
  for (let n = 0; n < g.batch; n++)
    for (let oh = 0; oh < g.outH; oh++)
      for (let ow = 0; ow < g.outW; ow++)
        for (let oc = 0; oc < g.outC; oc++) {
          let s = bias ? bias[oc] : 0;
          for (let k = 0; k < K; k++) {
            const t = Math.floor(k / g.inC);
            const xv = xAt(g, x, n, oh + Math.floor(t / 3) - g.padTop, ow + (t % 3) - g.padLeft, k % g.inC);
            s = madd(xv, w[oc * K + k], s, fused);
          }
          out[o++] = s;
        }
  return out;
}

/**
 * Input gradient as GEMM + col2imAdd sums it: col = Σ_oc dOut·w (from +0), added into dx (from +0) output pixel after
 * output pixel, taps outside the input skipped.
 */
function gemmOrderBackwardInput(
  g: Conv2dGeometry,
  dOut: Float32Array,
  w: Float32Array,
  fused: boolean,
): Float32Array {
  const dx = new Float32Array(g.batch * g.inH * g.inW * g.inC);
  const K = 9 * g.inC;
  for (let n = 0; n < g.batch; n++)
    for (let oh = 0; oh < g.outH; oh++)
      for (let ow = 0; ow < g.outW; ow++) {
        const r = ((n * g.outH + oh) * g.outW + ow) * g.outC;
        for (let k = 0; k < K; k++) {
          const t = Math.floor(k / g.inC);
          const ih = oh + Math.floor(t / 3) - g.padTop;
          const iw = ow + (t % 3) - g.padLeft;
          if (ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW) continue;
          let c = 0;
          for (let oc = 0; oc < g.outC; oc++) c = madd(dOut[r + oc], w[oc * K + k], c, fused);
          const i = ((n * g.inH + ih) * g.inW + iw) * g.inC + (k % g.inC);
          dx[i] = f32(dx[i] + c);
        }
      }
  return dx;
}

/**
 * Weight gradient as the GEMM sums it: from +0 over the output pixels in order, padding taps as 0; with two images or
 * more the glue sums images [0, ⌈N/2⌉) and the rest apart and adds the two.
 */
function gemmOrderBackwardWeight(
  g: Conv2dGeometry,
  x: Float32Array,
  dOut: Float32Array,
  fused: boolean,
): Float32Array {
  const K = 9 * g.inC;
  const dw = new Float32Array(g.outC * K);
  for (let oc = 0; oc < g.outC; oc++)
    for (let k = 0; k < K; k++) {
      const t = Math.floor(k / g.inC);
      const n0 = g.batch >= 2 ? Math.ceil(g.batch / 2) : g.batch;
      const half = [0, 0];
      for (let n = 0; n < g.batch; n++)
        for (let oh = 0; oh < g.outH; oh++)
          for (let ow = 0; ow < g.outW; ow++) {
            const xv = xAt(g, x, n, oh + Math.floor(t / 3) - g.padTop, ow + (t % 3) - g.padLeft, k % g.inC);
            const h = n < n0 ? 0 : 1;
            half[h] = madd(dOut[((n * g.outH + oh) * g.outW + ow) * g.outC + oc], xv, half[h], fused);
          }
      dw[oc * K + k] = g.batch >= 2 ? f32(half[0] + half[1]) : half[0];
    }
  return dw;
}
