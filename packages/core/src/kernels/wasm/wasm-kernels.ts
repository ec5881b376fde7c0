/**
 * WebAssembly SIMD implementation of `Kernels` (float32), compiled from asm/kernels.ts (AssemblyScript) at build
 * time and embedded as base64 in kernels.generated.ts, so nothing is fetched at run time.
 *
 * - Float32 only: a call with any Float64Array argument runs the TypeScript kernel (gradchecks stay exact).
 * - Two builds: relaxed SIMD (f32x4.relaxed_madd, fused multiply-add) when `WebAssembly.validate` accepts it
 *   (current Chrome; Node 20 only with --experimental-wasm-relaxed-simd), else plain SIMD128; else null.
 * - Wasm linear memory is separate from JS typed arrays: each call copies its inputs into the module's memory and
 *   its outputs back (O(n²) copies around O(n³) work). Memory grows on demand and is reused; after warm-up no call
 *   allocates. Instances are single-threaded and not re-entrant (kernels never call back into JS).
 */
import type { Conv2dGeometry, FloatArray, Kernels, Pool2dGeometry } from '../kernels';
import { tsKernels } from '../ts-kernels';
import { relaxedSimdWasmBase64, simdWasmBase64 } from './kernels.generated';

interface WasmExports {
  memory: WebAssembly.Memory;
  MC: WebAssembly.Global;
  KC: WebAssembly.Global;
  NC: WebAssembly.Global;
  heapBase(): number;
  relaxed(): number;
  gemm(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    accumulate: number,
    packedA: number,
    packedB: number,
  ): void;
  setConvGeometry(...g: number[]): void;
  setEdgeScratch(ptr: number): void;
  conv2dForward(
    x: number,
    w: number,
    bias: number,
    out: number,
    col: number,
    chunkRows: number,
    pa: number,
    pb: number,
  ): void;
  conv2dBackwardInput(
    dOut: number,
    w: number,
    dx: number,
    col: number,
    chunkRows: number,
    pa: number,
    pb: number,
  ): void;
  conv2dBackwardWeight(
    x: number,
    dOut: number,
    dw: number,
    col: number,
    chunkRows: number,
    pa: number,
    pb: number,
  ): void;
  maxPool2dForward(x: number, out: number, argmax: number): void;
  maxPool2dBackward(argmax: number, g: number, m: number, dx: number, n: number): void;
  reluForward(x: number, out: number, n: number): void;
  reluBackward(y: number, g: number, out: number, n: number): void;
  channelSum(g: number, rows: number, channels: number, acc: number, out: number): void;
  bnReduce(x: number, y: number, rows: number, C: number, k: number, s1: number, s2: number): void;
  bnAffine(
    x: number,
    y: number,
    out: number,
    rows: number,
    C: number,
    mean: number,
    a: number,
    scale: number,
    offset: number,
  ): void;
}

/** Which embedded build to use: 'auto' picks relaxed SIMD when the engine validates it. */
export type WasmVariant = 'auto' | 'simd' | 'relaxed-simd';

/** im2col works on chunks of output rows holding about this many floats (256 KiB: stays in L2). */
const COL_CHUNK_FLOATS = 65536;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The first of the embedded builds (base64) that `variant` allows and this engine validates: 'auto' tries relaxed
 * SIMD, then SIMD. Null when none validates. Shared with the two-thread kernels (their builds import the memory).
 */
export function validWasmBytes(
  variant: WasmVariant,
  relaxedSimdBase64: string,
  simdBase64: string,
): Uint8Array<ArrayBuffer> | null {
  const candidates =
    variant === 'auto'
      ? [relaxedSimdBase64, simdBase64]
      : [variant === 'simd' ? simdBase64 : relaxedSimdBase64];
  for (const b64 of candidates) {
    const bytes = decodeBase64(b64);
    if (WebAssembly.validate(bytes)) return bytes;
  }
  return null;
}

/** The embedded module bytes for a variant, or null when this engine cannot validate them. */
export function wasmKernelBytes(variant: WasmVariant = 'auto'): Uint8Array<ArrayBuffer> | null {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return null;
  return validWasmBytes(variant, relaxedSimdWasmBase64, simdWasmBase64);
}

