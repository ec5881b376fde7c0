import type { FloatArray } from './kernels';

/**
 * C = op(A)·op(B) (+ C when accumulate), row-major, c[i][j] = Σ_p opA[i][p]·opB[p][j].
 * Simple i-p-j loop order (row axpy) so the innermost loop walks C and B rows contiguously.
 */
export function gemm(
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
  for (let i = 0; i < m; i++) {
    const cRow = cOffset + i * ldc;
    if (!accumulate) c.fill(0, cRow, cRow + n);
    for (let p = 0; p < k; p++) {
      const av = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
      if (transB) {
        for (let j = 0; j < n; j++) c[cRow + j] += av * b[bOffset + j * ldb + p];
      } else {
        const bRow = bOffset + p * ldb;
        for (let j = 0; j < n; j++) c[cRow + j] += av * b[bRow + j];
      }
    }
  }
}
