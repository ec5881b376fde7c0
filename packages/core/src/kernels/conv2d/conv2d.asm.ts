/** Convolution (NHWC input, OHWI weights) as im2col + GEMM, in AssemblyScript (WebAssembly SIMD, float32). */

import { gemm, gemmBias, gemmSlice, KC, NC, NR } from '../gemm/gemm.asm';
import { copyFloats, madd, zeroFloats } from '../wasm/common.asm';
import {
  gBatch,
  gDH,
  gDW,
  gGroups,
  gInC,
  gInH,
  gInW,
  gKH,
  gKW,
  gOutC,
  gOutH,
  gOutW,
  gPL,
  gPT,
  gSH,
  gSW,
  isPointwise,
} from './geometry.asm';

/**
 * One group, dilation 1 and inC % 4 = 0 (the reference net's second layer, inC = 8): the kW taps of one kernel row
 * are one contiguous run of kW·inC floats in x (and in dx) when the row's taps are inside horizontally, and each tap
 * is a whole number of v128 otherwise; the dense loops below copy / add v128 by v128 with no scalar tails.
 */
function denseRuns(): bool {
  return gGroups === 1 && gDH === 1 && gDW === 1 && (gInC & 3) === 0;
}

/** im2col for denseRuns(): one v128 copy loop per kernel row (or per tap at the left and right borders). */
function im2colDense(x: usize, row0: i32, rows: i32, col: usize): void {
  const C = gInC;
  const runBytes = (<usize>(gKW * C)) << 2;
  const cBytes = (<usize>C) << 2;
  const xRowBytes = (<usize>(gInW * C)) << 2;
  let ow = row0 % gOutW;
  const t = row0 / gOutW;
  let oh = t % gOutH;
  let n = t / gOutH;
  let dst = col;
  for (let r = 0; r < rows; r++) {
    const ih0 = oh * gSH - gPT;
    const iw0 = ow * gSW - gPL;
    let src = x + ((<usize>(((n * gInH + ih0) * gInW + iw0) * C)) << 2);
    const insideW = iw0 >= 0 && iw0 + gKW <= gInW;
    for (let kh = 0; kh < gKH; kh++) {
      const ih = ih0 + kh;
      const end = dst + runBytes;
      if (ih < 0 || ih >= gInH) {
        for (; dst < end; dst += 16) v128.store(dst, i32x4.splat(0));
      } else if (insideW) {
        let s = src;
        for (; dst < end; dst += 16) {
          v128.store(dst, v128.load(s));
          s += 16;
        }
      } else {
        let s = src;
        for (let kw = 0; kw < gKW; kw++) {
          const iw = iw0 + kw;
          const tapEnd = dst + cBytes;
          if (iw < 0 || iw >= gInW) {
            for (; dst < tapEnd; dst += 16) v128.store(dst, i32x4.splat(0));
          } else {
            let q = s;
            for (; dst < tapEnd; dst += 16) {
              v128.store(dst, v128.load(q));
              q += 16;
            }
          }
          s += cBytes;
        }
      }
      src += xRowBytes;
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
 * im2col rows row0..row0+kc written straight into GEMM's packed-B layout (packB of the kc × K column matrix:
 * dst[q / NR][p][q % NR]) when inC = NR = 8: each tap's eight channels are one panel's row (two v128).
 */
function im2colPackedB8(x: usize, row0: i32, kc: i32, dst: usize): void {
  const panelBytes = (<usize>(kc * NR)) << 2;
  const xRowBytes = (<usize>(gInW * 8)) << 2;
  let ow = row0 % gOutW;
  const t = row0 / gOutW;
  let oh = t % gOutH;
  let n = t / gOutH;
  for (let r = 0; r < kc; r++) {
    const ih0 = oh * gSH - gPT;
    const iw0 = ow * gSW - gPL;
    let d = dst + ((<usize>(r * NR)) << 2);
    let src = x + ((<usize>(((n * gInH + ih0) * gInW + iw0) * 8)) << 2);
    const insideW = iw0 >= 0 && iw0 + gKW <= gInW;
    for (let kh = 0; kh < gKH; kh++) {
      const ih = ih0 + kh;
      if (ih < 0 || ih >= gInH) {
        for (let kw = 0; kw < gKW; kw++) {
          v128.store(d, i32x4.splat(0));
          v128.store(d, i32x4.splat(0), 16);
          d += panelBytes;
        }
      } else if (insideW) {
        let s = src;
        for (let kw = 0; kw < gKW; kw++) {
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
          d += panelBytes;
          s += 32;
        }
      } else {
        let s = src;
        for (let kw = 0; kw < gKW; kw++) {
          const iw = iw0 + kw;
          if (iw < 0 || iw >= gInW) {
            v128.store(d, i32x4.splat(0));
            v128.store(d, i32x4.splat(0), 16);
          } else {
            v128.store(d, v128.load(s));
            v128.store(d, v128.load(s, 16), 16);
          }
          d += panelBytes;
          s += 32;
        }
      }
      src += xRowBytes;
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

/** col2imAdd for denseRuns(): one v128 add loop per kernel row (or per tap at the left and right borders). */
function col2imAddDense(col: usize, row0: i32, rows: i32, dx: usize): void {
  const C = gInC;
  const runBytes = (<usize>(gKW * C)) << 2;
  const cBytes = (<usize>C) << 2;
  const xRowBytes = (<usize>(gInW * C)) << 2;
  let ow = row0 % gOutW;
  const t = row0 / gOutW;
  let oh = t % gOutH;
  let n = t / gOutH;
  let src = col;
  for (let r = 0; r < rows; r++) {
    const ih0 = oh * gSH - gPT;
    const iw0 = ow * gSW - gPL;
    let dst = dx + ((<usize>(((n * gInH + ih0) * gInW + iw0) * C)) << 2);
    const insideW = iw0 >= 0 && iw0 + gKW <= gInW;
    for (let kh = 0; kh < gKH; kh++) {
      const ih = ih0 + kh;
      const end = src + runBytes;
      if (ih < 0 || ih >= gInH) {
        src = end;
      } else if (insideW) {
        let d = dst;
        for (; src < end; src += 16) {
          v128.store(d, f32x4.add(v128.load(d), v128.load(src)));
          d += 16;
        }
      } else {
        let d = dst;
        for (let kw = 0; kw < gKW; kw++) {
          const iw = iw0 + kw;
          const tapEnd = src + cBytes;
          if (iw < 0 || iw >= gInW) {
            src = tapEnd;
          } else {
            let q = d;
            for (; src < tapEnd; src += 16) {
              v128.store(q, f32x4.add(v128.load(q), v128.load(src)));
              q += 16;
            }
          }
          d += cBytes;
        }
      }
      dst += xRowBytes;
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
 * im2col of output rows row0..row0+rows (row = (n·outH + oh)·outW + ow) for group grp:
 * col[r][(kh·kW + kw)·icpg + ic] = x[n, oh·sH−pT+kh·dH, ow·sW−pL+kw·dW, grp·icpg + ic], 0 in the padding.
 */
function im2col(x: usize, grp: i32, row0: i32, rows: i32, col: usize): void {
  if (denseRuns()) {
    im2colDense(x, row0, rows, col);
    return;
  }
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
  if (denseRuns()) {
    col2imAddDense(col, row0, rows, dx);
    return;
  }
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
 * The 3-wide stride-1 case of the one-input-channel direct path (the reference net's first layer: 3×3 'same'),
 * when the scratch holds the padded image too: each image is first copied into a zero-padded (outH + kH − 1) ×
 * (outW + 2) plane, so every output pixel reads its taps without bounds checks (padding taps are 0·w, as in the
 * im2col + GEMM path). Needs outW ≥ 4 and outC % 8 = 0.
 */
function useDirectC1K3(chunkRows: i32, scratchFloats: i32): bool {
  if (!(gKW === 3 && gSH === 1 && gSW === 1 && gDH === 1 && gDW === 1 && gOutW >= 4 && (gOutC & 7) === 0))
    return false;
  const planeFloats = (gOutH + gKH - 1) * (gOutW + 2);
  return scratchFloats + planeFloats <= chunkRows * gKH * gKW;
}

/** Copies image n of x (one channel) into the zero-padded plane at `plane` (rows outH + kH − 1, width outW + 2). */
function padImageC1(x: usize, n: i32, plane: usize): void {
  const PW = gOutW + 2;
  const PH = gOutH + gKH - 1;
  memory.fill(plane, 0, (<usize>(PH * PW)) << 2);
  const xImg = x + ((<usize>(n * gInH * gInW)) << 2);
  // Plane column pc holds input column pc − pL; plane row pr holds input row pr − pT.
  const c0 = max(0, gPL);
  const c1 = min(PW, gInW + gPL);
  if (c1 <= c0) return;
  const r0 = max(0, gPT);
  const r1 = min(PH, gInH + gPT);
  for (let pr = r0; pr < r1; pr++)
    copyFloats(
      plane + ((<usize>(pr * PW + c0)) << 2),
      xImg + ((<usize>((pr - gPT) * gInW + c0 - gPL)) << 2),
      c1 - c0,
    );
}

/**
 * Forward of the 3-wide one-channel case: blocks of four output pixels × eight output channels (eight v128
 * accumulators), each tap a splat of x times the tap's eight weights; per output the sum is bias, then the taps in
 * (kh, kw) order, like directForwardC1. A row's last block overlaps the previous one when outW % 4 ≠ 0.
 */
function directForwardC1K3(x: usize, w: usize, bias: usize, out: usize, scratch: usize): void {
  const K = gKH * 3;
  const C = gOutC;
  for (let oc = 0; oc < C; oc++)
    for (let t = 0; t < K; t++)
      store<f32>(scratch + ((<usize>(t * C + oc)) << 2), load<f32>(w + ((<usize>(oc * K + t)) << 2)));
  const wT = scratch;
  const plane = scratch + ((<usize>(K * C)) << 2);
  const PW = gOutW + 2;
  const rowBytes = (<usize>PW) << 2;
  const cBytes = (<usize>C) << 2;
  const tapRowBytes = (<usize>(3 * C)) << 2;
  const lastOw = gOutW - 4;
  for (let n = 0; n < gBatch; n++) {
    padImageC1(x, n, plane);
    for (let ob = 0; ob < C; ob += 8) {
      let b0 = f32x4.splat(0);
      let b1 = f32x4.splat(0);
      if (bias !== 0) {
        b0 = v128.load(bias + ((<usize>ob) << 2));
        b1 = v128.load(bias + ((<usize>ob) << 2), 16);
      }
      for (let oh = 0; oh < gOutH; oh++) {
        const oRow = out + ((<usize>((n * gOutH + oh) * gOutW * C + ob)) << 2);
        const xRow = plane + ((<usize>(oh * PW)) << 2);
        let ow = 0;
        while (true) {
          if (ow > lastOw) ow = lastOw;
          let a0 = b0;
          let a1 = b1;
          let c0 = b0;
          let c1 = b1;
          let d0 = b0;
          let d1 = b1;
          let e0 = b0;
          let e1 = b1;
          let xp = xRow + ((<usize>ow) << 2);
          let wp = wT + ((<usize>ob) << 2);
          // One tap per iteration (two weight v128, four x splats), like GEMM's micro-kernel: with the three taps of a
          // row unrolled, V8 keeps six weights live and spills accumulators.
          for (let kh = 0; kh < gKH; kh++) {
            const rowEnd = wp + tapRowBytes;
            while (wp < rowEnd) {
              const w0 = v128.load(wp);
              const w1 = v128.load(wp, 16);
              let v = v128.load32_splat(xp);
              a0 = madd(v, w0, a0);
              a1 = madd(v, w1, a1);
              v = v128.load32_splat(xp, 4);
              c0 = madd(v, w0, c0);
              c1 = madd(v, w1, c1);
              v = v128.load32_splat(xp, 8);
              d0 = madd(v, w0, d0);
              d1 = madd(v, w1, d1);
              v = v128.load32_splat(xp, 12);
              e0 = madd(v, w0, e0);
              e1 = madd(v, w1, e1);
              xp += 4;
              wp += cBytes;
            }
            xp += rowBytes - 12;
          }
          const o = oRow + ((<usize>(ow * C)) << 2);
          v128.store(o, a0);
          v128.store(o, a1, 16);
          v128.store(o + cBytes, c0);
          v128.store(o + cBytes, c1, 16);
          v128.store(o + 2 * cBytes, d0);
          v128.store(o + 2 * cBytes, d1, 16);
          v128.store(o + 3 * cBytes, e0);
          v128.store(o + 3 * cBytes, e1, 16);
          if (ow === lastOw) break;
          ow += 4;
        }
      }
    }
  }
}

/**
 * Weight gradient of the 3-wide one-channel case: for each image, eight-channel block and kernel row kh, the three
 * taps' sums live in registers in two sets (even and odd output pixels of each row, 12 v128 accumulators), added
 * (even + odd) into the running sum over images `acc` after the image; then acc is transposed into dw.
 */
function directBackwardWeightC1K3(x: usize, dOut: usize, dw: usize, scratch: usize): void {
  const K = gKH * 3;
  const C = gOutC;
  const acc = scratch;
  const plane = scratch + ((<usize>(K * C)) << 2);
  zeroFloats(acc, K * C);
  const PW = gOutW + 2;
  const cBytes = (<usize>C) << 2;
  const W = gOutW;
  for (let n = 0; n < gBatch; n++) {
    padImageC1(x, n, plane);
    const dImg = dOut + ((<usize>(n * gOutH * W * C)) << 2);
    for (let ob = 0; ob < C; ob += 8)
      for (let kh = 0; kh < gKH; kh++) {
        let p00 = f32x4.splat(0);
        let p01 = f32x4.splat(0);
        let p10 = f32x4.splat(0);
        let p11 = f32x4.splat(0);
        let p20 = f32x4.splat(0);
        let p21 = f32x4.splat(0);
        let q00 = f32x4.splat(0);
        let q01 = f32x4.splat(0);
        let q10 = f32x4.splat(0);
        let q11 = f32x4.splat(0);
        let q20 = f32x4.splat(0);
        let q21 = f32x4.splat(0);
        for (let oh = 0; oh < gOutH; oh++) {
          let xp = plane + ((<usize>((oh + kh) * PW)) << 2);
          let dp = dImg + ((<usize>(oh * W * C + ob)) << 2);
          let ow = 0;
          for (; ow + 2 <= W; ow += 2) {
            const g0 = v128.load(dp);
            const g1 = v128.load(dp, 16);
            const h0 = v128.load(dp + cBytes);
            const h1 = v128.load(dp + cBytes, 16);
            const x0 = v128.load32_splat(xp);
            p00 = madd(x0, g0, p00);
            p01 = madd(x0, g1, p01);
            const x1 = v128.load32_splat(xp, 4);
            p10 = madd(x1, g0, p10);
            p11 = madd(x1, g1, p11);
            q00 = madd(x1, h0, q00);
            q01 = madd(x1, h1, q01);
            const x2 = v128.load32_splat(xp, 8);
            p20 = madd(x2, g0, p20);
            p21 = madd(x2, g1, p21);
            q10 = madd(x2, h0, q10);
            q11 = madd(x2, h1, q11);
            const x3 = v128.load32_splat(xp, 12);
            q20 = madd(x3, h0, q20);
            q21 = madd(x3, h1, q21);
            xp += 8;
            dp += 2 * cBytes;
          }
          if (ow < W) {
            const g0 = v128.load(dp);
            const g1 = v128.load(dp, 16);
            const x0 = v128.load32_splat(xp);
            p00 = madd(x0, g0, p00);
            p01 = madd(x0, g1, p01);
            const x1 = v128.load32_splat(xp, 4);
            p10 = madd(x1, g0, p10);
            p11 = madd(x1, g1, p11);
            const x2 = v128.load32_splat(xp, 8);
            p20 = madd(x2, g0, p20);
            p21 = madd(x2, g1, p21);
          }
        }
        const a = acc + ((<usize>(kh * 3 * C + ob)) << 2);
        v128.store(a, f32x4.add(v128.load(a), f32x4.add(p00, q00)));
        v128.store(a, f32x4.add(v128.load(a, 16), f32x4.add(p01, q01)), 16);
        v128.store(a + cBytes, f32x4.add(v128.load(a + cBytes), f32x4.add(p10, q10)));
        v128.store(a + cBytes, f32x4.add(v128.load(a + cBytes, 16), f32x4.add(p11, q11)), 16);
        v128.store(a + 2 * cBytes, f32x4.add(v128.load(a + 2 * cBytes), f32x4.add(p20, q20)));
        v128.store(a + 2 * cBytes, f32x4.add(v128.load(a + 2 * cBytes, 16), f32x4.add(p21, q21)), 16);
      }
  }
  for (let oc = 0; oc < C; oc++)
    for (let t = 0; t < K; t++)
      store<f32>(dw + ((<usize>(oc * K + t)) << 2), load<f32>(acc + ((<usize>(t * C + oc)) << 2)));
}

/**
 * Direct 3×3 path (stride 1, dilation 1, one group, inC % 4 = 0: the reference net's second layer, 8 → 16 channels
 * on 14×14), for any padding. im2col + GEMM spends a good part of its time writing the 9·inC-float columns and
 * packing them again; here each image is copied once into a zero-padded plane in the scratch (the `col` buffer) and
 * register-blocked loops read their operands from it with v128 splats. Every sum is the GEMM path's, term for term
 * in the same order with the same madd (the padding taps included, as 0·w), so the results are bit-identical to it.
 * The kernels loop over the gBatch images they are given (any contiguous range of a batch).
 */
function direct3x3(): bool {
  return (
    gGroups === 1 &&
    gKH === 3 &&
    gKW === 3 &&
    gSH === 1 &&
    gSW === 1 &&
    gDH === 1 &&
    gDW === 1 &&
    gInC > 0 &&
    (gInC & 3) === 0
  );
}

/** Floats of a zero-padded plane of (h + 2) × (w + 2) pixels of c channels. */
function planeFloats(h: i32, w: i32, c: i32): i32 {
  return (h + 2) * (w + 2) * c;
}

/**
 * Copies one image (h × w pixels of c channels at src) into the plane (ph × pw pixels): plane(pr, pc) =
 * src(pr − offT, pc − offL) where that pixel exists. The rest of the plane is not touched: the caller zeroes the
 * plane once per call, and the copied region is the same for every image.
 */
function copyIntoPlane(
  src: usize,
  h: i32,
  w: i32,
  c: i32,
  plane: usize,
  ph: i32,
  pw: i32,
  offT: i32,
  offL: i32,
): void {
  const c0 = max(0, offL);
  const c1 = min(pw, w + offL);
  if (c1 <= c0) return;
  const r0 = max(0, offT);
  const r1 = min(ph, h + offT);
  for (let pr = r0; pr < r1; pr++)
    copyFloats(
      plane + ((<usize>((pr * pw + c0) * c)) << 2),
      src + ((<usize>(((pr - offT) * w + c0 - offL) * c)) << 2),
      (c1 - c0) * c,
    );
}

/** Whether the forward takes the direct 3×3 path: outC % 8 = 0, ≥ 4 output pixels, and the scratch is big enough. */
function useDirectForward3x3(scratchFloats: i32): bool {
  if (!direct3x3() || gOutC === 0 || (gOutC & 7) !== 0) return false;
  const P = gOutH * gOutW;
  if (P < 4) return false;
  return 9 * gInC * gOutC + ((P + 3) & ~3) + planeFloats(gOutH, gOutW, gInC) <= scratchFloats;
}

/**
 * Forward of the direct 3×3 path: blocks of four output pixels (consecutive in the image, the last block of an image
 * overlapping the previous one when outH·outW % 4 ≠ 0) × eight output channels in eight v128 accumulators, started
 * from the bias; then the k = (kh, kw, ic) terms in increasing k: per kernel row kh the 3·inC taps are one contiguous
 * run of the padded plane (x, splat per pixel) and of the packed weights (wP[oc / 8][k][oc % 8], like packB).
 */
function directForward3x3(x: usize, w: usize, bias: usize, out: usize, scratch: usize): void {
  const C = gInC;
  const OC = gOutC;
  const K = 9 * C;
  const P = gOutH * gOutW;
  const PW = gOutW + 2;
  const PH = gOutH + 2;
  const wP = scratch;
  for (let ob = 0; ob < OC; ob += 8)
    for (let k = 0; k < K; k++) {
      const d = wP + ((<usize>(ob * K + k * 8)) << 2);
      for (let j = 0; j < 8; j++)
        store<f32>(d + ((<usize>j) << 2), load<f32>(w + ((<usize>((ob + j) * K + k)) << 2)));
    }
  // offs[q]: byte offset in the plane of output pixel q's first tap (plane pixel (oh, ow)).
  const offs = wP + ((<usize>(K * OC)) << 2);
  const plane = offs + ((<usize>((P + 3) & ~3)) << 2);
  let q = 0;
  for (let oh = 0; oh < gOutH; oh++)
    for (let ow = 0; ow < gOutW; ow++) {
      store<i32>(offs + ((<usize>q) << 2), (oh * PW + ow) * C * 4);
      q++;
    }
  memory.fill(plane, 0, (<usize>planeFloats(gOutH, gOutW, C)) << 2);
  const rowSkip = (<usize>((PW - 3) * C)) << 2;
  const runBytes = (<usize>(3 * C * 8)) << 2; // one kernel row of wP's panel
  const ocBytes = (<usize>OC) << 2;
  const xImage = (<usize>(gInH * gInW * C)) << 2;
  const oImage = (<usize>(P * OC)) << 2;
  for (let n = 0; n < gBatch; n++) {
    copyIntoPlane(x + <usize>n * xImage, gInH, gInW, C, plane, PH, PW, gPT, gPL);
    const oImg = out + <usize>n * oImage;
    for (let ob = 0; ob < OC; ob += 8) {
      let b0 = f32x4.splat(0);
      let b1 = f32x4.splat(0);
      if (bias !== 0) {
        b0 = v128.load(bias + ((<usize>ob) << 2));
        b1 = v128.load(bias + ((<usize>ob) << 2), 16);
      }
      const wPanel = wP + ((<usize>(ob * K)) << 2);
      for (let q0 = 0; q0 < P; q0 += 4) {
        const qb = min(q0, P - 4);
        const ob4 = offs + ((<usize>qb) << 2);
        let x0 = plane + <usize>load<i32>(ob4);
        let x1 = plane + <usize>load<i32>(ob4, 4);
        let x2 = plane + <usize>load<i32>(ob4, 8);
        let x3 = plane + <usize>load<i32>(ob4, 12);
        let wp = wPanel;
        let a0 = b0;
        let a1 = b1;
        let c0 = b0;
        let c1 = b1;
        let d0 = b0;
        let d1 = b1;
        let e0 = b0;
        let e1 = b1;
        for (let kh = 0; kh < 3; kh++) {
          const runEnd = wp + runBytes;
          while (wp < runEnd) {
            const w0 = v128.load(wp);
            const w1 = v128.load(wp, 16);
            let v = v128.load32_splat(x0);
            a0 = madd(v, w0, a0);
            a1 = madd(v, w1, a1);
            v = v128.load32_splat(x1);
            c0 = madd(v, w0, c0);
            c1 = madd(v, w1, c1);
            v = v128.load32_splat(x2);
            d0 = madd(v, w0, d0);
            d1 = madd(v, w1, d1);
            v = v128.load32_splat(x3);
            e0 = madd(v, w0, e0);
            e1 = madd(v, w1, e1);
            x0 += 4;
            x1 += 4;
            x2 += 4;
            x3 += 4;
            wp += 32;
          }
          x0 += rowSkip;
          x1 += rowSkip;
          x2 += rowSkip;
          x3 += rowSkip;
        }
        const o = oImg + ((<usize>(qb * OC + ob)) << 2);
        v128.store(o, a0);
        v128.store(o, a1, 16);
        v128.store(o + ocBytes, c0);
        v128.store(o + ocBytes, c1, 16);
        v128.store(o + 2 * ocBytes, d0);
        v128.store(o + 2 * ocBytes, d1, 16);
        v128.store(o + 3 * ocBytes, e0);
        v128.store(o + 3 * ocBytes, e1, 16);
      }
    }
  }
}

/** True when every weight is finite (x − x = 0): then the padding taps of the input gradient add exactly +0. */
function allFinite(w: usize, count: i32): bool {
  let i = 0;
  let ok = i32x4.splat(-1);
  for (; i + 4 <= count; i += 4) {
    const v = v128.load(w + ((<usize>i) << 2));
    ok = v128.and(ok, f32x4.eq(f32x4.sub(v, v), f32x4.splat(0)));
  }
  if (!i32x4.all_true(ok)) return false;
  for (; i < count; i++) {
    const v = load<f32>(w + ((<usize>i) << 2));
    if (v - v !== 0) return false;
  }
  return true;
}

/**
 * Whether the input gradient takes the direct 3×3 path: inC % 8 = 0, outC % 4 = 0, ≥ 4 input pixels, finite
 * weights, and the scratch is big enough.
 */
function useDirectBackwardInput3x3(w: usize, scratchFloats: i32): bool {
  if (!direct3x3() || (gInC & 7) !== 0 || gOutC === 0 || (gOutC & 3) !== 0) return false;
  const P = gInH * gInW;
  if (P < 4) return false;
  if (9 * gInC * gOutC + ((P + 3) & ~3) + 32 + planeFloats(gInH, gInW, gOutC) > scratchFloats) return false;
  return allFinite(w, 9 * gInC * gOutC);
}

/**
 * Input gradient of the direct 3×3 path, the sums of GEMM + col2imAdd: there, col[output pixel][tap, ic] =
 * Σ_oc dOut·w (a madd chain from +0 over oc), and dx (zeroed) gets the col values added output pixel after output
 * pixel, i.e. for one input pixel the taps (kh, kw) in decreasing order, the ones whose output pixel is outside
 * skipped. Here dOut is copied into a zero-padded plane, so those taps read 0 and add a chain of 0·w = +0 (the
 * weights are finite, and dx, a sum started from +0, is never −0): the same values. Blocks of four input pixels ×
 * eight input channels: per tap eight v128 madd chains over oc (dOut splat per pixel, weights packed as
 * wB[ic / 8][8 − tap][oc][ic % 8], the taps in the order they are summed), then added into dx. The last block of
 * an image overlaps the previous one; its pixels already done write into a trash tile.
 */
function directBackwardInput3x3(dOut: usize, w: usize, dx: usize, scratch: usize): void {
  const C = gInC;
  const OC = gOutC;
  const K = 9 * C;
  const P = gInH * gInW;
  const PW = gInW + 2;
  const PH = gInH + 2;
  const wB = scratch;
  for (let icb = 0; icb < C; icb += 8)
    for (let t = 0; t < 9; t++)
      for (let oc = 0; oc < OC; oc++) {
        const d = wB + ((<usize>((icb * 9 + (8 - t) * 8) * OC + oc * 8)) << 2);
        const s = w + ((<usize>(oc * K + t * C + icb)) << 2);
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
      }
  // offs[q]: byte offset in the plane of input pixel q (plane pixel (ih + 2, iw + 2)); tap (kh, kw) is
  // (kh·PW + kw)·OC floats before it.
  const offs = wB + ((<usize>(K * OC)) << 2);
  const trash = offs + ((<usize>((P + 3) & ~3)) << 2);
  const plane = trash + 128;
  let q = 0;
  for (let ih = 0; ih < gInH; ih++)
    for (let iw = 0; iw < gInW; iw++) {
      store<i32>(offs + ((<usize>q) << 2), ((ih + 2) * PW + iw + 2) * OC * 4);
      q++;
    }
  memory.fill(plane, 0, (<usize>planeFloats(gInH, gInW, OC)) << 2);
  const tapBytes = (<usize>(OC * 8)) << 2; // one tap of wB's ic block
  const firstBack = (<usize>((2 * PW + 2) * OC)) << 2; // tap (2, 2)
  const rowSkip = (<usize>((PW - 3) * OC)) << 2;
  const dImage = (<usize>(gOutH * gOutW * OC)) << 2;
  const xImage = (<usize>(P * C)) << 2;
  const zero = f32x4.splat(0);
  for (let n = 0; n < gBatch; n++) {
    copyIntoPlane(dOut + <usize>n * dImage, gOutH, gOutW, OC, plane, PH, PW, 2 - gPT, 2 - gPL);
    const xImg = dx + <usize>n * xImage;
    for (let icb = 0; icb < C; icb += 8) {
      const wIc = wB + ((<usize>(icb * 9 * OC)) << 2);
      for (let q0 = 0; q0 < P; q0 += 4) {
        const qb = min(q0, P - 4);
        const done = q0 - qb; // pixels qb .. q0 − 1 belong to the previous block
        const ob4 = offs + ((<usize>qb) << 2);
        const p0 = plane + <usize>load<i32>(ob4);
        const p1 = plane + <usize>load<i32>(ob4, 4);
        const p2 = plane + <usize>load<i32>(ob4, 8);
        const p3 = plane + <usize>load<i32>(ob4, 12);
        const g = xImg + ((<usize>(qb * C + icb)) << 2);
        const cBytes = (<usize>C) << 2;
        const g0 = done > 0 ? trash : g;
        const g1 = done > 1 ? trash + 32 : g + cBytes;
        const g2 = done > 2 ? trash + 64 : g + 2 * cBytes;
        const g3 = g + 3 * cBytes;
        v128.store(g0, zero);
        v128.store(g0, zero, 16);
        v128.store(g1, zero);
        v128.store(g1, zero, 16);
        v128.store(g2, zero);
        v128.store(g2, zero, 16);
        v128.store(g3, zero);
        v128.store(g3, zero, 16);
        // Taps in decreasing (kh, kw): within a kernel row the three taps' dOut values are one run of the plane
        // row and wB holds the taps in this order, so the pointers run on; rowSkip moves to the next kernel row.
        let y0 = p0 - firstBack;
        let y1 = p1 - firstBack;
        let y2 = p2 - firstBack;
        let y3 = p3 - firstBack;
        let wp = wIc;
        for (let kh = 0; kh < 3; kh++) {
          for (let kw = 0; kw < 3; kw++) {
            let a0 = zero;
            let a1 = zero;
            let c0 = zero;
            let c1 = zero;
            let d0 = zero;
            let d1 = zero;
            let e0 = zero;
            let e1 = zero;
            const tapEnd = wp + tapBytes;
            while (wp < tapEnd) {
              const w0 = v128.load(wp);
              const w1 = v128.load(wp, 16);
              let v = v128.load32_splat(y0);
              a0 = madd(v, w0, a0);
              a1 = madd(v, w1, a1);
              v = v128.load32_splat(y1);
              c0 = madd(v, w0, c0);
              c1 = madd(v, w1, c1);
              v = v128.load32_splat(y2);
              d0 = madd(v, w0, d0);
              d1 = madd(v, w1, d1);
              v = v128.load32_splat(y3);
              e0 = madd(v, w0, e0);
              e1 = madd(v, w1, e1);
              y0 += 4;
              y1 += 4;
              y2 += 4;
              y3 += 4;
              wp += 32;
            }
            v128.store(g0, f32x4.add(v128.load(g0), a0));
            v128.store(g0, f32x4.add(v128.load(g0, 16), a1), 16);
            v128.store(g1, f32x4.add(v128.load(g1), c0));
            v128.store(g1, f32x4.add(v128.load(g1, 16), c1), 16);
            v128.store(g2, f32x4.add(v128.load(g2), d0));
            v128.store(g2, f32x4.add(v128.load(g2, 16), d1), 16);
            v128.store(g3, f32x4.add(v128.load(g3), e0));
            v128.store(g3, f32x4.add(v128.load(g3, 16), e1), 16);
          }
          y0 += rowSkip;
          y1 += rowSkip;
          y2 += rowSkip;
          y3 += rowSkip;
        }
      }
    }
  }
}

/** Whether the weight gradient takes the direct 3×3 path: outC % 8 = 0 and the scratch is big enough. */
function useDirectBackwardWeight3x3(scratchFloats: i32): bool {
  if (!direct3x3() || gOutC === 0 || (gOutC & 7) !== 0) return false;
  return 9 * gInC * gOutC + 3 * (gOutH + 2) * gOutW * gInC <= scratchFloats;
}

/**
 * Weight gradient of the direct 3×3 path, the sums of the GEMM path: dW[oc][k] = a madd chain from +0 over the
 * output pixels p of all images in order, of dOut[p][oc]·x[tap k of p] (0 in the padding). Per image, x is copied
 * into three zero-padded planes S_kw[pr][ow] = x(pr − pT, ow + kw − pL) of outH + 2 rows of outW pixels: tap (kh, kw)
 * of output pixel p = oh·outW + ow is S_kw[p + kh·outW], so each tap's x values are one contiguous run over the
 * image's pixels. The running sums acc[k][oc] are taken in tiles of four k (one tap, four consecutive input channels:
 * x splats) × eight output channels (dOut, two v128) into eight accumulators, the image's pixels run through in one
 * loop, and stored back; at the end acc is transposed into dw.
 */
function directBackwardWeight3x3(x: usize, dOut: usize, dw: usize, scratch: usize): void {
  const C = gInC;
  const OC = gOutC;
  const K = 9 * C;
  const W = gOutW;
  const P = gOutH * W;
  const SH = gOutH + 2;
  const acc = scratch;
  const shifted = acc + ((<usize>(K * OC)) << 2);
  const sBytes = (<usize>(SH * W * C)) << 2;
  zeroFloats(acc, K * OC);
  memory.fill(shifted, 0, 3 * sBytes);
  const ocBytes = (<usize>OC) << 2;
  const cBytes = (<usize>C) << 2;
  const xImage = (<usize>(gInH * gInW * C)) << 2;
  const dImage = (<usize>(P * OC)) << 2;
  for (let n = 0; n < gBatch; n++) {
    const xImg = x + <usize>n * xImage;
    for (let kw = 0; kw < 3; kw++)
      copyIntoPlane(xImg, gInH, gInW, C, shifted + <usize>kw * sBytes, SH, W, gPT, gPL - kw);
    const dImg = dOut + <usize>n * dImage;
    const dEnd = dImg + dImage;
    for (let t = 0; t < 9; t++) {
      const kh = t / 3;
      const kw = t - 3 * kh;
      for (let ic = 0; ic < C; ic += 4) {
        const xTap = shifted + <usize>kw * sBytes + ((<usize>(kh * W * C + ic)) << 2);
        for (let ob = 0; ob < OC; ob += 8) {
          const a = acc + ((<usize>((t * C + ic) * OC + ob)) << 2);
          let p00 = v128.load(a);
          let p01 = v128.load(a, 16);
          let p10 = v128.load(a + ocBytes);
          let p11 = v128.load(a + ocBytes, 16);
          let p20 = v128.load(a + 2 * ocBytes);
          let p21 = v128.load(a + 2 * ocBytes, 16);
          let p30 = v128.load(a + 3 * ocBytes);
          let p31 = v128.load(a + 3 * ocBytes, 16);
          let xp = xTap;
          const end = dEnd + ((<usize>ob) << 2);
          for (let dp = dImg + ((<usize>ob) << 2); dp < end; dp += ocBytes) {
            const g0 = v128.load(dp);
            const g1 = v128.load(dp, 16);
            let v = v128.load32_splat(xp);
            p00 = madd(v, g0, p00);
            p01 = madd(v, g1, p01);
            v = v128.load32_splat(xp, 4);
            p10 = madd(v, g0, p10);
            p11 = madd(v, g1, p11);
            v = v128.load32_splat(xp, 8);
            p20 = madd(v, g0, p20);
            p21 = madd(v, g1, p21);
            v = v128.load32_splat(xp, 12);
            p30 = madd(v, g0, p30);
            p31 = madd(v, g1, p31);
            xp += cBytes;
          }
          v128.store(a, p00);
          v128.store(a, p01, 16);
          v128.store(a + ocBytes, p10);
          v128.store(a + ocBytes, p11, 16);
          v128.store(a + 2 * ocBytes, p20);
          v128.store(a + 2 * ocBytes, p21, 16);
          v128.store(a + 3 * ocBytes, p30);
          v128.store(a + 3 * ocBytes, p31, 16);
        }
      }
    }
  }
  for (let oc = 0; oc < OC; oc++)
    for (let k = 0; k < K; k++)
      store<f32>(dw + ((<usize>(oc * K + k)) << 2), load<f32>(acc + ((<usize>(k * OC + oc)) << 2)));
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
    if (useDirectC1K3(chunkRows, K * gOutC)) directForwardC1K3(x, w, bias, out, col);
    else directForwardC1(x, w, bias, out, col);
    return;
  }
  if (useDirectForward3x3(chunkRows * K)) {
    directForward3x3(x, w, bias, out, col);
    return;
  }
  // GEMM starts each output from its bias (or +0) and adds the products: bias + Σ like the reference.
  if (isPointwise()) {
    gemmBias(false, true, M, gOutC, K, x, gInC, w, K, out, gOutC, bias, packedA, packedB);
    return;
  }
  for (let row0 = 0; row0 < M; row0 += chunkRows) {
    const rows = min(chunkRows, M - row0);
    for (let grp = 0; grp < gGroups; grp++) {
      im2col(x, grp, row0, rows, col);
      const wg = w + ((<usize>(grp * ocpg * K)) << 2);
      const og = out + ((<usize>(row0 * gOutC + grp * ocpg)) << 2);
      const bg = bias !== 0 ? bias + ((<usize>(grp * ocpg)) << 2) : 0;
      gemmBias(false, true, rows, ocpg, K, col, K, wg, K, og, gOutC, bg, packedA, packedB);
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
  if (useDirectBackwardInput3x3(w, chunkRows * K)) {
    directBackwardInput3x3(dOut, w, dx, col);
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
    if (useDirectC1K3(chunkRows, K * gOutC)) directBackwardWeightC1K3(x, dOut, dw, col);
    else directBackwardWeightC1(x, dOut, dw, col, col + ((<usize>(K * gOutC)) << 2));
    return;
  }
  if (useDirectBackwardWeight3x3(chunkRows * K)) {
    directBackwardWeight3x3(x, dOut, dw, col);
    return;
  }
  if (isPointwise()) {
    gemm(true, false, gOutC, K, M, dOut, gOutC, x, gInC, dw, K, false, packedA, packedB);
    return;
  }
  if (M === 0) memory.fill(dw, 0, (<usize>(gOutC * K)) << 2);
  if (denseRuns() && gInC === NR && K <= NC) {
    // dW = Σ over KC-row slices of dOutᵀ·B, B the slice's im2col rows packed as GEMM's B panels directly.
    for (let p0 = 0; p0 < M; p0 += KC) {
      const kc = min(KC, M - p0);
      im2colPackedB8(x, p0, kc, packedB);
      gemmSlice(true, gOutC, K, kc, dOut, gOutC, p0, dw, K, p0 > 0, 0, packedA, packedB);
    }
    return;
  }
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
