/**
 * The batch-norm loops in WebAssembly SIMD (float32 data, float64 arithmetic), from batch-norm.asm.ts: a satellite
 * module of the active @hw3/core WebAssembly kernel set (`loadWasmSatellite` from `@hw3/core/kernels`). It runs on
 * that set's memory — no instance or memory of its own — with its per-call scratch from the set's arena, and in the
 * two-thread set on both threads. The loops run exactly when the active kernels are a WebAssembly set, so
 * `setKernels(tsKernels)` makes every loop TypeScript again.
 *
 * Operands that are already views of the kernel set's memory are used in place (by address); the others are copied
 * in once, and outputs that are not in that memory are copied out once.
 *
 * Two halves, on one thread and on two: the rows (the N·H·W axis) are cut into [0, h) and [h, rows) with
 * h = ⌈rows / 2⌉. The per-channel reductions (s1, s2 of the forward; Σ dy, Σ dy·(x − μ) of the backward) are computed
 * per half and added in that order (first + second) whatever the thread count, and the elementwise passes compute
 * each element once; so one and two threads give identical bits. With a running worker and at least
 * MIN_PARALLEL_WORK / 64 elements the second half runs on the worker while the calling thread does the first.
 */
import { type FloatArray, getKernels } from '@hw3/core';
import { type Kernels, loadWasmSatellite, type WasmSatellite } from '@hw3/core/kernels';
import { batchNormWasmBuilds } from './batch-norm.generated';

/** The batch-norm module's exports (byte addresses, sizes and flags; see batch-norm.asm.ts). */
export interface BatchNormExports {
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
  bnNormalize(
    x: number,
    out: number,
    rows: number,
    C: number,
    mean: number,
    scale: number,
    offset: number,
    relu: number,
  ): void;
  bnReluMaskReduce(
    x: number,
    dy: number,
    out: number,
    rows: number,
    C: number,
    mean: number,
    scale: number,
    offset: number,
    s1: number,
    s2: number,
  ): void;
  bnNormalizePool2x2(
    x: number,
    out: number,
    argmax: number,
    n0: number,
    n1: number,
    H: number,
    W: number,
    C: number,
    mean: number,
    scale: number,
    offset: number,
    relu: number,
  ): void;
}

/**
 * A 2×2 stride-2 max pool fused after the normalisation (and ReLU): x is [batch, height, width, C] (rows =
 * batch·height·width, C % 4 = 0); the forward's `out` is then the pooled [batch, ⌊height/2⌋, ⌊width/2⌋, C] with its
 * argmax (flat index into x, @hw3/core's convention; with ReLU −1, no gradient, where the window's maximum is not
 * positive). x, out and argmax must be views of the kernel set's memory (nothing is copied); otherwise the loops
 * decline. (The backward takes the max pool's backward as a separate pass:
 * a gather inside the first backward pass measured slower.)
 */
export interface FusedMaxPool2x2 {
  batch: number;
  height: number;
  width: number;
  argmax: Int32Array;
}

const isF32 = (a: FloatArray | null): boolean => a === null || a instanceof Float32Array;

/** The first half's row count: rows [0, h) and [h, rows) are the two fixed halves. */
export function firstHalfRows(rows: number): number {
  return Math.ceil(rows / 2);
}

/**
 * The pooled length of a fused 2×2 max pool, or +∞ when `pool` does not describe `rows` × C (C % 4 = 0, at least one
 * window, integer sizes, an Int32Array argmax that long): the loops then decline.
 */
function pooledSize(pool: FusedMaxPool2x2, rows: number, C: number): number {
  const { batch: N, height: H, width: W, argmax } = pool;
  const ok = Number.isInteger(N) && Number.isInteger(H) && Number.isInteger(W) && N >= 1 && H >= 2 && W >= 2;
  if (!ok || N * H * W !== rows || C % 4 !== 0 || !(argmax instanceof Int32Array))
    return Number.POSITIVE_INFINITY;
  const size = N * (H >> 1) * (W >> 1) * C;
  return argmax.length < size ? Number.POSITIVE_INFINITY : size;
}

/** Whether byte ranges [a, a + n) and [b, b + n) overlap (both in the memory, a, b ≥ 0). */
const overlaps = (a: number, b: number, n: number): boolean => a < b + n && b < a + n;

/** The batch-norm loops on one kernel set's memory. Float32 only: `forward` / `backward` return false otherwise. */
export class BatchNormWasm {
  private readonly sat: WasmSatellite<BatchNormExports>;

  constructor(satellite: WasmSatellite<BatchNormExports>) {
    this.sat = satellite;
  }

