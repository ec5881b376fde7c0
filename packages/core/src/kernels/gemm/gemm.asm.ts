/**
 * GEMM in AssemblyScript (WebAssembly SIMD, float32).
 *
 * GEMM follows the GotoBLAS / BLIS scheme: C is computed in NC-column blocks; for each KC slice of the reduction,
 * op(B) is packed into NR-wide column panels and, per MC-row block, op(A) into MR-tall row panels; a 4×8
 * micro-kernel keeps the 4×8 tile of C in eight v128 accumulators (V8 has 15 usable xmm registers; larger tiles
 * spill). Each element of C sums its products in increasing p, KC slice after KC slice, whatever the blocking,
 * so splitting C by rows (threads) never changes a result.
 */

import { copyFloats, madd } from '../wasm/common.asm';

export const MR: i32 = 4;
export const NR: i32 = 8;
export const MC: i32 = 128;
export const KC: i32 = 256;
export const NC: i32 = 1024;

/** 4×8 float scratch tile for edge tiles (16-byte aligned). Each thread's instance points it at its own tile. */
export let EDGE: usize = memory.data(MR * NR * 4, 16);

/** Moves this instance's edge-tile scratch (128 bytes, 16-byte aligned): worker instances share the memory. */
export function setEdgeScratch(ptr: usize): void {
  EDGE = ptr;
}

// ---------------------------------------------------------------------------------------------------------------
// Packing

/**
 * Packs rows i0..i0+mc, columns p0..p0+kc of op(A) into MR-row panels: dst[panel][p][r] = opA(i0+panel·MR+r, p0+p),
 * rows past mc are zero. op(A)[i][p] = a[i·lda + p], or a[p·lda + i] when transA.
 */
export function packA(
  transA: bool,
  a: usize,
  lda: i32,
  i0: i32,
  p0: i32,
  mc: i32,
  kc: i32,
  dst: usize,
): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    let d = dst + ((<usize>(ir * kc)) << 2);
    if (transA) {
      let src = a + ((<usize>(p0 * lda + i0 + ir)) << 2);
      const step = (<usize>lda) << 2;
      if (mr === MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(d, v128.load(src));
          d += 16;
          src += step;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++)
            store<f32>(d + ((<usize>r) << 2), r < mr ? load<f32>(src + ((<usize>r) << 2)) : 0);
          d += 16;
          src += step;
        }
      }
    } else {
      const rowStep = (<usize>lda) << 2;
      const src = a + ((<usize>((i0 + ir) * lda + p0)) << 2);
      if (mr === MR) {
        const s1 = src + rowStep;
        const s2 = s1 + rowStep;
        const s3 = s2 + rowStep;
        // Four p at a time: a 4×4 transpose of four rows' v128 (eight shuffles), four v128 stores.
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          const o = (<usize>p) << 2;
          const r0 = v128.load(src + o);
          const r1 = v128.load(s1 + o);
          const r2 = v128.load(s2 + o);
          const r3 = v128.load(s3 + o);
          const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
          const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
          const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
          const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
          v128.store(d, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
          v128.store(d, i32x4.shuffle(t0, t1, 2, 3, 6, 7), 16);
          v128.store(d, i32x4.shuffle(t2, t3, 0, 1, 4, 5), 32);
          v128.store(d, i32x4.shuffle(t2, t3, 2, 3, 6, 7), 48);
          d += 64;
        }
        for (; p < kc; p++) {
          const o = (<usize>p) << 2;
          store<f32>(d, load<f32>(src + o));
          store<f32>(d, load<f32>(s1 + o), 4);
          store<f32>(d, load<f32>(s2 + o), 8);
          store<f32>(d, load<f32>(s3 + o), 12);
          d += 16;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const o = (<usize>p) << 2;
          for (let r = 0; r < MR; r++) {
            store<f32>(d + ((<usize>r) << 2), r < mr ? load<f32>(src + <usize>r * rowStep + o) : 0);
          }
          d += 16;
        }
      }
    }
  }
}

/**
 * Packs rows p0..p0+kc, columns j0..j0+nc of op(B) into NR-column panels: dst[panel][p][c] = opB(p0+p, j0+panel·NR+c),
 * columns past nc are zero. op(B)[p][j] = b[p·ldb + j], or b[j·ldb + p] when transB.
 */
