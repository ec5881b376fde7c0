import type { FloatArray } from '../types';
import { SLOT_GEMM_A, SLOT_GEMM_B, scratch64 } from '../workspace';

/**
 * C = op(A)·op(B) (+ C when accumulate), row-major: c[i][j] = Σ_p opA[i][p]·opB[p][j].
 *
 * Goto/BLIS structure: C is computed in NC-wide column panels; for each KC-deep slice of k, a KC×NC
 * panel of op(B) is packed into 4-column slivers, then for each MC-tall row block a MC×KC block of
 * op(A) is packed into 4-row slivers, and a 4×4 register-tile micro-kernel sweeps the block. Packing
 * absorbs the transposes, so one micro-kernel serves all four layouts. Packed panels are Float64Array
 * for both input types: the micro-kernel stays monomorphic for V8 and float32 inputs accumulate in
 * double precision (results differ from a float32 loop only by rounding). Panels live in the reusable
 * workspace; nothing is allocated per call after warm-up. Padding rows/columns of the last slivers are
 * zero and their results are never written, so NaN/∞ in A or B still propagate exactly as in the sum.
 */
export const MC = 128;
export const KC = 256;
export const NC = 1024;

/** 4×4 edge tile, reused (never reallocated). */
const edge = new Float64Array(16);

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
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, cOffset + i * ldc, cOffset + i * ldc + n);
    return;
  }
  const kcMax = Math.min(KC, k);
  const bp = scratch64(SLOT_GEMM_B, roundUp4(Math.min(NC, n)) * kcMax);
  const ap = scratch64(SLOT_GEMM_A, roundUp4(Math.min(MC, m)) * kcMax);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      if (transB) packBTransposed(b, bOffset + jc * ldb + pc, ldb, kc, nc, bp);
      else packB(b, bOffset + pc * ldb + jc, ldb, kc, nc, bp);
      const overwrite = pc === 0 && !accumulate;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        if (transA) packATransposed(a, aOffset + pc * lda + ic, lda, mc, kc, ap);
        else packA(a, aOffset + ic * lda + pc, lda, mc, kc, ap);
        macroKernel(mc, nc, kc, ap, bp, c, cOffset + ic * ldc + jc, ldc, overwrite);
      }
    }
  }
}

export function roundUp4(x: number): number {
  return (x + 3) & ~3;
}

/** ap[(i>>2)·kc·4 + p·4 + (i&3)] = A[i][p], A row-major at a[off + i·lda + p], zero rows past mc. */
function packA(a: FloatArray, off: number, lda: number, mc: number, kc: number, ap: Float64Array): void {
  let dst = 0;
  for (let i = 0; i < mc; i += 4) {
    const rows = Math.min(4, mc - i);
    const r0 = off + i * lda;
    if (rows === 4) {
      const r1 = r0 + lda;
      const r2 = r1 + lda;
      const r3 = r2 + lda;
      for (let p = 0; p < kc; p++) {
        ap[dst] = a[r0 + p];
        ap[dst + 1] = a[r1 + p];
        ap[dst + 2] = a[r2 + p];
        ap[dst + 3] = a[r3 + p];
        dst += 4;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < 4; r++) ap[dst + r] = r < rows ? a[r0 + r * lda + p] : 0;
        dst += 4;
      }
    }
  }
}

/** Same packing of op(A) = Aᵀ, A stored k×m: op(A)[i][p] = a[off + p·lda + i]. */
export function packATransposed(
  a: FloatArray,
  off: number,
  lda: number,
  mc: number,
  kc: number,
  ap: Float64Array,
): void {
  let dst = 0;
  for (let i = 0; i < mc; i += 4) {
    const rows = Math.min(4, mc - i);
    if (rows === 4) {
      for (let p = 0, src = off + i; p < kc; p++, src += lda) {
        ap[dst] = a[src];
        ap[dst + 1] = a[src + 1];
        ap[dst + 2] = a[src + 2];
        ap[dst + 3] = a[src + 3];
        dst += 4;
      }
    } else {
      for (let p = 0, src = off + i; p < kc; p++, src += lda) {
        for (let r = 0; r < 4; r++) ap[dst + r] = r < rows ? a[src + r] : 0;
        dst += 4;
      }
    }
  }
}

/** bp[(j>>2)·kc·4 + p·4 + (j&3)] = B[p][j], B row-major at b[off + p·ldb + j], zero columns past nc. */
function packB(b: FloatArray, off: number, ldb: number, kc: number, nc: number, bp: Float64Array): void {
  let dst = 0;
  for (let j = 0; j < nc; j += 4) {
    const cols = Math.min(4, nc - j);
    if (cols === 4) {
      for (let p = 0, src = off + j; p < kc; p++, src += ldb) {
        bp[dst] = b[src];
        bp[dst + 1] = b[src + 1];
        bp[dst + 2] = b[src + 2];
        bp[dst + 3] = b[src + 3];
        dst += 4;
      }
    } else {
      for (let p = 0, src = off + j; p < kc; p++, src += ldb) {
        for (let r = 0; r < 4; r++) bp[dst + r] = r < cols ? b[src + r] : 0;
        dst += 4;
      }
    }
  }
}

