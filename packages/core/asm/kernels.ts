/**
 * WebAssembly SIMD kernels for @hw3/core, in AssemblyScript (float32 only).
 *
 * Built by scripts/build-wasm.mjs with `--runtime stub`: no allocator, no GC. Every buffer lives in the exported
 * linear memory above `heapBase()`, laid out by the JavaScript loader (src/kernels/wasm/wasm-kernels.ts), which
 * passes byte addresses. Two variants are built from this one file: plain SIMD128 (f32x4.mul + f32x4.add) and
 * relaxed SIMD (f32x4.relaxed_madd, a fused multiply-add on x86 with FMA); ASC_FEATURE_RELAXED_SIMD picks the
 * branch at compile time.
 *
 * GEMM follows the GotoBLAS / BLIS scheme: C is computed in NC-column blocks; for each KC slice of the reduction,
 * op(B) is packed into NR-wide column panels and, per MC-row block, op(A) into MR-tall row panels; a 4×8
 * micro-kernel keeps the 4×8 tile of C in eight v128 accumulators (V8 has 15 usable xmm registers; larger tiles
 * spill). Each element of C sums its products in increasing p, KC slice after KC slice, whatever the blocking,
 * so splitting C by rows (threads) never changes a result.
 */

const MR: i32 = 4;
const NR: i32 = 8;
export const MC: i32 = 128;
export const KC: i32 = 256;
export const NC: i32 = 1024;

/** 4×8 float scratch tile for edge tiles (16-byte aligned). Each thread's instance points it at its own tile. */
let EDGE: usize = memory.data(MR * NR * 4, 16);

/** Moves this instance's edge-tile scratch (128 bytes, 16-byte aligned): worker instances share the memory. */
export function setEdgeScratch(ptr: usize): void {
  EDGE = ptr;
}

/** First free byte after the static data: the loader lays its buffers out from here. */
export function heapBase(): usize {
  return __heap_base;
}

/** Whether this build uses relaxed SIMD (fused multiply-add). */
export function relaxed(): bool {
  return ASC_FEATURE_RELAXED_SIMD;
}

function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Packing

/**
 * Packs rows i0..i0+mc, columns p0..p0+kc of op(A) into MR-row panels: dst[panel][p][r] = opA(i0+panel·MR+r, p0+p),
 * rows past mc are zero. op(A)[i][p] = a[i·lda + p], or a[p·lda + i] when transA.
 */