  /**
   * Forward on channels-last x viewed as [rows, channels]. training: per channel, shift K = x[0, c],
   * s1 = Σ(x − K), s2 = Σ(x − K)² (per half, then first + second), then mean = K + s1/m,
   * variance = max((s2 − s1²/m)/m, 0), invStd = 1/√(variance + eps) are written (m = rows); otherwise mean and invStd
   * are read. Then out = (x − mean)·(γ·invStd) + β (γ = 1, β = 0 when null), then max(out, 0) when `relu` (fused
   * BN + ReLU). `out` may be x. With `pool`, out is instead the 2×2 stride-2 max pool of that and pool.argmax its
   * argmax — with `relu`, −1 where a window's maximum is not > 0 (ReLU's backward folded in) — from one pass over x
   * (bnNormalizePool2x2). False (nothing written) when declined.
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
    pool: FusedMaxPool2x2 | null = null,
  ): boolean {
    const C = channels;
    const size = rows * C;
    if (!(isF32(x) && isF32(gamma) && isF32(beta) && isF32(out)) || rows < 1 || C < 1) return false;
    if (x.length < size || out.length < (pool === null ? size : pooledSize(pool, rows, C))) return false;
    const sat = this.sat;
    // Addresses first: a growth in reserve() detaches an unshared memory's old views (the bytes stay put).
    const xa = sat.addressOf(x);
    const oa = sat.addressOf(out);
    const pa = pool === null ? -1 : sat.addressOf(pool.argmax);
    if (pool !== null && (xa < 0 || oa < 0 || pa < 0)) return false;
    const ga = gamma === null ? -1 : sat.addressOf(gamma);
    const ba = beta === null ? -1 : sat.addressOf(beta);
    const scratch = xa < 0 ? size : oa < 0 ? size : 0;
    if (!sat.reserve(4 * scratch + 8 * 8 * C + 64)) return false;
    const arena = sat.arena;
    const s = arena.alloc(2 * 8 * C); // float64 [8][C]: k, s1 and s2 of each half, mean, scale, offset
    const xCopied = xa < 0;
    const xp = xCopied ? arena.alloc(size) : xa;
    const op = oa >= 0 ? oa : xCopied ? xp : arena.alloc(size);
    const f32 = arena.f32;
    const f64 = arena.f64;
    const e = sat.exports;
    const b = s >> 3;
    const h = firstHalfRows(rows);
    const rest = rows - h;
    const hC = h * C;
    const xq = xp + 4 * hC;
    const worker = rest > 0 ? sat.parallelWorker(64 * size) : null;
    // Two threads: the second half is copied in first, so the worker starts on it while this thread copies the first.
    if (xCopied)
      f32.set(
        worker === null ? x.subarray(0, size) : x.subarray(hC, size),
        worker === null ? xp >> 2 : xq >> 2,
      );
    let firstHalfPending = xCopied && worker !== null;
    if (training) {
      for (let c = 0; c < C; c++) f64[b + c] = xCopied ? x[c] : f32[(xp >> 2) + c];
      const s1b = s + 24 * C;
      const s2b = s + 32 * C;
      worker?.post([['bnReduce', [xq, 0, rest, C, s, s1b, s2b]]]);
      if (firstHalfPending) f32.set(x.subarray(0, hC), xp >> 2);
      firstHalfPending = false;
      e.bnReduce(xp, 0, h, C, s, s + 8 * C, s + 16 * C);
      if (worker !== null) worker.join();
      else e.bnReduce(xq, 0, rest, C, s, s1b, s2b);
      for (let c = 0; c < C; c++) {
        const a1 = f64[b + C + c] + f64[b + 3 * C + c];
        const a2 = f64[b + 2 * C + c] + f64[b + 4 * C + c];
        const biased = Math.max((a2 - (a1 * a1) / rows) / rows, 0);
        mean[c] = f64[b + c] + a1 / rows;
        variance[c] = biased;
        invStd[c] = 1 / Math.sqrt(biased + eps);
      }
    }
    for (let c = 0; c < C; c++) {
      const g = gamma === null ? 1 : ga >= 0 ? f32[(ga >> 2) + c] : gamma[c];
      f64[b + 5 * C + c] = mean[c];
      f64[b + 6 * C + c] = gamma === null ? invStd[c] : g * invStd[c];
      f64[b + 7 * C + c] = beta === null ? 0 : ba >= 0 ? f32[(ba >> 2) + c] : beta[c];
    }
    const mp = s + 40 * C;
    const sp = s + 48 * C;
    const offp = s + 56 * C;
    const r = relu ? 1 : 0;
    if (pool !== null) {
      // Split by images (windows never straddle two), each element once: the same bits on one and two threads.
      const { batch: N, height: H, width: W } = pool;
      const nh = worker === null ? N : Math.ceil(N / 2);
      if (worker !== null)
        worker.post([['bnNormalizePool2x2', [xp, op, pa, nh, N, H, W, C, mp, sp, offp, r]]]);
      e.bnNormalizePool2x2(xp, op, pa, 0, nh, H, W, C, mp, sp, offp, r);
      if (worker !== null) worker.join();
    } else if (worker !== null) {
      const oq = op + 4 * hC;
      worker.post([['bnNormalize', [xq, oq, rest, C, mp, sp, offp, r]]]);
      if (firstHalfPending) f32.set(x.subarray(0, hC), xp >> 2);
      e.bnNormalize(xp, op, h, C, mp, sp, offp, r);
      // The first half is copied out while the worker finishes the second.
      if (oa < 0) out.set(f32.subarray(op >> 2, (op >> 2) + hC));
      worker.join();
      if (oa < 0) out.set(f32.subarray((op >> 2) + hC, (op >> 2) + size), hC);
    } else {
      e.bnNormalize(xp, op, rows, C, mp, sp, offp, r);
      if (oa < 0) out.set(f32.subarray(op >> 2, (op >> 2) + size));
    }
    return true;
  }

  /**
   * Training-mode backward: sumDy = Σ dy, sumDyXmu = Σ dy·(x − mean) per channel (per half, then first + second);
   * then, when dx is not null, dx = A·dy + B·(x − mean) + D with A = γ·invStd, B = −A·invStd²·sumDyXmu/m,
   * D = −A·sumDy/m. `dx` may be dy. With `relu` (the forward was the fused BN + ReLU, with this β), dy is first
   * masked where the forward's output was not > 0 (recomputed from x bit-exactly), as ReLU's backward would; the
   * caller's dy is not modified (unless dx is dy).
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
    if (!(isF32(dy) && isF32(x) && isF32(gamma) && isF32(dx) && isF32(beta)) || rows < 1 || C < 1)
      return false;
    if (dy.length < size || x.length < size || (dx !== null && dx.length < size)) return false;
    const sat = this.sat;
    const bytes = 4 * size;
    const dya = sat.addressOf(dy);
    const xa = sat.addressOf(x);
    const dxa = dx === null ? -1 : sat.addressOf(dx);
    const ga = gamma === null ? -1 : sat.addressOf(gamma);
    const ba = beta === null ? -1 : sat.addressOf(beta);
    // g: the gradient the reductions and dx read (dy, or dy masked by the fused ReLU). The mask may write dx's own
    // memory (overwritten anyway) unless it overlaps x, else the private copy of dy, else a scratch buffer.
    const dxHoldsMask = relu && dxa >= 0 && (xa < 0 || !overlaps(dxa, xa, bytes));
    const maskScratch = relu && !dxHoldsMask && dya >= 0;
    // Where dx is computed: dx itself when in the memory, else g when g is private (a copy or scratch), else scratch.
    const gPrivate = dya < 0 || maskScratch || dxHoldsMask;
    const outScratch = dx !== null && dxa < 0 && !gPrivate;
    const scratch = (xa < 0 ? size : 0) + (dya < 0 ? size : 0) + (maskScratch || outScratch ? size : 0);
    if (!sat.reserve(4 * scratch + 8 * 8 * C + 64)) return false;
    const arena = sat.arena;
    const s = arena.alloc(2 * 8 * C); // float64 [8][C]: mean, Σdy and Σdy·(x − μ) of each half, A, B, D
    const xCopied = xa < 0;
    const dyCopied = dya < 0;
    const xp = xCopied ? arena.alloc(size) : xa;
    const dyp = dyCopied ? arena.alloc(size) : dya;
    const gp = !relu ? dyp : dxHoldsMask ? dxa : maskScratch ? arena.alloc(size) : dyp;
    const op = dxa >= 0 ? dxa : outScratch ? arena.alloc(size) : gp;
    const f32 = arena.f32;
    const f64 = arena.f64;
    const e = sat.exports;
    const b = s >> 3;
    const h = firstHalfRows(rows);
    const rest = rows - h;
    const hC = h * C;
    const shift = 4 * hC;
    const worker = rest > 0 ? sat.parallelWorker(64 * size) : null;
    // Two threads: the second halves are copied in first, so the worker starts while this thread copies the first.
    const from = worker === null ? 0 : hC;
    if (xCopied) f32.set(x.subarray(from, size), (xp >> 2) + from);
    if (dyCopied) f32.set(dy.subarray(from, size), (dyp >> 2) + from);
    const ap = s + 40 * C;
    const bp = s + 48 * C;
    const dp = s + 56 * C;
    for (let c = 0; c < C; c++) f64[b + c] = mean[c];
    if (relu) {
      for (let c = 0; c < C; c++) {
        const g = gamma === null ? 1 : ga >= 0 ? f32[(ga >> 2) + c] : gamma[c];
        f64[b + 5 * C + c] = gamma === null ? invStd[c] : g * invStd[c]; // the forward's scale, then A
        f64[b + 6 * C + c] = beta === null ? 0 : ba >= 0 ? f32[(ba >> 2) + c] : beta[c]; // its offset, then B
      }
    }
    const s1b = s + 24 * C;
    const s2b = s + 32 * C;
    // With the fused ReLU, the mask and the reductions are one pass (bnReluMaskReduce: the same bits as the two).
    if (worker !== null) {
      worker.post([
        relu
          ? ['bnReluMaskReduce', [xp + shift, dyp + shift, gp + shift, rest, C, s, ap, bp, s1b, s2b]]
          : ['bnReduce', [xp + shift, gp + shift, rest, C, s, s1b, s2b]],
      ]);
      if (xCopied) f32.set(x.subarray(0, hC), xp >> 2);
      if (dyCopied) f32.set(dy.subarray(0, hC), dyp >> 2);
    }
    if (relu) e.bnReluMaskReduce(xp, dyp, gp, h, C, s, ap, bp, s + 8 * C, s + 16 * C);
    else e.bnReduce(xp, gp, h, C, s, s + 8 * C, s + 16 * C);
    if (worker !== null) worker.join();
    else if (relu) e.bnReluMaskReduce(xp + shift, dyp + shift, gp + shift, rest, C, s, ap, bp, s1b, s2b);
    else e.bnReduce(xp + shift, gp + shift, rest, C, s, s1b, s2b);
    for (let c = 0; c < C; c++) {
      sumDy[c] = f64[b + C + c] + f64[b + 3 * C + c];
      sumDyXmu[c] = f64[b + 2 * C + c] + f64[b + 4 * C + c];
    }
    if (dx === null) return true;
    for (let c = 0; c < C; c++) {
      const g = gamma === null ? 1 : ga >= 0 ? f32[(ga >> 2) + c] : gamma[c];
      const a = gamma === null ? invStd[c] : g * invStd[c];
      f64[b + 5 * C + c] = a;
      f64[b + 6 * C + c] = (-a * invStd[c] * invStd[c] * sumDyXmu[c]) / rows;
      f64[b + 7 * C + c] = (-a * sumDy[c]) / rows;
    }
    if (worker !== null) {
      worker.post([['bnAffine', [xp + shift, gp + shift, op + shift, rest, C, s, ap, bp, dp]]]);
      e.bnAffine(xp, gp, op, h, C, s, ap, bp, dp);
      // The first half is copied out while the worker finishes the second.
      if (dxa < 0) dx.set(f32.subarray(op >> 2, (op >> 2) + hC));
      worker.join();
      if (dxa < 0) dx.set(f32.subarray((op >> 2) + hC, (op >> 2) + size), hC);
    } else {
      e.bnAffine(xp, gp, op, rows, C, s, ap, bp, dp);
      if (dxa < 0) dx.set(f32.subarray(op >> 2, (op >> 2) + size));
    }
    return true;
  }
}

const bySet = new WeakMap<Kernels, BatchNormWasm | null>();

/**
 * The batch-norm loops on `kernels`' memory (and threads), or null when `kernels` is not a @hw3/core WebAssembly
 * kernel set (or the module cannot load there). One object per kernel set.
 */
export function batchNormWasmFor(kernels: Kernels): BatchNormWasm | null {
  let loops = bySet.get(kernels);
  if (loops === undefined) {
    const sat = loadWasmSatellite<BatchNormExports>(kernels, batchNormWasmBuilds);
    loops = sat === null ? null : new BatchNormWasm(sat);
    bySet.set(kernels, loops);
  }
  return loops;
}

/**
 * The batch-norm loops to use now: on the active @hw3/core kernel set's memory when it is a WebAssembly kernel set,
 * else null (the TypeScript kernels of this package run).
 */
export function activeBatchNormWasm(): BatchNormWasm | null {
  const kernels = getKernels();
  if (kernels.wasmVariant === undefined) return null;
  return batchNormWasmFor(kernels);
}
