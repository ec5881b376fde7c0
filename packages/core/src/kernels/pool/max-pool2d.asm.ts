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
  if ((gInC & 3) === 0) maxPool2dForwardC4(x, out, argmax, firstImage, endImage);
  else maxPool2dForwardAny(x, out, argmax, firstImage, endImage);
}

/** First kernel tap whose input index o0 + t·d is ≥ 0, and one past the last that is < size. */
function firstTap(o0: i32, d: i32): i32 {
  return o0 >= 0 ? 0 : (d - 1 - o0) / d;
}
function endTap(o0: i32, d: i32, size: i32, k: i32): i32 {
  return o0 >= size ? 0 : min(k, (size - o0 + d - 1) / d);
}

/** Lanes where tap value v replaces best: best is not NaN and v > best or v is NaN, i.e. !(v ≤ best). */
function takes(v: v128, best: v128): v128 {
  return v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
}

/**
 * channels % 4 = 0: per window the in-bounds tap ranges are computed once (no per-tap bounds tests), and four
 * channels' best value and argmax stay in registers over the taps. The window's first in-bounds tap seeds them (what
 * the "no tap yet" rule does); every tap, the first again included (a no-op), then takes v > best or a NaN v over a
 * number best, so the first maximum and the first NaN win as in maxPool2dForwardAny.
 */
function maxPool2dForwardC4(x: usize, out: usize, argmax: usize, firstImage: i32, endImage: i32): void {
  const C = gInC;
  const tapH = (<usize>(gDH * gInW * C)) << 2;
  const tapW = (<usize>(gDW * C)) << 2;
  const stepH = gDH * gInW * C;
  const stepW = gDW * C;
  const iota = i32x4(0, 1, 2, 3);
  for (let n = firstImage; n < endImage; n++)
    for (let oh = 0; oh < gOutH; oh++) {
      const ih0 = oh * gSH - gPT;
      const kh0 = firstTap(ih0, gDH);
      const kh1 = endTap(ih0, gDH, gInH, gKH);
      for (let ow = 0; ow < gOutW; ow++) {
        const iw0 = ow * gSW - gPL;
        const kw0 = firstTap(iw0, gDW);
        const kw1 = endTap(iw0, gDW, gInW, gKW);
        const o = ((n * gOutH + oh) * gOutW + ow) * C;
        const op = out + ((<usize>o) << 2);
        const ap = argmax + ((<usize>o) << 2);
        if (kh0 >= kh1 || kw0 >= kw1) {
          for (let c = 0; c < C; c += 4) {
            v128.store(op + ((<usize>c) << 2), f32x4.splat(-Infinity));
            v128.store(ap + ((<usize>c) << 2), i32x4.splat(-1));
          }
          continue;
        }
        // Flat x index of the first in-bounds tap, channel 0.
        const xi0 = ((n * gInH + ih0 + kh0 * gDH) * gInW + iw0 + kw0 * gDW) * C;
        const xp0 = x + ((<usize>xi0) << 2);
        if (kh1 - kh0 === 2 && kw1 - kw0 === 2) {
          // A full 2×2 window (the usual case): the three later taps unrolled.
          for (let c = 0; c < C; c += 4) {
            const cb = (<usize>c) << 2;
            const p = xp0 + cb;
            let best = v128.load(p);
            let arg = i32x4.add(i32x4.splat(xi0 + c), iota);
            const a1 = i32x4.add(arg, i32x4.splat(stepW));
            const a2 = i32x4.add(arg, i32x4.splat(stepH));
            const a3 = i32x4.add(a2, i32x4.splat(stepW));
            let v = v128.load(p + tapW);
            let take = takes(v, best);
            best = v128.bitselect(v, best, take);
            arg = v128.bitselect(a1, arg, take);
            v = v128.load(p + tapH);
            take = takes(v, best);
            best = v128.bitselect(v, best, take);
            arg = v128.bitselect(a2, arg, take);
            v = v128.load(p + tapH + tapW);
            take = takes(v, best);
            v128.store(op + cb, v128.bitselect(v, best, take));
            v128.store(ap + cb, v128.bitselect(a3, arg, take));
          }
          continue;
        }
        for (let c = 0; c < C; c += 4) {
          const cb = (<usize>c) << 2;
          let best = v128.load(xp0 + cb);
          let arg = i32x4.add(i32x4.splat(xi0 + c), iota);
          let rowP = xp0 + cb;
          let rowI = xi0 + c;
          for (let kh = kh0; kh < kh1; kh++) {
            let p = rowP;
            let i = rowI;
            for (let kw = kw0; kw < kw1; kw++) {
              const v = v128.load(p);
              const take = takes(v, best);
              best = v128.bitselect(v, best, take);
              arg = v128.bitselect(i32x4.add(i32x4.splat(i), iota), arg, take);
              p += tapW;
              i += stepW;
            }
            rowP += tapH;
            rowI += stepH;
          }
          v128.store(op + cb, best);
          v128.store(ap + cb, arg);
        }
      }
    }
}

/** Any channel count: the loop of maxPool2dForwardC4's rules, tap by tap, through the output (the reference order). */
function maxPool2dForwardAny(x: usize, out: usize, argmax: usize, firstImage: i32, endImage: i32): void {
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
 * taking [0, h) and [h, n) give the one-thread result bit for bit. Four indices are tested at once (one vector
 * compare): all four in range are added without further tests, none in range are skipped, a mix goes lane by lane.
 */
export function maxPool2dBackwardRange(argmax: usize, g: usize, m: i32, dx: usize, lo: i32, hi: i32): void {
  if (hi <= lo) return;
  memory.fill(dx + ((<usize>lo) << 2), 0, (<usize>(hi - lo)) << 2);
  const width = <u32>(hi - lo);
  const lo4 = i32x4.splat(lo);
  const width4 = i32x4.splat(<i32>width);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const b = (<usize>i) << 2;
    const j4 = v128.load(argmax + b);
    const inside = i32x4.lt_u(i32x4.sub(j4, lo4), width4);
    if (i32x4.all_true(inside)) {
      const g4 = v128.load(g + b);
      const d0 = dx + ((<usize>i32x4.extract_lane(j4, 0)) << 2);
      store<f32>(d0, load<f32>(d0) + f32x4.extract_lane(g4, 0));
      const d1 = dx + ((<usize>i32x4.extract_lane(j4, 1)) << 2);
      store<f32>(d1, load<f32>(d1) + f32x4.extract_lane(g4, 1));
      const d2 = dx + ((<usize>i32x4.extract_lane(j4, 2)) << 2);
      store<f32>(d2, load<f32>(d2) + f32x4.extract_lane(g4, 2));
      const d3 = dx + ((<usize>i32x4.extract_lane(j4, 3)) << 2);
      store<f32>(d3, load<f32>(d3) + f32x4.extract_lane(g4, 3));
    } else if (v128.any_true(inside)) {
      for (let k = 0; k < 4; k++) {
        const bk = b + ((<usize>k) << 2);
        const j = load<i32>(argmax + bk);
        if (<u32>(j - lo) < width) {
          const d = dx + ((<usize>j) << 2);
          store<f32>(d, load<f32>(d) + load<f32>(g + bk));
        }
      }
    }
  }
  for (; i < m; i++) {
    const b = (<usize>i) << 2;
    const j = load<i32>(argmax + b);
    if (<u32>(j - lo) < width) {
      const d = dx + ((<usize>j) << 2);
      store<f32>(d, load<f32>(d) + load<f32>(g + b));
    }
  }
}