function packA(transA: bool, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
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
        for (let p = 0; p < kc; p++) {
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
function packB(transB: bool, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
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

/** C[0..4][0..8] (row stride ldcBytes) = (load ? C : 0) + Σ_p pa[p][r]·pb[p][c]. */
function micro4x8(kc: i32, pa: usize, pb: usize, c: usize, ldcBytes: usize, loadC: bool): void {
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
function microEdge(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, loadC: bool): void {
  for (let r = 0; r < MR; r++)
    for (let j = 0; j < NR; j++) {
      const e = EDGE + ((<usize>(r * NR + j)) << 2);
      store<f32>(e, loadC && r < mr && j < nr ? load<f32>(c + ((<usize>(r * ldc + j)) << 2)) : 0);
    }
  micro4x8(kc, pa, pb, EDGE, NR * 4, true);
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
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (let i = 0; i < m; i++) memory.fill(c + ((<usize>(i * ldc)) << 2), 0, (<usize>n) << 2);
    return;
  }
  const ldcBytes = (<usize>ldc) << 2;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const loadC = accumulate || pc > 0;
      packB(transB, b, ldb, pc, jc, kc, nc, packedB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(transA, a, lda, ic, pc, mc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = packedB + ((<usize>(jr * kc)) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const pa = packedA + ((<usize>(ir * kc)) << 2);
            const cp = c + ((<usize>((ic + ir) * ldc + jc + jr)) << 2);
            if (mr === MR && nr === NR) micro4x8(kc, pa, pb, cp, ldcBytes, loadC);
            else microEdge(kc, pa, pb, cp, ldc, mr, nr, loadC);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Convolution (NHWC input, OHWI weights) as im2col + GEMM

// Geometry, set once per call by setConvGeometry (keeps the exported signatures short).
let gBatch: i32 = 0;
let gInH: i32 = 0;
let gInW: i32 = 0;
let gInC: i32 = 0;
let gOutH: i32 = 0;
let gOutW: i32 = 0;
let gOutC: i32 = 0;
let gKH: i32 = 0;
let gKW: i32 = 0;
let gSH: i32 = 0;
let gSW: i32 = 0;
let gPT: i32 = 0;
let gPL: i32 = 0;
let gDH: i32 = 0;
let gDW: i32 = 0;
let gGroups: i32 = 1;

export function setConvGeometry(
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  kH: i32,
  kW: i32,
  strideH: i32,
  strideW: i32,
  padTop: i32,
  padLeft: i32,
  dilationH: i32,
  dilationW: i32,
  groups: i32,
): void {
  gBatch = batch;
  gInH = inH;
  gInW = inW;
  gInC = inC;
  gOutH = outH;
  gOutW = outW;
  gOutC = outC;
  gKH = kH;
  gKW = kW;
  gSH = strideH;
  gSW = strideW;
  gPT = padTop;
  gPL = padLeft;
  gDH = dilationH;
  gDW = dilationW;
  gGroups = groups;
}

/** True when the convolution is a plain per-pixel matrix product (1×1, stride 1, no padding, one group). */
function isPointwise(): bool {
  return (
    gKH === 1 &&
    gKW === 1 &&
    gSH === 1 &&
    gSW === 1 &&
    gPT === 0 &&
    gPL === 0 &&
    gGroups === 1 &&
    gOutH === gInH &&
    gOutW === gInW
  );
}

/**
 * Copies `count` floats from src to dst. Runs in im2col are short (kW·C floats): v128 loads beat memory.copy, which
 * V8 runs as an out-of-line call, up to a few hundred bytes.
 */
function copyFloats(dst: usize, src: usize, count: i32): void {
  if (count >= 128) {
    memory.copy(dst, src, (<usize>count) << 2);
    return;
  }
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + ((<usize>i) << 2), v128.load(src + ((<usize>i) << 2)));
  for (; i < count; i++) store<f32>(dst + ((<usize>i) << 2), load<f32>(src + ((<usize>i) << 2)));
}

/** Zeroes `count` floats at dst (short runs inline, like copyFloats). */
function zeroFloats(dst: usize, count: i32): void {
  if (count >= 128) {
    memory.fill(dst, 0, (<usize>count) << 2);
    return;
  }
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + ((<usize>i) << 2), f32x4.splat(0));
  for (; i < count; i++) store<f32>(dst + ((<usize>i) << 2), 0);
}

/**
 * im2col of output rows row0..row0+rows (row = (n·outH + oh)·outW + ow) for group grp:
 * col[r][(kh·kW + kw)·icpg + ic] = x[n, oh·sH−pT+kh·dH, ow·sW−pL+kw·dW, grp·icpg + ic], 0 in the padding.
 */
function im2col(x: usize, grp: i32, row0: i32, rows: i32, col: usize): void {
  const icpg = gInC / gGroups;
  const K = gKH * gKW * icpg;
  const contiguousTaps = gDW === 1 && gGroups === 1; // the kW taps of one kh are one contiguous run of x
  const row = row0;
  let ow = row % gOutW;
  const t = row / gOutW;
  let oh = t % gOutH;
  let n = t / gOutH;
  for (let r = 0; r < rows; r++) {
    const dstRow = col + ((<usize>(r * K)) << 2);
    const iw0 = ow * gSW - gPL;
    for (let kh = 0; kh < gKH; kh++) {
      const ih = oh * gSH - gPT + kh * gDH;
      const dst = dstRow + ((<usize>(kh * gKW * icpg)) << 2);
      if (ih < 0 || ih >= gInH) {
        zeroFloats(dst, gKW * icpg);
        continue;
      }
      const xRow = x + ((<usize>((n * gInH + ih) * gInW * gInC + grp * icpg)) << 2);
      if (contiguousTaps && iw0 >= 0 && iw0 + gKW <= gInW) {
        copyFloats(dst, xRow + ((<usize>(iw0 * gInC)) << 2), gKW * icpg);
        continue;
      }
      for (let kw = 0; kw < gKW; kw++) {
        const iw = iw0 + kw * gDW;
        const d = dst + ((<usize>(kw * icpg)) << 2);
        if (iw < 0 || iw >= gInW) zeroFloats(d, icpg);
        else copyFloats(d, xRow + ((<usize>(iw * gInC)) << 2), icpg);
      }
    }
    if (++ow === gOutW) {
      ow = 0;
      if (++oh === gOutH) {
        oh = 0;
        n++;
      }
    }
  }
}

/** Adds col rows back into dx (the adjoint of im2col): dx[n, ih, iw, grp·icpg + ic] += col[r][(kh·kW + kw)·icpg + ic]. */
function col2imAdd(col: usize, grp: i32, row0: i32, rows: i32, dx: usize): void {
  const icpg = gInC / gGroups;
  const K = gKH * gKW * icpg;
  const row = row0;
  let ow = row % gOutW;
  const t = row / gOutW;
  let oh = t % gOutH;
  let n = t / gOutH;
  for (let r = 0; r < rows; r++) {
    const srcRow = col + ((<usize>(r * K)) << 2);
    const iw0 = ow * gSW - gPL;
    for (let kh = 0; kh < gKH; kh++) {
      const ih = oh * gSH - gPT + kh * gDH;
      if (ih < 0 || ih >= gInH) continue;
      const xRow = dx + ((<usize>((n * gInH + ih) * gInW * gInC + grp * icpg)) << 2);
      for (let kw = 0; kw < gKW; kw++) {
        const iw = iw0 + kw * gDW;
        if (iw < 0 || iw >= gInW) continue;
        const s = srcRow + ((<usize>((kh * gKW + kw) * icpg)) << 2);
        const d = xRow + ((<usize>(iw * gInC)) << 2);
        let ic = 0;
        for (; ic + 4 <= icpg; ic += 4) {
          const o = (<usize>ic) << 2;
          v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(s + o)));
        }
        for (; ic < icpg; ic++) {
          const o = (<usize>ic) << 2;
          store<f32>(d + o, load<f32>(d + o) + load<f32>(s + o));
        }
      }
    }
    if (++ow === gOutW) {
      ow = 0;
      if (++oh === gOutH) {
        oh = 0;
        n++;
      }
    }
  }
}

/**
 * Direct convolution for one input channel (the first layer of a grayscale net, K = kH·kW is tiny): im2col + GEMM
 * would spend most of its time copying 1-float runs. Used when groups = 1, inC = 1, outC % 4 = 0.
 * Forward: out[p][oc] = bias[oc] + Σ_{kh,kw} x[tap]·w[oc][kh][kw] (taps in the reference order), with wᵀ[t][oc]
 * in `wT` so eight output channels are two v128 accumulators.
 */
function useDirectC1(chunkRows: i32): bool {
  return gGroups === 1 && gInC === 1 && (gOutC & 3) === 0 && 2 * gOutC <= chunkRows;
}

function directForwardC1(x: usize, w: usize, bias: usize, out: usize, wT: usize): void {
  const K = gKH * gKW;
  const C = gOutC;
  for (let oc = 0; oc < C; oc++)
    for (let t = 0; t < K; t++)
      store<f32>(wT + ((<usize>(t * C + oc)) << 2), load<f32>(w + ((<usize>(oc * K + t)) << 2)));
  const xStepW = (<usize>gDW) << 2;
  const xStepH = (<usize>(gDH * gInW)) << 2;
  const wStep = (<usize>C) << 2;
  for (let n = 0; n < gBatch; n++) {
    const xImg = x + ((<usize>(n * gInH * gInW)) << 2);
    for (let oh = 0; oh < gOutH; oh++)
      for (let ow = 0; ow < gOutW; ow++) {
        const o = out + ((<usize>(((n * gOutH + oh) * gOutW + ow) * C)) << 2);
        const ih0 = oh * gSH - gPT;
        const iw0 = ow * gSW - gPL;
        const inside = ih0 >= 0 && ih0 + (gKH - 1) * gDH < gInH && iw0 >= 0 && iw0 + (gKW - 1) * gDW < gInW;
        for (let ob = 0; ob < C; ob += 8) {
          const two = ob + 8 <= C;
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          if (bias !== 0) {
            a0 = v128.load(bias + ((<usize>ob) << 2));
            if (two) a1 = v128.load(bias + ((<usize>ob) << 2), 16);
          }
          if (inside) {
            // Interior pixel: every tap in bounds, walk pointers (same tap order as below).
            let xr = xImg + ((<usize>(ih0 * gInW + iw0)) << 2);
            let wp = wT + ((<usize>ob) << 2);
            for (let kh = 0; kh < gKH; kh++) {
              let xp = xr;
              for (let kw = 0; kw < gKW; kw++) {
                const xv = v128.load32_splat(xp);
                a0 = madd(xv, v128.load(wp), a0);
                if (two) a1 = madd(xv, v128.load(wp, 16), a1);
                xp += xStepW;
                wp += wStep;
              }
              xr += xStepH;
            }
          } else {
            for (let kh = 0; kh < gKH; kh++) {
              const ih = ih0 + kh * gDH;
              if (ih < 0 || ih >= gInH) continue;
              const xr = xImg + ((<usize>(ih * gInW)) << 2);
              const wr = wT + ((<usize>(kh * gKW * C + ob)) << 2);
              for (let kw = 0; kw < gKW; kw++) {
                const iw = iw0 + kw * gDW;
                if (iw < 0 || iw >= gInW) continue;
                const xv = v128.load32_splat(xr + ((<usize>iw) << 2));
                const wp = wr + ((<usize>(kw * C)) << 2);
                a0 = madd(xv, v128.load(wp), a0);
                if (two) a1 = madd(xv, v128.load(wp, 16), a1);
              }
            }
          }
          v128.store(o + ((<usize>ob) << 2), a0);
          if (two) v128.store(o + ((<usize>ob) << 2), a1, 16);
        }
      }
  }
}

/**
 * Backward weight of the one-input-channel direct path: dW[oc][t] = Σ_images Σ_pixels dOut[p][oc]·x[tap t of p],
 * per-image partial sums (`part`) added into `acc` (both K·outC floats), then transposed into dw.
 */
function directBackwardWeightC1(x: usize, dOut: usize, dw: usize, acc: usize, part: usize): void {
  const K = gKH * gKW;
  const C = gOutC;
  zeroFloats(acc, K * C);
  const xStepW = (<usize>gDW) << 2;
  const xStepH = (<usize>(gDH * gInW)) << 2;
  const wStep = (<usize>C) << 2;
  for (let n = 0; n < gBatch; n++) {
    zeroFloats(part, K * C);
    const xImg = x + ((<usize>(n * gInH * gInW)) << 2);
    for (let oh = 0; oh < gOutH; oh++)
      for (let ow = 0; ow < gOutW; ow++) {
        const d = dOut + ((<usize>(((n * gOutH + oh) * gOutW + ow) * C)) << 2);
        const ih0 = oh * gSH - gPT;
        const iw0 = ow * gSW - gPL;
        const inside = ih0 >= 0 && ih0 + (gKH - 1) * gDH < gInH && iw0 >= 0 && iw0 + (gKW - 1) * gDW < gInW;
        for (let ob = 0; ob < C; ob += 8) {
          const two = ob + 8 <= C;
          const d0 = v128.load(d + ((<usize>ob) << 2));
          const d1 = two ? v128.load(d + ((<usize>ob) << 2), 16) : f32x4.splat(0);
          if (inside) {
            let xr = xImg + ((<usize>(ih0 * gInW + iw0)) << 2);
            let p = part + ((<usize>ob) << 2);
            for (let kh = 0; kh < gKH; kh++) {
              let xp = xr;
              for (let kw = 0; kw < gKW; kw++) {
                const xv = v128.load32_splat(xp);
                v128.store(p, madd(xv, d0, v128.load(p)));
                if (two) v128.store(p, madd(xv, d1, v128.load(p, 16)), 16);
                xp += xStepW;
                p += wStep;
              }
              xr += xStepH;
            }
          } else {
            for (let kh = 0; kh < gKH; kh++) {
              const ih = ih0 + kh * gDH;
              if (ih < 0 || ih >= gInH) continue;
              const xr = xImg + ((<usize>(ih * gInW)) << 2);
              const pr = part + ((<usize>(kh * gKW * C + ob)) << 2);
              for (let kw = 0; kw < gKW; kw++) {
                const iw = iw0 + kw * gDW;
                if (iw < 0 || iw >= gInW) continue;
                const xv = v128.load32_splat(xr + ((<usize>iw) << 2));
                const p = pr + ((<usize>(kw * C)) << 2);
                v128.store(p, madd(xv, d0, v128.load(p)));
                if (two) v128.store(p, madd(xv, d1, v128.load(p, 16)), 16);
              }
            }
          }
        }
      }
    for (let i = 0; i < K * C; i += 4) {
      const o = (<usize>i) << 2;
      v128.store(acc + o, f32x4.add(v128.load(acc + o), v128.load(part + o)));
    }
  }
  for (let oc = 0; oc < C; oc++)
    for (let t = 0; t < K; t++)
      store<f32>(dw + ((<usize>(oc * K + t)) << 2), load<f32>(acc + ((<usize>(t * C + oc)) << 2)));
}

/**
 * out[N·outH·outW, outC] = bias + im2col(x)·Wᵀ, group by group, in chunks of `chunkRows` output rows
 * (col needs chunkRows·kH·kW·inC/groups floats). bias = 0 means no bias.
 */
export function conv2dForward(
  x: usize,
  w: usize,
  bias: usize,
  out: usize,
  col: usize,
  chunkRows: i32,
  packedA: usize,
  packedB: usize,
): void {
  const M = gBatch * gOutH * gOutW;
  const icpg = gInC / gGroups;
  const ocpg = gOutC / gGroups;
  const K = gKH * gKW * icpg;
  if (useDirectC1(chunkRows)) {
    directForwardC1(x, w, bias, out, col);
    return;
  }
  // Start from the bias (or zero) and accumulate, so each output is bias + Σ like the reference.
  for (let r = 0; r < M; r++) {
    const o = out + ((<usize>(r * gOutC)) << 2);
    if (bias !== 0) copyFloats(o, bias, gOutC);
    else zeroFloats(o, gOutC);
  }
  if (isPointwise()) {
    gemm(false, true, M, gOutC, K, x, gInC, w, K, out, gOutC, true, packedA, packedB);
    return;
  }
  for (let row0 = 0; row0 < M; row0 += chunkRows) {
    const rows = min(chunkRows, M - row0);
    for (let grp = 0; grp < gGroups; grp++) {
      im2col(x, grp, row0, rows, col);
      const wg = w + ((<usize>(grp * ocpg * K)) << 2);
      const og = out + ((<usize>(row0 * gOutC + grp * ocpg)) << 2);
      gemm(false, true, rows, ocpg, K, col, K, wg, K, og, gOutC, true, packedA, packedB);
    }
  }
}

/** dx = col2im(dOut·W), group by group, chunk by chunk. Overwrites dx. */
export function conv2dBackwardInput(
  dOut: usize,
  w: usize,
  dx: usize,
  col: usize,
  chunkRows: i32,
  packedA: usize,
  packedB: usize,
): void {
  const M = gBatch * gOutH * gOutW;
  const icpg = gInC / gGroups;
  const ocpg = gOutC / gGroups;
  const K = gKH * gKW * icpg;
  if (isPointwise()) {
    gemm(false, false, M, gInC, gOutC, dOut, gOutC, w, K, dx, gInC, false, packedA, packedB);
    return;
  }
  memory.fill(dx, 0, (<usize>(gBatch * gInH * gInW * gInC)) << 2);
  for (let row0 = 0; row0 < M; row0 += chunkRows) {
    const rows = min(chunkRows, M - row0);
    for (let grp = 0; grp < gGroups; grp++) {
      const dg = dOut + ((<usize>(row0 * gOutC + grp * ocpg)) << 2);
      const wg = w + ((<usize>(grp * ocpg * K)) << 2);
      gemm(false, false, rows, K, ocpg, dg, gOutC, wg, K, col, K, false, packedA, packedB);
      col2imAdd(col, grp, row0, rows, dx);
    }
  }
}

/** dW_g[ocpg, K] = Σ_chunks dOut_gᵀ·im2col(x)_g. Overwrites dw. */
export function conv2dBackwardWeight(
  x: usize,
  dOut: usize,
  dw: usize,
  col: usize,
  chunkRows: i32,
  packedA: usize,
  packedB: usize,
): void {
  const M = gBatch * gOutH * gOutW;
  const icpg = gInC / gGroups;
  const ocpg = gOutC / gGroups;
  const K = gKH * gKW * icpg;
  if (useDirectC1(chunkRows)) {
    directBackwardWeightC1(x, dOut, dw, col, col + ((<usize>(K * gOutC)) << 2));
    return;
  }
  if (isPointwise()) {
    gemm(true, false, gOutC, K, M, dOut, gOutC, x, gInC, dw, K, false, packedA, packedB);
    return;
  }
  if (M === 0) memory.fill(dw, 0, (<usize>(gOutC * K)) << 2);
  for (let row0 = 0; row0 < M; row0 += chunkRows) {
    const rows = min(chunkRows, M - row0);
    for (let grp = 0; grp < gGroups; grp++) {
      im2col(x, grp, row0, rows, col);
      const dg = dOut + ((<usize>(row0 * gOutC + grp * ocpg)) << 2);
      const wg = dw + ((<usize>(grp * ocpg * K)) << 2);
      gemm(true, false, ocpg, K, rows, dg, gOutC, col, K, wg, K, row0 > 0, packedA, packedB);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Max pooling

/**
 * out[n,oh,ow,c] = max over in-bounds taps of x; argmax = flat index into x of the first maximum; a NaN wins over
 * numbers and the first NaN is kept; a window with no in-bounds tap gives −∞ and −1 (same rules as the TS kernel).
 * Geometry: channels = gInC, pooling window gKH×gKW (set with setConvGeometry, outC = channels, groups = 1).
 */
export function maxPool2dForward(x: usize, out: usize, argmax: usize): void {
  const C = gInC;
  for (let n = 0; n < gBatch; n++)
    for (let oh = 0; oh < gOutH; oh++)
      for (let ow = 0; ow < gOutW; ow++) {
        const o = ((n * gOutH + oh) * gOutW + ow) * C;
        const op = out + ((<usize>o) << 2);
        const ap = argmax + ((<usize>o) << 2);
        for (let c = 0; c < C; c++) {
          store<f32>(op + ((<usize>c) << 2), -Infinity);
          store<i32>(ap + ((<usize>c) << 2), -1);
        }
        for (let kh = 0; kh < gKH; kh++) {
          const ih = oh * gSH - gPT + kh * gDH;
          if (ih < 0 || ih >= gInH) continue;
          for (let kw = 0; kw < gKW; kw++) {
            const iw = ow * gSW - gPL + kw * gDW;
            if (iw < 0 || iw >= gInW) continue;
            const xi = ((n * gInH + ih) * gInW + iw) * C;
            const xp = x + ((<usize>xi) << 2);
            // Four channels at a time: take = (no tap yet) | v > best | (v is NaN & best is not).
            let c = 0;
            for (; c + 4 <= C; c += 4) {
              const cb = (<usize>c) << 2;
              const v = v128.load(xp + cb);
              const best = v128.load(op + cb);
              const arg = v128.load(ap + cb);
              const take = v128.or(
                v128.or(i32x4.lt_s(arg, i32x4.splat(0)), f32x4.gt(v, best)),
                v128.and(f32x4.ne(v, v), f32x4.eq(best, best)),
              );
              const idx = i32x4.add(i32x4.splat(xi + c), i32x4(0, 1, 2, 3));
              v128.store(op + cb, v128.bitselect(v, best, take));
              v128.store(ap + cb, v128.bitselect(idx, arg, take));
            }
            for (; c < C; c++) {
              const cb = (<usize>c) << 2;
              const v = load<f32>(xp + cb);
              const best = load<f32>(op + cb);
              // biome-ignore lint/suspicious/noGlobalIsNan: AssemblyScript's builtin isNaN<f32> (no coercion).
              if (load<i32>(ap + cb) < 0 || v > best || (isNaN(v) && !isNaN(best))) {
                store<f32>(op + cb, v);
                store<i32>(ap + cb, xi + c);
              }
            }
          }
        }
      }
}

// ---------------------------------------------------------------------------------------------------------------
// Elementwise and reduction loops of the autograd ops (ReLU, conv bias gradient, max-pool backward)

/**
 * out[i] = max(x[i], 0) with NaN kept (PyTorch): out = x & ([x > 0] | [x ≠ x]), so −0, negatives and −∞ give +0.
 * `out` may be `x`.
 */
export function reluForward(x: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const b = (<usize>i) << 2;
    const v = v128.load(x + b);
    v128.store(out + b, v128.and(v, v128.or(f32x4.gt(v, zero), f32x4.ne(v, v))));
  }
  for (; i < n; i++) {
    const b = (<usize>i) << 2;
    const v = load<f32>(x + b);
    // biome-ignore lint/suspicious/noGlobalIsNan: AssemblyScript's builtin isNaN<f32> (no coercion).
    store<f32>(out + b, v > 0 || isNaN(v) ? v : 0);
  }
}

/** out[i] = g[i] where y[i] > 0 (y = the ReLU output; NaN fails), else +0: out = g & [y > 0]. `out` may alias g. */
export function reluBackward(y: usize, g: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const b = (<usize>i) << 2;
    v128.store(out + b, v128.and(v128.load(g + b), f32x4.gt(v128.load(y + b), zero)));
  }
  for (; i < n; i++) {
    const b = (<usize>i) << 2;
    store<f32>(out + b, load<f32>(y + b) > 0 ? load<f32>(g + b) : 0);
  }
}

/**
 * out[c] = Σ_r g[r·C + c] for r < rows (the bias gradient Σ_{n,h,w} dOut of a channels-last tensor), accumulated in
 * float64 in row order (`acc`: C doubles, 16-byte aligned) and rounded to float32 once at the end. Rows go in blocks
 * of about 4096 floats; inside a block each group of four channels carries its running sums in two f64x2 registers.
 */
export function channelSum(g: usize, rows: i32, C: i32, acc: usize, out: usize): void {
  for (let c = 0; c < C; c++) store<f64>(acc + ((<usize>c) << 3), 0);
  const C4 = C & ~3;
  const rowBytes = (<usize>C) << 2;
  const blockRows = max(4, 4096 / max(C, 1));
  for (let r0 = 0; r0 < rows; r0 += blockRows) {
    const r1 = min(rows, r0 + blockRows);
    for (let c = 0; c < C4; c += 4) {
      const a = acc + ((<usize>c) << 3);
      let lo = v128.load(a);
      let hi = v128.load(a + 16);
      let p = g + ((<usize>(r0 * C + c)) << 2);
      for (let r = r0; r < r1; r++) {
        const v = v128.load(p);
        lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
        hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
        p += rowBytes;
      }
      v128.store(a, lo);
      v128.store(a + 16, hi);
    }
    for (let c = C4; c < C; c++) {
      const a = acc + ((<usize>c) << 3);
      let s = load<f64>(a);
      for (let r = r0; r < r1; r++) s += <f64>load<f32>(g + ((<usize>(r * C + c)) << 2));
      store<f64>(a, s);
    }
  }
  for (let c = 0; c < C; c++) store<f32>(out + ((<usize>c) << 2), <f32>load<f64>(acc + ((<usize>c) << 3)));
}

/**
 * dx = 0 (n floats), then dx[argmax[i]] += g[i] for the m pooled outputs with 0 ≤ argmax < n (others are skipped,
 * as a typed-array write past the end is in the TypeScript kernel).
 */
export function maxPool2dBackward(argmax: usize, g: usize, m: i32, dx: usize, n: i32): void {
  memory.fill(dx, 0, (<usize>n) << 2);
  for (let i = 0; i < m; i++) {
    const b = (<usize>i) << 2;
    const j = load<i32>(argmax + b);
    if (<u32>j < <u32>n) {
      const d = dx + ((<usize>j) << 2);
      store<f32>(d, load<f32>(d) + load<f32>(g + b));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Batch-norm loops (for @hw3/batchnorm) on channels-last data viewed as [rows, C]. All arithmetic is float64, as in
// the TypeScript kernels of @hw3/batchnorm: four channels are loaded as f32x4 and widened to two f64x2, and only the
// final store rounds to float32. Rows are cut into blocks of about BN_BLOCK floats (in L1); inside a block each group
// of four channels keeps its accumulators in registers. Per-channel arrays (k, mean, scale, ...) are float64.

const BN_BLOCK: i32 = 4096;

function bnBlockRows(C: i32): i32 {
  return max(4, BN_BLOCK / C);
}

function widenLow(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

function widenHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
}

function narrow(lo: v128, hi: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/**
 * Per-channel sums of a and of a·b for rows×C floats, where a = x − k[c] and b = a (moments: s1 = Σ(x − k),
 * s2 = Σ(x − k)²) when `y` is 0, else a = y and b = x − k[c] (batch-norm backward: Σ dy, Σ dy·(x − μ)).
 * Overwrites s1[0..C), s2[0..C) (float64).
 */
export function bnReduce(x: usize, y: usize, rows: i32, C: i32, k: usize, s1: usize, s2: usize): void {
  for (let c = 0; c < C; c++) {
    store<f64>(s1 + ((<usize>c) << 3), 0);
    store<f64>(s2 + ((<usize>c) << 3), 0);
  }
  const C4 = C & ~3;
  const blockRows = bnBlockRows(C);
  const rowBytes = (<usize>C) << 2;
  const moments = y === 0;
  for (let r0 = 0; r0 < rows; r0 += blockRows) {
    const r1 = min(rows, r0 + blockRows);
    for (let c = 0; c < C4; c += 4) {
      const kp = k + ((<usize>c) << 3);
      const kLo = v128.load(kp);
      const kHi = v128.load(kp + 16);
      let a1Lo = f64x2.splat(0);
      let a1Hi = f64x2.splat(0);
      let a2Lo = f64x2.splat(0);
      let a2Hi = f64x2.splat(0);
      const start = (<usize>(r0 * C + c)) << 2;
      let px = x + start;
      if (moments) {
        for (let r = r0; r < r1; r++) {
          const v = v128.load(px);
          const dLo = f64x2.sub(widenLow(v), kLo);
          const dHi = f64x2.sub(widenHigh(v), kHi);
          a1Lo = f64x2.add(a1Lo, dLo);
          a1Hi = f64x2.add(a1Hi, dHi);
          a2Lo = f64x2.add(a2Lo, f64x2.mul(dLo, dLo));
          a2Hi = f64x2.add(a2Hi, f64x2.mul(dHi, dHi));
          px += rowBytes;
        }
      } else {
        let py = y + start;
        for (let r = r0; r < r1; r++) {
          const v = v128.load(px);
          const g = v128.load(py);
          const gLo = widenLow(g);
          const gHi = widenHigh(g);
          a1Lo = f64x2.add(a1Lo, gLo);
          a1Hi = f64x2.add(a1Hi, gHi);
          a2Lo = f64x2.add(a2Lo, f64x2.mul(gLo, f64x2.sub(widenLow(v), kLo)));
          a2Hi = f64x2.add(a2Hi, f64x2.mul(gHi, f64x2.sub(widenHigh(v), kHi)));
          px += rowBytes;
          py += rowBytes;
        }
      }
      const q1 = s1 + ((<usize>c) << 3);
      const q2 = s2 + ((<usize>c) << 3);
      v128.store(q1, f64x2.add(v128.load(q1), a1Lo));
      v128.store(q1 + 16, f64x2.add(v128.load(q1 + 16), a1Hi));
      v128.store(q2, f64x2.add(v128.load(q2), a2Lo));
      v128.store(q2 + 16, f64x2.add(v128.load(q2 + 16), a2Hi));
    }
    for (let c = C4; c < C; c++) {
      const kc = load<f64>(k + ((<usize>c) << 3));
      let a1: f64 = 0;
      let a2: f64 = 0;
      for (let r = r0; r < r1; r++) {
        const off = (<usize>(r * C + c)) << 2;
        const d = <f64>load<f32>(x + off) - kc;
        if (moments) {
          a1 += d;
          a2 += d * d;
        } else {
          const g = <f64>load<f32>(y + off);
          a1 += g;
          a2 += g * d;
        }
      }
      const q1 = s1 + ((<usize>c) << 3);
      const q2 = s2 + ((<usize>c) << 3);
      store<f64>(q1, load<f64>(q1) + a1);
      store<f64>(q2, load<f64>(q2) + a2);
    }
  }
}

/**
 * out = (x − mean[c])·scale[c] + offset[c] when `y` is 0 (normalize), else out = (A[c]·y + scale[c]·(x − mean[c]))
 * + offset[c] with A = `a` (batch-norm input gradient, y = dy); evaluated in float64 in exactly this order, rounded
 * once. `out` may alias x or y.
 */
export function bnAffine(
  x: usize,
  y: usize,
  out: usize,
  rows: i32,
  C: i32,
  mean: usize,
  a: usize,
  scale: usize,
  offset: usize,
): void {
  const C4 = C & ~3;
  const blockRows = bnBlockRows(C);
  const rowBytes = (<usize>C) << 2;
  const plain = y === 0;
  for (let r0 = 0; r0 < rows; r0 += blockRows) {
    const r1 = min(rows, r0 + blockRows);
    for (let c = 0; c < C4; c += 4) {
      const cb = (<usize>c) << 3;
      const mLo = v128.load(mean + cb);
      const mHi = v128.load(mean + cb + 16);
      const sLo = v128.load(scale + cb);
      const sHi = v128.load(scale + cb + 16);
      const oLo = v128.load(offset + cb);
      const oHi = v128.load(offset + cb + 16);
      const start = (<usize>(r0 * C + c)) << 2;
      let px = x + start;
      let po = out + start;
      if (plain) {
        for (let r = r0; r < r1; r++) {
          const v = v128.load(px);
          const lo = f64x2.add(f64x2.mul(f64x2.sub(widenLow(v), mLo), sLo), oLo);
          const hi = f64x2.add(f64x2.mul(f64x2.sub(widenHigh(v), mHi), sHi), oHi);
          v128.store(po, narrow(lo, hi));
          px += rowBytes;
          po += rowBytes;
        }
      } else {
        const aLo = v128.load(a + cb);
        const aHi = v128.load(a + cb + 16);
        let py = y + start;
        for (let r = r0; r < r1; r++) {
          const v = v128.load(px);
          const g = v128.load(py);
          const lo = f64x2.add(
            f64x2.add(f64x2.mul(aLo, widenLow(g)), f64x2.mul(sLo, f64x2.sub(widenLow(v), mLo))),
            oLo,
          );
          const hi = f64x2.add(
            f64x2.add(f64x2.mul(aHi, widenHigh(g)), f64x2.mul(sHi, f64x2.sub(widenHigh(v), mHi))),
            oHi,
          );
          v128.store(po, narrow(lo, hi));
          px += rowBytes;
          py += rowBytes;
          po += rowBytes;
        }
      }
    }
    for (let c = C4; c < C; c++) {
      const cb = (<usize>c) << 3;
      const mu = load<f64>(mean + cb);
      const s = load<f64>(scale + cb);
      const o = load<f64>(offset + cb);
      const ac = plain ? 0 : load<f64>(a + cb);
      for (let r = r0; r < r1; r++) {
        const off = (<usize>(r * C + c)) << 2;
        const d = <f64>load<f32>(x + off) - mu;
        const v = plain ? d * s + o : ac * <f64>load<f32>(y + off) + s * d + o;
        store<f32>(out + off, <f32>v);
      }
    }
  }
}