function span(rows: number, cols: number, ld: number): number {
  return rows > 0 && cols > 0 ? (rows - 1) * ld + cols : 0;
}

function checkRange(name: string, array: FloatArray | Int32Array, offset: number, length: number): void {
  if (offset < 0 || offset + length > array.length) {
    throw new RangeError(
      `wasm kernels: ${name} needs elements [${offset}, ${offset + length}) but has length ${array.length}`,
    );
  }
}

const isF32 = (a: FloatArray | null): boolean => a === null || a instanceof Float32Array;

/** Kernels backed by one WebAssembly instance; see the file comment. */
export class WasmKernels implements Kernels {
  readonly name: string;
  protected readonly exports: WasmExports;
  protected readonly memory: WebAssembly.Memory;
  private f32: Float32Array;
  private i32: Int32Array;
  protected readonly packedA: number;
  protected readonly packedB: number;
  /** Start of `extraFixedBytes` reserved for subclasses (worker pack buffers), 16-byte aligned. */
  protected readonly extraBase: number;
  /** How many im2col buffers a conv call reserves (one per thread). */
  protected colBuffers = 1;
  /** First byte of the per-call region; top is the bump pointer during a call. */
  private readonly dynamicBase: number;
  private top = 0;

  /**
   * @param memory the instance's memory when it is imported (shared builds); default: its exported memory.
   * @param extraFixedBytes bytes reserved after the pack buffers for a subclass (at `extraBase`).
   * @param nameSuffix appended to `name` (e.g. '-2threads').
   */
  constructor(
    instance: WebAssembly.Instance,
    memory?: WebAssembly.Memory,
    extraFixedBytes = 0,
    nameSuffix = '',
  ) {
    this.exports = instance.exports as unknown as WasmExports;
    const e = this.exports;
    this.memory = memory ?? e.memory;
    this.name = (e.relaxed() ? 'wasm-relaxed-simd' : 'wasm-simd') + nameSuffix;
    const mc = e.MC.value as number;
    const kc = e.KC.value as number;
    const nc = e.NC.value as number;
    const base = (e.heapBase() + 15) & ~15;
    this.packedA = base;
    this.packedB = base + mc * kc * 4;
    this.extraBase = this.packedB + kc * nc * 4;
    this.dynamicBase = this.extraBase + ((extraFixedBytes + 15) & ~15);
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    this.reserve(0);
  }

  /**
   * Starts a call needing `bytes` of per-call memory: grows the memory once if needed. Returns false when the memory
   * cannot grow that far (wasm32 limit, or the engine refuses): the caller then runs the TypeScript kernel.
   */
  private reserve(bytes: number): boolean {
    const memory = this.memory;
    const needed = this.dynamicBase + bytes + 64 * 16;
    if (memory.buffer.byteLength < needed) {
      try {
        memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
      } catch {
        return false;
      }
    }
    if (this.f32.buffer !== memory.buffer) {
      this.f32 = new Float32Array(memory.buffer);
      this.i32 = new Int32Array(memory.buffer);
    }
    this.top = this.dynamicBase;
    return true;
  }