export function packB(
  transB: bool,
  b: usize,
  ldb: i32,
  p0: i32,
  j0: i32,
  kc: i32,
  nc: i32,
  dst: usize,
): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    let d = dst + ((<usize>(jr * kc)) << 2);
    if (!transB) {
      let src = b + ((<usize>(p0 * ldb + j0 + jr)) << 2);
      const step = (<usize>ldb) << 2;
      if (nr === NR) {
        for (let p = 0; p < kc; p++) {
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          d += 32;
          src += step;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let c = 0; c < NR; c++)
            store<f32>(d + ((<usize>c) << 2), c < nr ? load<f32>(src + ((<usize>c) << 2)) : 0);
          d += 32;
          src += step;
        }
      }
    } else {
      const colStep = (<usize>ldb) << 2;
      const src = b + ((<usize>((j0 + jr) * ldb + p0)) << 2);
      for (let p = 0; p < kc; p++) {
        const o = (<usize>p) << 2;
        for (let c = 0; c < NR; c++) {
          store<f32>(d + ((<usize>c) << 2), c < nr ? load<f32>(src + <usize>c * colStep + o) : 0);
        }
        d += 32;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Micro-kernel

/**
 * When not 0 (set by gemmBias for the first k-slice): the address of the tile's eight bias values, which start
 * every row's accumulators of a tile that does not load C.
 */
let tileBias: usize = 0;

/** C[0..4][0..8] (row stride ldcBytes) = (load ? C : 0) + Σ_p pa[p][r]·pb[p][c]. */
export function micro4x8(kc: i32, pa: usize, pb: usize, c: usize, ldcBytes: usize, loadC: bool): void {
  const c1 = c + ldcBytes;
  const c2 = c1 + ldcBytes;
  const c3 = c2 + ldcBytes;
  let x00 = f32x4.splat(0);
  let x01 = f32x4.splat(0);
  let x10 = f32x4.splat(0);
  let x11 = f32x4.splat(0);
  let x20 = f32x4.splat(0);
  let x21 = f32x4.splat(0);
  let x30 = f32x4.splat(0);
  let x31 = f32x4.splat(0);
  if (loadC) {
    x00 = v128.load(c);
    x01 = v128.load(c, 16);
    x10 = v128.load(c1);
    x11 = v128.load(c1, 16);
    x20 = v128.load(c2);
    x21 = v128.load(c2, 16);
    x30 = v128.load(c3);
    x31 = v128.load(c3, 16);
  } else if (tileBias !== 0) {
    x00 = v128.load(tileBias);
    x01 = v128.load(tileBias, 16);
    x10 = x00;
    x11 = x01;
    x20 = x00;
    x21 = x01;
    x30 = x00;
    x31 = x01;
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    x00 = madd(a, b0, x00);
    x01 = madd(a, b1, x01);
    a = v128.load32_splat(pa, 4);
    x10 = madd(a, b0, x10);
    x11 = madd(a, b1, x11);
    a = v128.load32_splat(pa, 8);
    x20 = madd(a, b0, x20);
    x21 = madd(a, b1, x21);
    a = v128.load32_splat(pa, 12);
    x30 = madd(a, b0, x30);
    x31 = madd(a, b1, x31);
    pa += 16;
    pb += 32;
  }
  v128.store(c, x00);
  v128.store(c, x01, 16);
  v128.store(c1, x10);
  v128.store(c1, x11, 16);
  v128.store(c2, x20);
  v128.store(c2, x21, 16);
  v128.store(c3, x30);
  v128.store(c3, x31, 16);
}

/** Edge tile (mr < MR or nr < NR): run the full micro-kernel on the EDGE scratch, copy the valid part. */
export function microEdge(
  kc: i32,
  pa: usize,
  pb: usize,
  c: usize,
  ldc: i32,
  mr: i32,
  nr: i32,
  loadC: bool,
): void {
  for (let r = 0; r < MR; r++)
    for (let j = 0; j < NR; j++) {
      const e = EDGE + ((<usize>(r * NR + j)) << 2);
      let v: f32 = 0;
      if (loadC) {
        if (r < mr && j < nr) v = load<f32>(c + ((<usize>(r * ldc + j)) << 2));
      } else if (tileBias !== 0 && j < nr) v = load<f32>(tileBias + ((<usize>j) << 2));
      store<f32>(e, v);
    }
  const bias = tileBias;
  tileBias = 0;
  micro4x8(kc, pa, pb, EDGE, NR * 4, true);
  tileBias = bias;
  for (let r = 0; r < mr; r++)
    for (let j = 0; j < nr; j++) {
      store<f32>(c + ((<usize>(r * ldc + j)) << 2), load<f32>(EDGE + ((<usize>(r * NR + j)) << 2)));
    }
}

// ---------------------------------------------------------------------------------------------------------------
// GEMM

/**
 * C = op(A)·op(B) (+ C when accumulate), row-major, all float32 byte addresses. op(A) is m×k, op(B) k×n, C m×n.
 * packA needs MC·KC floats, packB KC·NC floats (16-byte aligned).
 */
export function gemm(
  transA: bool,
  transB: bool,
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  accumulate: bool,
  packedA: usize,
  packedB: usize,
): void {
  gemmImpl(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, 0, packedA, packedB);
}

/**
 * C = bias + op(A)·op(B) with bias[j] (n floats) added to every row of column j: each element starts from its
 * bias and adds the products in increasing p, the same sums as filling C with the bias and accumulating, without
 * the filling pass (the conv2d forward's bias in GEMM).
 */
export function gemmBias(
  transA: bool,
  transB: bool,
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  bias: usize,
  packedA: usize,
  packedB: usize,
): void {
  gemmImpl(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, false, bias, packedA, packedB);
}

function gemmImpl(
  transA: bool,
  transB: bool,
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  accumulate: bool,
  bias: usize,
  packedA: usize,
  packedB: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (let i = 0; i < m; i++) {
        const row = c + ((<usize>(i * ldc)) << 2);
        if (bias !== 0) copyFloats(row, bias, n);
        else memory.fill(row, 0, (<usize>n) << 2);
      }
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const loadC = accumulate || pc > 0;
      packB(transB, b, ldb, pc, jc, kc, nc, packedB);
      const cj = c + ((<usize>jc) << 2);
      const bj = bias !== 0 ? bias + ((<usize>jc) << 2) : 0;
      gemmSlice(transA, m, nc, kc, a, lda, pc, cj, ldc, loadC, bj, packedA, packedB);
    }
  }
}

