/** Convolution (NHWC input, OHWI weights) as im2col + GEMM, in AssemblyScript (WebAssembly SIMD, float32). */

import { gemm } from '../gemm/gemm.asm';
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