  /** Bump-allocates `floats` 4-byte elements (16-byte aligned) inside the reserved region. */
  protected alloc(floats: number): number {
    const ptr = this.top;
    this.top += (floats * 4 + 15) & ~15;
    return ptr;
  }

  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: FloatArray,
    aOffset: number,
    lda: number,
    b: FloatArray,
    bOffset: number,
    ldb: number,
    c: FloatArray,
    cOffset: number,
    ldc: number,
    accumulate: boolean,
  ): void {
    if (!(isF32(a) && isF32(b) && isF32(c))) {
      tsKernels.gemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate);
      return;
    }
    if (m <= 0 || n <= 0) return;
    const aSpan = transA ? span(k, m, lda) : span(m, k, lda);
    const bSpan = transB ? span(n, k, ldb) : span(k, n, ldb);
    const cSpan = span(m, n, ldc);
    checkRange('a', a, aOffset, aSpan);
    checkRange('b', b, bOffset, bSpan);
    checkRange('c', c, cOffset, cSpan);
    const bytes = 4 * (aSpan + bSpan + cSpan) + 48;
    if (!this.reserve(bytes)) {
      tsKernels.gemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate);
      return;
    }
    const ap = this.alloc(aSpan);
    const bp = this.alloc(bSpan);
    const cp = this.alloc(cSpan);
    const f32 = this.f32;
    f32.set(a.subarray(aOffset, aOffset + aSpan), ap >> 2);
    f32.set(b.subarray(bOffset, bOffset + bSpan), bp >> 2);
    // Copy C in when its old values matter: accumulate, or gaps between rows (ldc > n) copied back out below.
    if (accumulate || ldc !== n) f32.set(c.subarray(cOffset, cOffset + cSpan), cp >> 2);
    this.runGemm(transA, transB, m, n, k, ap, lda, bp, ldb, cp, ldc, accumulate);
    c.set(this.f32.subarray(cp >> 2, (cp >> 2) + cSpan), cOffset);
  }

  /** Runs the GEMM on buffers already in wasm memory (byte addresses). Subclasses split it across threads. */
  protected runGemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    ap: number,
    lda: number,
    bp: number,
    ldb: number,
    cp: number,
    ldc: number,
    accumulate: boolean,
  ): void {
    this.exports.gemm(
      +transA,
      +transB,
      m,
      n,
      k,
      ap,
      lda,
      bp,
      ldb,
      cp,
      ldc,
      +accumulate,
      this.packedA,
      this.packedB,
    );
  }

  /**
   * Runs conv2d forward (kind 0: input = x, output = out) or backward input (kind 1: input = dOut, output = dx) on
   * buffers in wasm memory; `col` holds `colBuffers` im2col buffers of `colFloats` each. Both are independent per
   * image, so subclasses may split the batch.
   */
  protected runConv(
    kind: 0 | 1,
    g: Conv2dGeometry,
    input: number,
    w: number,
    bias: number,
    output: number,
    col: number,
    chunkRows: number,
  ): void {
    this.setGeometry(g);
    if (kind === 0)
      this.exports.conv2dForward(input, w, bias, output, col, chunkRows, this.packedA, this.packedB);
    else this.exports.conv2dBackwardInput(input, w, output, col, chunkRows, this.packedA, this.packedB);
  }

  protected setGeometry(g: Conv2dGeometry): void {
    this.exports.setConvGeometry(
      g.batch,
      g.inH,
      g.inW,
      g.inC,
      g.outH,
      g.outW,
      g.outC,
      g.kH,
      g.kW,
      g.strideH,
      g.strideW,
      g.padTop,
      g.padLeft,
      g.dilationH,
      g.dilationW,
      g.groups,
    );
  }

  /** Output rows per im2col chunk and the col buffer size in floats. */
  protected static colChunk(g: Conv2dGeometry): { rows: number; floats: number } {
    const K = g.kH * g.kW * (g.inC / g.groups);
    const rows = Math.max(16, Math.floor(COL_CHUNK_FLOATS / Math.max(K, 1)));
    return { rows, floats: rows * K };
  }

  conv2dForward(
    g: Conv2dGeometry,
    x: FloatArray,
    w: FloatArray,
    bias: FloatArray | null,
    out: FloatArray,
  ): void {
    if (!(isF32(x) && isF32(w) && isF32(bias) && isF32(out))) {
      tsKernels.conv2dForward(g, x, w, bias, out);
      return;
    }
    const xSize = g.batch * g.inH * g.inW * g.inC;
    const wSize = g.outC * g.kH * g.kW * (g.inC / g.groups);
    const outSize = g.batch * g.outH * g.outW * g.outC;
    checkRange('x', x, 0, xSize);
    checkRange('w', w, 0, wSize);
    checkRange('out', out, 0, outSize);
    if (bias) checkRange('bias', bias, 0, g.outC);
    const chunk = WasmKernels.colChunk(g);
    if (!this.reserve(4 * (xSize + wSize + outSize + g.outC + chunk.floats * this.colBuffers) + 80)) {
      tsKernels.conv2dForward(g, x, w, bias, out);
      return;
    }
    const xp = this.alloc(xSize);
    const wp = this.alloc(wSize);
    const bp = bias ? this.alloc(g.outC) : 0;
    const op = this.alloc(outSize);
    const colp = this.alloc(chunk.floats * this.colBuffers);
    const f32 = this.f32;
    f32.set(x.subarray(0, xSize), xp >> 2);
    f32.set(w.subarray(0, wSize), wp >> 2);
    if (bias) f32.set(bias.subarray(0, g.outC), bp >> 2);
    this.runConv(0, g, xp, wp, bp, op, colp, chunk.rows);
    out.set(this.f32.subarray(op >> 2, (op >> 2) + outSize));
  }

  conv2dBackwardInput(g: Conv2dGeometry, dOut: FloatArray, w: FloatArray, dx: FloatArray): void {
    if (!(isF32(dOut) && isF32(w) && isF32(dx))) {
      tsKernels.conv2dBackwardInput(g, dOut, w, dx);
      return;
    }
    const dxSize = g.batch * g.inH * g.inW * g.inC;
    const wSize = g.outC * g.kH * g.kW * (g.inC / g.groups);
    const dOutSize = g.batch * g.outH * g.outW * g.outC;
    checkRange('dOut', dOut, 0, dOutSize);
    checkRange('w', w, 0, wSize);
    checkRange('dx', dx, 0, dxSize);
    const chunk = WasmKernels.colChunk(g);
    if (!this.reserve(4 * (dxSize + wSize + dOutSize + chunk.floats * this.colBuffers) + 64)) {
      tsKernels.conv2dBackwardInput(g, dOut, w, dx);
      return;
    }
    const dop = this.alloc(dOutSize);
    const wp = this.alloc(wSize);
    const dxp = this.alloc(dxSize);
    const colp = this.alloc(chunk.floats * this.colBuffers);
    const f32 = this.f32;
    f32.set(dOut.subarray(0, dOutSize), dop >> 2);
    f32.set(w.subarray(0, wSize), wp >> 2);
    this.runConv(1, g, dop, wp, 0, dxp, colp, chunk.rows);
    dx.set(this.f32.subarray(dxp >> 2, (dxp >> 2) + dxSize));
  }

  conv2dBackwardWeight(g: Conv2dGeometry, x: FloatArray, dOut: FloatArray, dw: FloatArray): void {
    if (!(isF32(x) && isF32(dOut) && isF32(dw))) {
      tsKernels.conv2dBackwardWeight(g, x, dOut, dw);
      return;
    }
    const xSize = g.batch * g.inH * g.inW * g.inC;
    const wSize = g.outC * g.kH * g.kW * (g.inC / g.groups);
    const dOutSize = g.batch * g.outH * g.outW * g.outC;
    checkRange('x', x, 0, xSize);
    checkRange('dOut', dOut, 0, dOutSize);
    checkRange('dw', dw, 0, wSize);
    const chunk = WasmKernels.colChunk(g);
    if (!this.reserve(4 * (xSize + wSize + dOutSize + chunk.floats) + 64)) {
      tsKernels.conv2dBackwardWeight(g, x, dOut, dw);
      return;
    }
    const xp = this.alloc(xSize);
    const dop = this.alloc(dOutSize);
    const dwp = this.alloc(wSize);
    const colp = this.alloc(chunk.floats);
    const f32 = this.f32;
    f32.set(x.subarray(0, xSize), xp >> 2);
    f32.set(dOut.subarray(0, dOutSize), dop >> 2);
    this.setGeometry(g);
    this.exports.conv2dBackwardWeight(xp, dop, dwp, colp, chunk.rows, this.packedA, this.packedB);
    dw.set(this.f32.subarray(dwp >> 2, (dwp >> 2) + wSize));
  }

  maxPool2dForward(g: Pool2dGeometry, x: FloatArray, out: FloatArray, argmax: Int32Array): void {
    if (!(isF32(x) && isF32(out))) {
      tsKernels.maxPool2dForward(g, x, out, argmax);
      return;
    }
    const xSize = g.batch * g.inH * g.inW * g.channels;
    const outSize = g.batch * g.outH * g.outW * g.channels;
    checkRange('x', x, 0, xSize);
    checkRange('out', out, 0, outSize);
    checkRange('argmax', argmax, 0, outSize);
    if (!this.reserve(4 * (xSize + 2 * outSize) + 48)) {
      tsKernels.maxPool2dForward(g, x, out, argmax);
      return;
    }
    const xp = this.alloc(xSize);
    const op = this.alloc(outSize);
    const ap = this.alloc(outSize);
    this.f32.set(x.subarray(0, xSize), xp >> 2);
    this.exports.setConvGeometry(
      g.batch,
      g.inH,
      g.inW,
      g.channels,
      g.outH,
      g.outW,
      g.channels,
      g.kH,
      g.kW,
      g.strideH,
      g.strideW,
      g.padTop,
      g.padLeft,
      g.dilationH,
      g.dilationW,
      1,
    );
    this.exports.maxPool2dForward(xp, op, ap);
    out.set(this.f32.subarray(op >> 2, (op >> 2) + outSize));
    argmax.set(this.i32.subarray(ap >> 2, (ap >> 2) + outSize));
  }

  maxPool2dBackward(argmax: Int32Array, g: FloatArray, dx: FloatArray): void {
    const m = argmax.length;
    const n = dx.length;
    if (!(isF32(g) && isF32(dx)) || g.length < m || !this.reserve(4 * (2 * m + n) + 48)) {
      tsKernels.maxPool2dBackward(argmax, g, dx);
      return;
    }
    const ap = this.alloc(m);
    const gp = this.alloc(m);
    const dxp = this.alloc(n);
    this.i32.set(argmax, ap >> 2);
    this.f32.set(g.subarray(0, m), gp >> 2);
    this.exports.maxPool2dBackward(ap, gp, m, dxp, n);
    dx.set(this.f32.subarray(dxp >> 2, (dxp >> 2) + n));
  }

  reluForward(x: FloatArray, out: FloatArray): void {
    const n = out.length;
    if (!(isF32(x) && isF32(out)) || x.length < n || !this.reserve(4 * n + 16)) {
      tsKernels.reluForward(x, out);
      return;
    }
    const p = this.alloc(n);
    this.f32.set(x.subarray(0, n), p >> 2);
    this.exports.reluForward(p, p, n);
    out.set(this.f32.subarray(p >> 2, (p >> 2) + n));
  }

  reluBackward(y: FloatArray, g: FloatArray, out: FloatArray): void {
    const n = out.length;
    if (!(isF32(y) && isF32(g) && isF32(out)) || y.length < n || g.length < n || !this.reserve(8 * n + 32)) {
      tsKernels.reluBackward(y, g, out);
      return;
    }
    const yp = this.alloc(n);
    const gp = this.alloc(n);
    this.f32.set(y.subarray(0, n), yp >> 2);
    this.f32.set(g.subarray(0, n), gp >> 2);
    this.exports.reluBackward(yp, gp, gp, n);
    out.set(this.f32.subarray(gp >> 2, (gp >> 2) + n));
  }

  channelSum(x: FloatArray, rows: number, channels: number, out: FloatArray): void {
    const size = rows * channels;
    if (!(isF32(x) && isF32(out)) || !this.reserve(4 * (size + channels) + 8 * channels + 48)) {
      tsKernels.channelSum(x, rows, channels, out);
      return;
    }
    checkRange('x', x, 0, size);
    checkRange('out', out, 0, channels);
    const accp = this.alloc(2 * channels);
    const xp = this.alloc(size);
    const op = this.alloc(channels);
    this.f32.set(x.subarray(0, size), xp >> 2);
    this.exports.channelSum(xp, rows, channels, accp, op);
    out.set(this.f32.subarray(op >> 2, (op >> 2) + channels));
  }

  batchNormForward(
    x: FloatArray,
    rows: number,
    channels: number,
    eps: number,
    gamma: FloatArray | null,
    beta: FloatArray | null,
    training: boolean,
    mean: Float64Array,
    variance: Float64Array,
    invStd: Float64Array,
    out: FloatArray,
  ): boolean {
    const C = channels;
    const size = rows * C;
    if (!(isF32(x) && isF32(gamma) && isF32(beta) && isF32(out)) || rows < 1 || C < 1) return false;
    if (x.length < size || out.length < size || !this.reserve(4 * size + 8 * 6 * C + 48)) return false;
    const xp = this.alloc(size);
    const s = this.alloc(2 * 6 * C); // float64 [6][C]: k, s1, s2, mean, scale, offset
    const k = s;
    const s1 = s + 8 * C;
    const s2 = s + 16 * C;
    const mp = s + 24 * C;
    const sp = s + 32 * C;
    const op = s + 40 * C;
    this.f32.set(x.subarray(0, size), xp >> 2);
    const f64 = new Float64Array(this.memory.buffer, s, 6 * C);
    if (training) {
      for (let c = 0; c < C; c++) f64[c] = x[c];
      this.exports.bnReduce(xp, 0, rows, C, k, s1, s2);
      for (let c = 0; c < C; c++) {
        const a1 = f64[C + c];
        const a2 = f64[2 * C + c];
        const biased = Math.max((a2 - (a1 * a1) / rows) / rows, 0);
        mean[c] = f64[c] + a1 / rows;
        variance[c] = biased;
        invStd[c] = 1 / Math.sqrt(biased + eps);
      }
    }
    for (let c = 0; c < C; c++) {
      f64[3 * C + c] = mean[c];
      f64[4 * C + c] = gamma === null ? invStd[c] : gamma[c] * invStd[c];
      f64[5 * C + c] = beta === null ? 0 : beta[c];
    }
    this.exports.bnAffine(xp, 0, xp, rows, C, mp, 0, sp, op);
    out.set(this.f32.subarray(xp >> 2, (xp >> 2) + size));
    return true;
  }

  batchNormBackward(
    dy: FloatArray,
    x: FloatArray,
    rows: number,
    channels: number,
    mean: Float64Array,
    invStd: Float64Array,
    gamma: FloatArray | null,
    sumDy: Float64Array,
    sumDyXmu: Float64Array,
    dx: FloatArray | null,
  ): boolean {
    const C = channels;
    const size = rows * C;
    if (!(isF32(dy) && isF32(x) && isF32(gamma) && isF32(dx)) || rows < 1 || C < 1) return false;
    if (dy.length < size || x.length < size || (dx !== null && dx.length < size)) return false;
    if (!this.reserve(8 * size + 8 * 6 * C + 48)) return false;
    const dyp = this.alloc(size);
    const xp = this.alloc(size);
    const s = this.alloc(2 * 6 * C); // float64 [6][C]: mean, sumDy, sumDyXmu, A, B, D
    const f32 = this.f32;
    f32.set(dy.subarray(0, size), dyp >> 2);
    f32.set(x.subarray(0, size), xp >> 2);
    const f64 = new Float64Array(this.memory.buffer, s, 6 * C);
    for (let c = 0; c < C; c++) f64[c] = mean[c];
    this.exports.bnReduce(xp, dyp, rows, C, s, s + 8 * C, s + 16 * C);
    for (let c = 0; c < C; c++) {
      sumDy[c] = f64[C + c];
      sumDyXmu[c] = f64[2 * C + c];
    }
    if (dx === null) return true;
    for (let c = 0; c < C; c++) {
      const a = gamma === null ? invStd[c] : gamma[c] * invStd[c];
      f64[3 * C + c] = a;
      f64[4 * C + c] = (-a * invStd[c] * invStd[c] * sumDyXmu[c]) / rows;
      f64[5 * C + c] = (-a * sumDy[c]) / rows;
    }
    this.exports.bnAffine(xp, dyp, dyp, rows, C, s, s + 24 * C, s + 32 * C, s + 40 * C);
    dx.set(this.f32.subarray(dyp >> 2, (dyp >> 2) + size));
    return true;
  }
}

/**
 * Creates the WebAssembly kernels synchronously, or returns null when WebAssembly SIMD is unavailable (or the engine
 * refuses synchronous compilation, as browsers may on the main thread for large modules): keep the TS kernels then.
 */
export function createWasmKernels(variant: WasmVariant = 'auto'): Kernels | null {
  try {
    const bytes = wasmKernelBytes(variant);
    if (!bytes) return null;
    return new WasmKernels(new WebAssembly.Instance(new WebAssembly.Module(bytes), {}));
  } catch {
    return null;
  }
}

/** Asynchronous variant of createWasmKernels (works on a browser main thread whatever the module size). */
export async function loadWasmKernels(variant: WasmVariant = 'auto'): Promise<Kernels | null> {
  try {
    const bytes = wasmKernelBytes(variant);
    if (!bytes) return null;
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return new WasmKernels(instance);
  } catch {
    return null;
  }
}