/**
 * One KC slice against an already packed B (kc × n, n ≤ NC, packB's layout in `packedB`): C (+)= op(A)[:, p0 ..
 * p0 + kc)·B, A packed per MC-row block. With loadC false, C is overwritten (bias: its n values start the sums).
 * Callers that pack B themselves (conv2d's weight gradient packs its im2col rows straight into B panels) call it
 * slice after slice in increasing p0: the sums of gemm.
 */
export function gemmSlice(
  transA: bool,
  m: i32,
  n: i32,
  kc: i32,
  a: usize,
  lda: i32,
  p0: i32,
  c: usize,
  ldc: i32,
  loadC: bool,
  bias: usize,
  packedA: usize,
  packedB: usize,
): void {
  const ldcBytes = (<usize>ldc) << 2;
  for (let ic = 0; ic < m; ic += MC) {
    const mc = min(MC, m - ic);
    packA(transA, a, lda, ic, p0, mc, kc, packedA);
    for (let jr = 0; jr < n; jr += NR) {
      const nr = min(NR, n - jr);
      const pb = packedB + ((<usize>(jr * kc)) << 2);
      tileBias = !loadC && bias !== 0 ? bias + ((<usize>jr) << 2) : 0;
      for (let ir = 0; ir < mc; ir += MR) {
        const mr = min(MR, mc - ir);
        const pa = packedA + ((<usize>(ir * kc)) << 2);
        const cp = c + ((<usize>((ic + ir) * ldc + jr)) << 2);
        if (mr === MR && nr === NR) micro4x8(kc, pa, pb, cp, ldcBytes, loadC);
        else microEdge(kc, pa, pb, cp, ldc, mr, nr, loadC);
      }
    }
  }
  tileBias = 0;
}
