import { defineKernel } from '../descriptor';
import { gemm } from './gemm';
import { GEMM_EXPORTS, wasmGemm } from './gemm.wasm';

/**
 * C = op(A)·op(B) (+ C when accumulate), row-major. op(A) is m×k, op(B) is k×n, C is m×n.
 * lda/ldb/ldc are the row strides of A, B, C as stored (A stored k×m when transA).
 * C must not overlap A or B. Entries of c outside the m×n window (row padding when ldc > n) are untouched.
 */
export const gemmKernel = defineKernel({ name: 'gemm', ts: gemm, wasm: wasmGemm, wasmExports: GEMM_EXPORTS });
