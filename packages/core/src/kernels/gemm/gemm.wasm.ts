/**
 * WebAssembly glue of GEMM: A, B and C in place when they live in wasm memory (tensors of a `tidy` scope), else
 * copied in (C only when needed) and out; splits C by rows on two threads.
 */
import type { FloatArray } from '../types';
import { checkRange, isF32, span, type WasmRuntime } from '../wasm/runtime';
import { gemm } from './gemm';

interface GemmExports {
  gemm(...args: number[]): void;
}

/** The export's 14 i32 parameters: trans flags, sizes, A/B/C addresses and strides, accumulate, pack buffers. */
export const GEMM_EXPORTS = { gemm: 14 } as const;

export function wasmGemm(
  rt: WasmRuntime,
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
    gemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate);
    return;
  }
  if (m <= 0 || n <= 0) return;
  const aSpan = transA ? span(k, m, lda) : span(m, k, lda);
  const bSpan = transB ? span(n, k, ldb) : span(k, n, ldb);
  const cSpan = span(m, n, ldc);
  checkRange('a', a, aOffset, aSpan);
  checkRange('b', b, bOffset, bSpan);
  checkRange('c', c, cOffset, cSpan);
  if (!rt.arena.reserve(rt.need(a, aSpan) + rt.need(b, bSpan) + rt.need(c, cSpan))) {
    gemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate);
    return;
  }
  const ap = rt.place(a, aOffset, aSpan, true);
  const bp = rt.place(b, bOffset, bSpan, true);
  // C's old values matter with accumulate, or in the gaps between rows (ldc > n) copied back out below.
  const cp = rt.place(c, cOffset, cSpan, accumulate || ldc !== n);
  runGemm(rt, transA, transB, m, n, k, ap, lda, bp, ldb, cp, ldc, accumulate);
  rt.takeBack(c, cOffset, cSpan, cp);
}

/**
 * GEMM on buffers already in wasm memory (byte addresses). On two threads, rows [0, m0) of C here and [m0, m) on
 * the worker (m0 a multiple of the 4-row register tile): each C element's sum over k keeps its order.
 */
export function runGemm(
  rt: WasmRuntime,
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
  const e = rt.exports as unknown as GemmExports;
  const worker = m < 8 ? null : rt.parallelWorker(m * n * k);
  if (worker === null) {
    e.gemm(+transA, +transB, m, n, k, ap, lda, bp, ldb, cp, ldc, +accumulate, rt.packedA, rt.packedB);
    return;
  }
  const m0 = Math.ceil(m / 8) * 4;
  const aRest = ap + 4 * (transA ? m0 : m0 * lda);
  worker.post([
    [
      'gemm',
      [
        +transA,
        +transB,
        m - m0,
        n,
        k,
        aRest,
        lda,
        bp,
        ldb,
        cp + 4 * m0 * ldc,
        ldc,
        +accumulate,
        worker.packedA,
        worker.packedB,
      ],
    ],
  ]);
  e.gemm(+transA, +transB, m0, n, k, ap, lda, bp, ldb, cp, ldc, +accumulate, rt.packedA, rt.packedB);
  worker.join();
}
