/** Max pooling forward (with argmax) and its backward scatter, in AssemblyScript (WebAssembly SIMD, float32). */

import {
  gBatch,
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
  if ((gInC & 3) !== 0) maxPool2dForwardAny(x, out, argmax, firstImage, endImage);
  else if (fullWindows2x2()) maxPool2dForward2x2(x, out, argmax, firstImage, endImage);
  else maxPool2dForwardC4(x, out, argmax, firstImage, endImage);
}

/** A 2×2 window, no padding, every window inside the input (e.g. the usual 2×2 stride-2 pooling of an even size). */
function fullWindows2x2(): bool {
  return (
    gKH === 2 &&
    gKW === 2 &&
    gPT === 0 &&
    gPL === 0 &&
    (gOutH - 1) * gSH + gDH < gInH &&
    (gOutW - 1) * gSW + gDW < gInW
  );
}

/**
 * fullWindows2x2, channels % 4 = 0: no bounds per window. The four taps are combined as a tree, (t0 vs t1) vs
 * (t2 vs t3), with the same rule as the sequential scan (a later candidate wins iff !(later ≤ earlier) and the
 * earlier is not NaN): that rule keeps "the first NaN, else the first maximum" of whatever it combines, so the tree
 * picks the same tap as maxPool2dForwardC4, with half the dependency chain.
 */