/** Same packing of op(B) = Bᵀ, B stored n×k: op(B)[p][j] = b[off + j·ldb + p]. */
export function packBTransposed(
  b: FloatArray,
  off: number,
  ldb: number,
  kc: number,
  nc: number,
  bp: Float64Array,
): void {
  let dst = 0;
  for (let j = 0; j < nc; j += 4) {
    const cols = Math.min(4, nc - j);
    const r0 = off + j * ldb;
    if (cols === 4) {
      const r1 = r0 + ldb;
      const r2 = r1 + ldb;
      const r3 = r2 + ldb;
      for (let p = 0; p < kc; p++) {
        bp[dst] = b[r0 + p];
        bp[dst + 1] = b[r1 + p];
        bp[dst + 2] = b[r2 + p];
        bp[dst + 3] = b[r3 + p];
        dst += 4;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < 4; r++) bp[dst + r] = r < cols ? b[r0 + r * ldb + p] : 0;
        dst += 4;
      }
    }
  }
}

/** C block (mc×nc at c[cOff], row stride ldc) = (or +=) packed A block · packed B panel, 4×4 tiles. */
export function macroKernel(
  mc: number,
  nc: number,
  kc: number,
  ap: Float64Array,
  bp: Float64Array,
  c: FloatArray,
  cOff: number,
  ldc: number,
  overwrite: boolean,
): void {
  const kc4 = kc * 4;
  for (let jr = 0; jr < nc; jr += 4) {
    const bBase = jr * kc;
    const cols = nc - jr;
    for (let ir = 0; ir < mc; ir += 4) {
      let aIdx = ir * kc;
      let bIdx = bBase;
      const aEnd = aIdx + kc4;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      while (aIdx < aEnd) {
        const a0 = ap[aIdx];
        const a1 = ap[aIdx + 1];
        const a2 = ap[aIdx + 2];
        const a3 = ap[aIdx + 3];
        const b0 = bp[bIdx];
        const b1 = bp[bIdx + 1];
        const b2 = bp[bIdx + 2];
        const b3 = bp[bIdx + 3];
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
        aIdx += 4;
        bIdx += 4;
      }
      const rows = mc - ir;
      const ci = cOff + ir * ldc + jr;
      if (rows >= 4 && cols >= 4) {
        const r1 = ci + ldc;
        const r2 = r1 + ldc;
        const r3 = r2 + ldc;
        if (overwrite) {
          c[ci] = c00;
          c[ci + 1] = c01;
          c[ci + 2] = c02;
          c[ci + 3] = c03;
          c[r1] = c10;
          c[r1 + 1] = c11;
          c[r1 + 2] = c12;
          c[r1 + 3] = c13;
          c[r2] = c20;
          c[r2 + 1] = c21;
          c[r2 + 2] = c22;
          c[r2 + 3] = c23;
          c[r3] = c30;
          c[r3 + 1] = c31;
          c[r3 + 2] = c32;
          c[r3 + 3] = c33;
        } else {
          c[ci] += c00;
          c[ci + 1] += c01;
          c[ci + 2] += c02;
          c[ci + 3] += c03;
          c[r1] += c10;
          c[r1 + 1] += c11;
          c[r1 + 2] += c12;
          c[r1 + 3] += c13;
          c[r2] += c20;
          c[r2 + 1] += c21;
          c[r2 + 2] += c22;
          c[r2 + 3] += c23;
          c[r3] += c30;
          c[r3 + 1] += c31;
          c[r3 + 2] += c32;
          c[r3 + 3] += c33;
        }
      } else {
        edge[0] = c00;
        edge[1] = c01;
        edge[2] = c02;
        edge[3] = c03;
        edge[4] = c10;
        edge[5] = c11;
        edge[6] = c12;
        edge[7] = c13;
        edge[8] = c20;
        edge[9] = c21;
        edge[10] = c22;
        edge[11] = c23;
        edge[12] = c30;
        edge[13] = c31;
        edge[14] = c32;
        edge[15] = c33;
        const rMax = Math.min(4, rows);
        const cMax = Math.min(4, cols);
        for (let r = 0; r < rMax; r++)
          for (let q = 0; q < cMax; q++) {
            const idx = ci + r * ldc + q;
            c[idx] = overwrite ? edge[r * 4 + q] : c[idx] + edge[r * 4 + q];
          }
      }
    }
  }
}
