/**
 * The batch-norm loops in WebAssembly SIMD (float32 data, float64 arithmetic), from batch-norm.asm.ts, loaded with
 * @hw3/core's small loader (`instantiateWasm`, `WasmArena`) into their own instance and memory. They run exactly
 * when the active @hw3/core kernels are a WebAssembly set (`getKernels().wasmVariant`), so `setKernels(tsKernels)`
 * makes every loop TypeScript again. Each call copies its inputs into the instance's memory and the outputs back;
 * the memory grows on demand and is reused.
 */
import { type FloatArray, getKernels } from '@hw3/core';
import { instantiateWasm, WasmArena } from '@hw3/core/kernels';
import { batchNormWasmBuilds } from './batch-norm.generated';

interface BatchNormExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
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
  reluInPlace(p: number, n: number): void;
  bnReluMask(
    x: number,
    dy: number,
    rows: number,
    C: number,
    mean: number,
    scale: number,
    offset: number,
  ): void;
}

const isF32 = (a: FloatArray | null): boolean => a === null || a instanceof Float32Array;

/** One instance of the batch-norm loops. Float32 only: `forward` / `backward` return false for anything else. */
export class BatchNormWasm {
  private readonly e: BatchNormExports;
  private readonly arena: WasmArena;

  constructor(instance: WebAssembly.Instance) {
    this.e = instance.exports as unknown as BatchNormExports;
    this.arena = new WasmArena(this.e.memory, this.e.heapBase());
  }

  /**
   * Forward on channels-last x viewed as [rows, channels]. training: per channel, shift K = x[0, c],
   * s1 = Σ(x − K), s2 = Σ(x − K)², then mean = K + s1/m, variance = max((s2 − s1²/m)/m, 0),
   * invStd = 1/√(variance + eps) are written (m = rows); otherwise mean and invStd are read. Then
   * out = (x − mean)·(γ·invStd) + β (γ = 1, β = 0 when null), then max(out, 0) when `relu` (fused BN + ReLU).
   * `out` may be x. False (nothing written) when declined.
   */
  forward(
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
    relu = false,
  ): boolean {
    const C = channels;
    const size = rows * C;
    const arena = this.arena;
    if (!(isF32(x) && isF32(gamma) && isF32(beta) && isF32(out)) || rows < 1 || C < 1) return false;
    if (x.length < size || out.length < size || !arena.reserve(4 * size + 8 * 6 * C + 48)) return false;
    const xp = arena.alloc(size);
    const s = arena.alloc(2 * 6 * C); // float64 [6][C]: k, s1, s2, mean, scale, offset
    const k = s;
    const s1 = s + 8 * C;
    const s2 = s + 16 * C;
    const mp = s + 24 * C;
    const sp = s + 32 * C;
    const op = s + 40 * C;
    arena.f32.set(x.subarray(0, size), xp >> 2);
    const f64 = arena.f64;
    const b = s >> 3;
    if (training) {
      for (let c = 0; c < C; c++) f64[b + c] = x[c];
      this.e.bnReduce(xp, 0, rows, C, k, s1, s2);
      for (let c = 0; c < C; c++) {
        const a1 = f64[b + C + c];
        const a2 = f64[b + 2 * C + c];
        const biased = Math.max((a2 - (a1 * a1) / rows) / rows, 0);
        mean[c] = f64[b + c] + a1 / rows;
        variance[c] = biased;
        invStd[c] = 1 / Math.sqrt(biased + eps);
      }
    }
    for (let c = 0; c < C; c++) {
      f64[b + 3 * C + c] = mean[c];
      f64[b + 4 * C + c] = gamma === null ? invStd[c] : gamma[c] * invStd[c];
      f64[b + 5 * C + c] = beta === null ? 0 : beta[c];
    }
    this.e.bnAffine(xp, 0, xp, rows, C, mp, 0, sp, op);
    if (relu) this.e.reluInPlace(xp, size);
    out.set(arena.f32.subarray(xp >> 2, (xp >> 2) + size));
    return true;
  }

  /**
   * Training-mode backward: sumDy = Σ dy, sumDyXmu = Σ dy·(x − mean) per channel; then, when dx is not null,
   * dx = A·dy + B·(x − mean) + D with A = γ·invStd, B = −A·invStd²·sumDyXmu/m, D = −A·sumDy/m. `dx` may be dy.
   * With `relu` (the forward was the fused BN + ReLU, with this β), dy is first masked where the forward's output
   * was not > 0 (recomputed from x bit-exactly), as ReLU's backward would; the caller's dy is not modified.
   */
  backward(
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
    relu = false,
    beta: FloatArray | null = null,
  ): boolean {
    const C = channels;
    const size = rows * C;
    const arena = this.arena;
    if (!(isF32(dy) && isF32(x) && isF32(gamma) && isF32(dx) && isF32(beta)) || rows < 1 || C < 1)
      return false;
    if (dy.length < size || x.length < size || (dx !== null && dx.length < size)) return false;
    if (!arena.reserve(8 * size + 8 * 6 * C + 48)) return false;
    const dyp = arena.alloc(size);
    const xp = arena.alloc(size);
    const s = arena.alloc(2 * 6 * C); // float64 [6][C]: mean, sumDy, sumDyXmu, A, B, D
    const f32 = arena.f32;
    f32.set(dy.subarray(0, size), dyp >> 2);
    f32.set(x.subarray(0, size), xp >> 2);
    const f64 = arena.f64;
    const b = s >> 3;
    for (let c = 0; c < C; c++) f64[b + c] = mean[c];
    if (relu) {
      for (let c = 0; c < C; c++) {
        f64[b + 3 * C + c] = gamma === null ? invStd[c] : gamma[c] * invStd[c];
        f64[b + 4 * C + c] = beta === null ? 0 : beta[c];
      }
      this.e.bnReluMask(xp, dyp, rows, C, s, s + 24 * C, s + 32 * C);
    }
    this.e.bnReduce(xp, dyp, rows, C, s, s + 8 * C, s + 16 * C);
    for (let c = 0; c < C; c++) {
      sumDy[c] = f64[b + C + c];
      sumDyXmu[c] = f64[b + 2 * C + c];
    }
    if (dx === null) return true;
    for (let c = 0; c < C; c++) {
      const a = gamma === null ? invStd[c] : gamma[c] * invStd[c];
      f64[b + 3 * C + c] = a;
      f64[b + 4 * C + c] = (-a * invStd[c] * invStd[c] * sumDyXmu[c]) / rows;
      f64[b + 5 * C + c] = (-a * sumDy[c]) / rows;
    }
    this.e.bnAffine(xp, dyp, dyp, rows, C, s, s + 24 * C, s + 32 * C, s + 40 * C);
    dx.set(arena.f32.subarray(dyp >> 2, (dyp >> 2) + size));
    return true;
  }
}

let loops: BatchNormWasm | null | undefined;

/** Creates the batch-norm loops (null where WebAssembly SIMD is unavailable). */
export function createBatchNormWasm(): BatchNormWasm | null {
  const instance = instantiateWasm(batchNormWasmBuilds, 'simd');
  return instance === null ? null : new BatchNormWasm(instance);
}

/**
 * The batch-norm loops to use now: this package's WebAssembly loops when the active @hw3/core kernels are a
 * WebAssembly kernel set, else null (the TypeScript kernels of this package run).
 */
export function activeBatchNormWasm(): BatchNormWasm | null {
  if (getKernels().wasmVariant === undefined) return null;
  if (loops === undefined) loops = createBatchNormWasm();
  return loops;
}