function maxPool2dForward2x2(x: usize, out: usize, argmax: usize, firstImage: i32, endImage: i32): void {
  const C = gInC;
  const tapH = (<usize>(gDH * gInW * C)) << 2;
  const tapW = (<usize>(gDW * C)) << 2;
  const stepH = i32x4.splat(gDH * gInW * C);
  const stepW = i32x4.splat(gDW * C);
  const four = i32x4.splat(4);
  const winW = gSW * C;
  const winStep = i32x4.splat(winW);
  for (let n = firstImage; n < endImage; n++)
    for (let oh = 0; oh < gOutH; oh++) {
      const row = (n * gInH + oh * gSH) * gInW * C;
      const o = (n * gOutH + oh) * gOutW * C;
      let op = out + ((<usize>o) << 2);
      let ap = argmax + ((<usize>o) << 2);
      // Flat x indices of the window's first tap, channels c .. c + 3, carried along the row.
      let first = i32x4.add(i32x4.splat(row), i32x4(0, 1, 2, 3));
      for (let ow = 0; ow < gOutW; ow++) {
        const xp0 = x + ((<usize>(row + ow * winW)) << 2);
        let i0 = first;
        for (let c = 0; c < C; c += 4) {
          const cb = (<usize>c) << 2;
          const p = xp0 + cb;
          const t0 = v128.load(p);
          const t1 = v128.load(p + tapW);
          const t2 = v128.load(p + tapH);
          const t3 = v128.load(p + tapH + tapW);
          const k1 = takes(t1, t0);
          const k3 = takes(t3, t2);
          const b01 = v128.bitselect(t1, t0, k1);
          const b23 = v128.bitselect(t3, t2, k3);
          const k = takes(b23, b01);
          v128.store(op + cb, v128.bitselect(b23, b01, k));
          // The winner's tap: the second row when k, the second column when (k ? k3 : k1).
          const col = v128.bitselect(k3, k1, k);
          v128.store(ap + cb, i32x4.add(i0, i32x4.add(v128.and(k, stepH), v128.and(col, stepW))));
          i0 = i32x4.add(i0, four);
        }
        first = i32x4.add(first, winStep);
        op += (<usize>C) << 2;
        ap += (<usize>C) << 2;
      }
    }
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
 * maxPool2dBackward for images [firstImage, endImage) of a pooling whose geometry is set (setConvGeometry, as for
 * the forward) and whose argmax the forward computed: writes those images' dx. With 2×2 windows that do not overlap
 * (stride ≥ 2, no dilation, no padding, channels % 4 = 0) every dx element lies in at most one window, so the
 * scatter's 0 + g[i] at dx[argmax[i]] (and +0 elsewhere) is written directly window by window: no zero pass, no
 * read-modify-write, the same bits. Any other geometry: maxPool2dBackwardRange over the images' dx range.
 */
export function maxPool2dBackwardImages(
  argmax: usize,
  g: usize,
  dx: usize,
  firstImage: i32,
  endImage: i32,
): void {
  if (gatherWindows()) {
    maxPool2dBackward2x2(argmax, g, dx, firstImage, endImage);
    return;
  }
  const image = gInH * gInW * gInC;
  maxPool2dBackwardRange(argmax, g, gBatch * gOutH * gOutW * gInC, dx, firstImage * image, endImage * image);
}

function gatherWindows(): bool {
  return (gInC & 3) === 0 && fullWindows2x2() && gDH === 1 && gDW === 1 && gSH >= 2 && gSW >= 2;
}

/** dx[from, to) = +0 (float indices). */
function zeroFloats(dx: usize, from: i32, to: i32): void {
  if (to > from) memory.fill(dx + ((<usize>from) << 2), 0, (<usize>(to - from)) << 2);
}

function maxPool2dBackward2x2(argmax: usize, g: usize, dx: usize, firstImage: i32, endImage: i32): void {
  const C = gInC;
  const rowFloats = gInW * C;
  const rowBytes = (<usize>rowFloats) << 2;
  const row4 = i32x4.splat(rowFloats);
  const c4 = i32x4.splat(C);
  const iota = i32x4(0, 1, 2, 3);
  const zero = f32x4.splat(0);
  const zeroI = i32x4.splat(0);
  const rowC4 = i32x4.splat(rowFloats + C);
  const four = i32x4.splat(4);
  const winW = gSW * C;
  const winStep = i32x4.splat(winW);
  const coveredW = gOutW * winW;
  for (let n = firstImage; n < endImage; n++) {
    const image = n * gInH * rowFloats;
    for (let oh = 0; oh < gOutH; oh++) {
      const r0 = image + oh * gSH * rowFloats;
      let gi = (n * gOutH + oh) * gOutW * C;
      // Flat dx indices of the window's first tap, channels 0 .. 3, carried along the row.
      let first = i32x4.add(i32x4.splat(r0), iota);
      for (let ow = 0; ow < gOutW; ow++) {
        const x0 = r0 + ow * winW;
        const dp = dx + ((<usize>x0) << 2);
        let i00 = first;
        for (let c = 0; c < C; c += 4) {
          const b = (<usize>(gi + c)) << 2;
          // 0 + g once (the scatter's −0 → +0); argmax − the first tap's index picks the tap, lane by lane.
          const gz = f32x4.add(zero, v128.load(g + b));
          const d = i32x4.sub(v128.load(argmax + b), i00);
          const p = dp + ((<usize>c) << 2);
          v128.store(p, v128.and(gz, i32x4.eq(d, zeroI)));
          v128.store(p + ((<usize>C) << 2), v128.and(gz, i32x4.eq(d, c4)));
          v128.store(p + rowBytes, v128.and(gz, i32x4.eq(d, row4)));
          v128.store(p + rowBytes + ((<usize>C) << 2), v128.and(gz, i32x4.eq(d, rowC4)));
          i00 = i32x4.add(i00, four);
        }
        if (gSW > 2) {
          zeroFloats(dx, x0 + 2 * C, x0 + winW);
          zeroFloats(dx, x0 + rowFloats + 2 * C, x0 + rowFloats + winW);
        }
        first = i32x4.add(first, winStep);
        gi += C;
      }
      zeroFloats(dx, r0 + coveredW, r0 + rowFloats);
      zeroFloats(dx, r0 + rowFloats + coveredW, r0 + 2 * rowFloats);
      zeroFloats(dx, r0 + 2 * rowFloats, image + min(oh * gSH + gSH, gInH) * rowFloats);
    }
    zeroFloats(dx, image + min(gOutH * gSH, gInH) * rowFloats, image + gInH * rowFloats);
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
