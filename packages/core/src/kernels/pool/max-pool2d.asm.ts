/** Max pooling forward (with argmax) and its backward scatter, in AssemblyScript (WebAssembly SIMD, float32). */

import {
  gDH,
  gDW,
  gInC,
  gInH,
  gInW,
  gKH,
  gKW,
  gOutH,
  gOutW,
  gPL,
  gPT,
  gSH,
  gSW,
} from '../conv2d/geometry.asm';

/**
 * out[n,oh,ow,c] = max over in-bounds taps of x; argmax = flat index into x of the first maximum; a NaN wins over
 * numbers and the first NaN is kept; a window with no in-bounds tap gives −∞ and −1 (same rules as the TS kernel).
 * Geometry: channels = gInC, pooling window gKH×gKW (set with setConvGeometry, outC = channels, groups = 1).
 * Only images [firstImage, endImage) are computed (the two-thread split); addresses are those of image 0.
 */
export function maxPool2dForward(x: usize, out: usize, argmax: usize, firstImage: i32, endImage: i32): void {
  const C = gInC;
  for (let n = firstImage; n < endImage; n++)
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

/**
 * dx = 0 (n floats), then dx[argmax[i]] += g[i] for the m pooled outputs with 0 ≤ argmax < n (others are skipped,
 * as a typed-array write past the end is in the TypeScript kernel).
 */
export function maxPool2dBackward(argmax: usize, g: usize, m: i32, dx: usize, n: i32): void {
  maxPool2dBackwardRange(argmax, g, m, dx, 0, n);
}

/**
 * The part of maxPool2dBackward that writes dx[lo, hi): zeroes it, then adds g[i] at dx[argmax[i]] for every i in
 * order whose target lies in [lo, hi). Each dx element gets its terms in the order of the full call, so two threads
 * taking [0, h) and [h, n) give the one-thread result bit for bit.
 */
export function maxPool2dBackwardRange(argmax: usize, g: usize, m: i32, dx: usize, lo: i32, hi: i32): void {
  if (hi <= lo) return;
  memory.fill(dx + ((<usize>lo) << 2), 0, (<usize>(hi - lo)) << 2);
  const width = <u32>(hi - lo);
  for (let i = 0; i < m; i++) {
    const b = (<usize>i) << 2;
    const j = load<i32>(argmax + b);
    if (<u32>(j - lo) < width) {
      const d = dx + ((<usize>j) << 2);
      store<f32>(d, load<f32>(d) + load<f32>(g + b));
    }
  }
}
