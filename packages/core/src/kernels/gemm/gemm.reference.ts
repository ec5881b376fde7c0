/** Naive reference GEMM, written straight from the definition; used only by tests (conformance). */
import type { FloatArray } from '../types';

/** C = op(A)·op(B) (+ C): c[i][j] = Σ_p opA[i][p]·opB[p][j], one dot product per output element. */
export function referenceGemm(
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
  const opA = (i: number, p: number) => (transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p]);
  const opB = (p: number, j: number) => (transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j]);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += opA(i, p) * opB(p, j);
      const ci = cOffset + i * ldc + j;
      c[ci] = accumulate ? c[ci] + s : s;
    }
  }
}
