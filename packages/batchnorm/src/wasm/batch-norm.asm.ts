// Batch-norm loops of @hw3/batchnorm in AssemblyScript (built by scripts/build-wasm.mjs, run through
// src/wasm/batch-norm-wasm.ts) on channels-last data viewed as [rows, C]. The module is a satellite of @hw3/core's
// WebAssembly kernel set: it imports that set's memory (env.memory) and has no data segments, no memory of its own and
// no shadow stack, so it touches only the addresses it is given (the kernel set's per-call arena, or tensors already in
// that memory). Row ranges are given by the caller (the two-thread split), so every export works on [r0, r1) rows.
// All arithmetic is float64, as in the TypeScript kernels of @hw3/batchnorm: two channels at a time are loaded and
// widened to one f64x2 (v128.load64_zero + promote: V8 emits one cvtps2pd with a memory operand, no shuffle), and only
// the final store rounds to float32 (a 64-bit store of each demoted pair; the fused ReLU joins the two pairs for one
// integer compare). Rows are cut into blocks of about BN_BLOCK floats (in L1); inside a block each group of four
// channels keeps its accumulators in registers, group after group. (Eight channels per row iteration was faster on
// warm data but slower than this on data that comes from memory, as in a training step, and sensitive to the arrays'
// relative addresses; not kept.) The loops give the same bits as batch-norm-reference.asm.ts, the loops before these
// instruction choices (batch-norm-loops.test.ts). Per-channel arrays (k, mean, scale, ...) are float64.

const BN_BLOCK: i32 = 4096;

/** 2^−150: a float64 y rounds to a float32 > 0 exactly when y > 2^−150 (ties to even round 2^−150 to +0). */
const F32_POSITIVE_ABOVE: f64 = reinterpret<f64>(0x3690000000000000);

/** The bits of float32 −∞ as int32: a float32 w is kept by ReLU (w > 0 or NaN, +0 kept as +0) iff bits(w) > this. */
const RELU_KEEP_ABOVE: i32 = <i32>0xff800000;

function bnBlockRows(C: i32): i32 {
  return max(4, BN_BLOCK / C);
}

/** The two low float32 of v widened to f64x2; on v128.load64_zero(p, offset), V8 emits one cvtps2pd xmm, m64. */
function widen(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** f64x2 v rounded to two float32 (the low half; stored with v128.store64_lane). */
function demote(v: v128): v128 {
  return f32x4.demote_f64x2_zero(v);
}

function narrow(lo: v128, hi: v128): v128 {
  return i32x4.shuffle(demote(lo), demote(hi), 0, 1, 4, 5);
}

/** The float32 mask (all ones / zero per lane) of two f64x2 masks, lanes lo.0, lo.1, hi.0, hi.1. */
function narrowMask(lo: v128, hi: v128): v128 {
  return i32x4.shuffle(lo, hi, 0, 2, 4, 6);
}

/** ReLU of float32x4 w (NaN kept, −0 → +0): w & (bits(w) > bits(−∞)), the same bits as w & ([w > 0] | [w ≠ w]). */
function relu4(w: v128): v128 {
  return v128.and(w, i32x4.gt_s(w, i32x4.splat(RELU_KEEP_ABOVE)));
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
          const dLo = f64x2.sub(widen(v128.load64_zero(px)), kLo);
          const dHi = f64x2.sub(widen(v128.load64_zero(px, 8)), kHi);
          a1Lo = f64x2.add(a1Lo, dLo);
          a1Hi = f64x2.add(a1Hi, dHi);
          a2Lo = f64x2.add(a2Lo, f64x2.mul(dLo, dLo));
          a2Hi = f64x2.add(a2Hi, f64x2.mul(dHi, dHi));
          px += rowBytes;
        }
      } else {
        let py = y + start;
        for (let r = r0; r < r1; r++) {
          const gLo = widen(v128.load64_zero(py));
          const gHi = widen(v128.load64_zero(py, 8));
          a1Lo = f64x2.add(a1Lo, gLo);
          a1Hi = f64x2.add(a1Hi, gHi);
          a2Lo = f64x2.add(a2Lo, f64x2.mul(gLo, f64x2.sub(widen(v128.load64_zero(px)), kLo)));
          a2Hi = f64x2.add(a2Hi, f64x2.mul(gHi, f64x2.sub(widen(v128.load64_zero(px, 8)), kHi)));
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
  if (y === 0) {
    bnNormalize(x, out, rows, C, mean, scale, offset, 0);
    return;
  }
  const C4 = C & ~3;
  const blockRows = bnBlockRows(C);
  const rowBytes = (<usize>C) << 2;
  for (let r0 = 0; r0 < rows; r0 += blockRows) {
    const r1 = min(rows, r0 + blockRows);
    for (let c = 0; c < C4; c += 4) {
      const cb = (<usize>c) << 3;
      const mLo = v128.load(mean + cb);
      const mHi = v128.load(mean + cb + 16);
      const aLo = v128.load(a + cb);
      const aHi = v128.load(a + cb + 16);
      const sLo = v128.load(scale + cb);
      const sHi = v128.load(scale + cb + 16);
      const oLo = v128.load(offset + cb);
      const oHi = v128.load(offset + cb + 16);
      const start = (<usize>(r0 * C + c)) << 2;
      let px = x + start;
      let py = y + start;
      let po = out + start;
      for (let r = r0; r < r1; r++) {
        const lo = f64x2.add(
          f64x2.mul(aLo, widen(v128.load64_zero(py))),
          f64x2.mul(sLo, f64x2.sub(widen(v128.load64_zero(px)), mLo)),
        );
        const hi = f64x2.add(
          f64x2.mul(aHi, widen(v128.load64_zero(py, 8))),
          f64x2.mul(sHi, f64x2.sub(widen(v128.load64_zero(px, 8)), mHi)),
        );
        v128.store64_lane(po, demote(f64x2.add(lo, oLo)), 0);
        v128.store64_lane(po, demote(f64x2.add(hi, oHi)), 0, 8);
        px += rowBytes;
        py += rowBytes;
        po += rowBytes;
      }
    }
    for (let c = C4; c < C; c++) {
      const cb = (<usize>c) << 3;
      const mu = load<f64>(mean + cb);
      const s = load<f64>(scale + cb);
      const o = load<f64>(offset + cb);
      const ac = load<f64>(a + cb);
      for (let r = r0; r < r1; r++) {
        const off = (<usize>(r * C + c)) << 2;
        const d = <f64>load<f32>(x + off) - mu;
        store<f32>(out + off, <f32>(ac * <f64>load<f32>(y + off) + s * d + o));
      }
    }
  }
}

/**
 * The forward's normalisation, with the fused ReLU when `relu` ≠ 0: out = (x − mean[c])·scale[c] + offset[c] (as
 * bnAffine with y = 0, the same float64 operations, rounded once), then max(out, 0) with NaN kept and −0 → +0, as
 * @hw3/core's ReLU (out & ([out > 0] | [out ≠ out])) — in the same pass (one read, one write per element). `out`
 * may alias x.
 */
export function bnNormalize(
  x: usize,
  out: usize,
  rows: i32,
  C: i32,
  mean: usize,
  scale: usize,
  offset: usize,
  relu: i32,
): void {
  const C4 = C & ~3;
  const blockRows = bnBlockRows(C);
  const rowBytes = (<usize>C) << 2;
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
      if (relu !== 0) {
        for (let r = r0; r < r1; r++) {
          const lo = f64x2.add(f64x2.mul(f64x2.sub(widen(v128.load64_zero(px)), mLo), sLo), oLo);
          const hi = f64x2.add(f64x2.mul(f64x2.sub(widen(v128.load64_zero(px, 8)), mHi), sHi), oHi);
          v128.store(po, relu4(narrow(lo, hi)));
          px += rowBytes;
          po += rowBytes;
        }
      } else {
        for (let r = r0; r < r1; r++) {
          const lo = f64x2.add(f64x2.mul(f64x2.sub(widen(v128.load64_zero(px)), mLo), sLo), oLo);
          const hi = f64x2.add(f64x2.mul(f64x2.sub(widen(v128.load64_zero(px, 8)), mHi), sHi), oHi);
          v128.store64_lane(po, demote(lo), 0);
          v128.store64_lane(po, demote(hi), 0, 8);
          px += rowBytes;
          po += rowBytes;
        }
      }
    }
    for (let c = C4; c < C; c++) {
      const cb = (<usize>c) << 3;
      const mu = load<f64>(mean + cb);
      const s = load<f64>(scale + cb);
      const o = load<f64>(offset + cb);
      for (let r = r0; r < r1; r++) {
        const off = (<usize>(r * C + c)) << 2;
        const v = <f32>((<f64>load<f32>(x + off) - mu) * s + o);
        // biome-ignore lint/suspicious/noGlobalIsNan: AssemblyScript's builtin isNaN<f32> (no coercion).
        store<f32>(out + off, relu === 0 || v > 0 || isNaN(v) ? v : 0);
      }
    }
  }
}

/**
 * The backward of the fused BN + ReLU, first pass: g = dy where the forward's output (x − mean[c])·scale[c] + offset[c],
 * evaluated in float64 and rounded to float32, is > 0 (the ReLU's mask recomputed from x bit-exactly: the float64
 * value is compared with 2^−150, which is the same test), else +0; g is stored to `out` (the input gradient reads it)
 * and s1 = Σ g, s2 = Σ g·(x − mean[c]) are accumulated exactly as bnReduce(x, out, …, k = mean) would (same row
 * blocks, same order). `out` may alias dy. Replaces a separate mask pass before bnReduce (one read of x and dy fewer,
 * the same bits).
 */
export function bnReluMaskReduce(
  x: usize,
  dy: usize,
  out: usize,
  rows: i32,
  C: i32,
  mean: usize,
  scale: usize,
  offset: usize,
  s1: usize,
  s2: usize,
): void {
  for (let c = 0; c < C; c++) {
    store<f64>(s1 + ((<usize>c) << 3), 0);
    store<f64>(s2 + ((<usize>c) << 3), 0);
  }
  const C4 = C & ~3;
  const blockRows = bnBlockRows(C);
  const rowBytes = (<usize>C) << 2;
  const tiny = f64x2.splat(F32_POSITIVE_ABOVE);
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
      let a1Lo = f64x2.splat(0);
      let a1Hi = f64x2.splat(0);
      let a2Lo = f64x2.splat(0);
      let a2Hi = f64x2.splat(0);
      const start = (<usize>(r0 * C + c)) << 2;
      let px = x + start;
      let pg = dy + start;
      let po = out + start;
      for (let r = r0; r < r1; r++) {
        const dLo = f64x2.sub(widen(v128.load64_zero(px)), mLo);
        const dHi = f64x2.sub(widen(v128.load64_zero(px, 8)), mHi);
        const keepLo = f64x2.gt(f64x2.add(f64x2.mul(dLo, sLo), oLo), tiny);
        const keepHi = f64x2.gt(f64x2.add(f64x2.mul(dHi, sHi), oHi), tiny);
        v128.store(po, v128.and(v128.load(pg), narrowMask(keepLo, keepHi)));
        // g read back from `out` (just stored: forwarded from the store buffer) and widened, as before.
        const gLo = widen(v128.load64_zero(po));
        const gHi = widen(v128.load64_zero(po, 8));
        a1Lo = f64x2.add(a1Lo, gLo);
        a1Hi = f64x2.add(a1Hi, gHi);
        a2Lo = f64x2.add(a2Lo, f64x2.mul(gLo, dLo));
        a2Hi = f64x2.add(a2Hi, f64x2.mul(gHi, dHi));
        px += rowBytes;
        pg += rowBytes;
        po += rowBytes;
      }
      const q1 = s1 + cb;
      const q2 = s2 + cb;
      v128.store(q1, f64x2.add(v128.load(q1), a1Lo));
      v128.store(q1 + 16, f64x2.add(v128.load(q1 + 16), a1Hi));
      v128.store(q2, f64x2.add(v128.load(q2), a2Lo));
      v128.store(q2 + 16, f64x2.add(v128.load(q2 + 16), a2Hi));
    }
    for (let c = C4; c < C; c++) {
      const cb = (<usize>c) << 3;
      const mu = load<f64>(mean + cb);
      const sc = load<f64>(scale + cb);
      const o = load<f64>(offset + cb);
      let a1: f64 = 0;
      let a2: f64 = 0;
      for (let r = r0; r < r1; r++) {
        const off = (<usize>(r * C + c)) << 2;
        const d = <f64>load<f32>(x + off) - mu;
        const gf: f32 = <f32>(d * sc + o) > 0 ? load<f32>(dy + off) : 0;
        store<f32>(out + off, gf);
        const g = <f64>gf;
        a1 += g;
        a2 += g * d;
      }
      const q1 = s1 + cb;
      const q2 = s2 + cb;
      store<f64>(q1, load<f64>(q1) + a1);
      store<f64>(q2, load<f64>(q2) + a2);
    }
  }
}

/** Lanes where float32x4 v replaces best in max pooling: best is not NaN and v > best or v is NaN (@hw3/core's rule). */
function takes(v: v128, best: v128): v128 {
  return v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
}

/** bnNormalize's float32 value of the four channels at p (then ReLU when relu ≠ 0), the same operations and bits. */
function normalized4(
  p: usize,
  mLo: v128,
  mHi: v128,
  sLo: v128,
  sHi: v128,
  oLo: v128,
  oHi: v128,
  relu: i32,
): v128 {
  const lo = f64x2.add(f64x2.mul(f64x2.sub(widen(v128.load64_zero(p)), mLo), sLo), oLo);
  const hi = f64x2.add(f64x2.mul(f64x2.sub(widen(v128.load64_zero(p, 8)), mHi), sHi), oHi);
  const w = narrow(lo, hi);
  return relu !== 0 ? relu4(w) : w;
}

/**
 * The forward's normalisation (and ReLU when relu ≠ 0) followed by 2×2 stride-2 max pooling, in one pass over x
 * [N, H, W, C] (C % 4 = 0): for images [n0, n1), each window's four normalized values are computed as bnNormalize
 * computes them (the same bits) and combined as @hw3/core's 2×2 max-pool forward does — a tree (t0 vs t1) vs
 * (t2 vs t3) under "the first NaN, else the first maximum" — so out [N, H/2, W/2, C] and argmax (flat index into x)
 * are those of maxPool2d(bnNormalize(x)) bit for bit, without writing the H·W·C normalized values. With ReLU
 * (relu ≠ 0), ReLU's backward is folded into the pool's: a window whose maximum is not > 0 (+0 from the ReLU, or NaN)
 * gets argmax −1, for which every @hw3/core max-pool backward writes +0 to the whole window — what the ReLU mask
 * gives at the argmax (its output is not > 0 there) — so the batch-norm backward needs no mask. Windows cover rows
 * and columns < 2·(H/2), 2·(W/2) (floor); addresses are those of image 0.
 */
export function bnNormalizePool2x2(
  x: usize,
  out: usize,
  argmax: usize,
  n0: i32,
  n1: i32,
  H: i32,
  W: i32,
  C: i32,
  mean: usize,
  scale: usize,
  offset: usize,
  relu: i32,
): void {
  const OH = H >> 1;
  const OW = W >> 1;
  const tapW = (<usize>C) << 2;
  const tapH = (<usize>(W * C)) << 2;
  const stepH = i32x4.splat(W * C);
  const stepW = i32x4.splat(C);
  const four = i32x4.splat(4);
  const winStep = i32x4.splat(2 * C);
  const none = i32x4.splat(-1);
  const zero = f32x4.splat(0);
  for (let n = n0; n < n1; n++)
    for (let oh = 0; oh < OH; oh++) {
      const row = (n * H + 2 * oh) * W * C;
      let op = out + ((<usize>((n * OH + oh) * OW * C)) << 2);
      let ap = argmax + ((<usize>((n * OH + oh) * OW * C)) << 2);
      let first = i32x4.add(i32x4.splat(row), i32x4(0, 1, 2, 3));
      let xp0 = x + ((<usize>row) << 2);
      for (let ow = 0; ow < OW; ow++) {
        let i0 = first;
        for (let c = 0; c < C; c += 4) {
          const cb = (<usize>c) << 3;
          const mLo = v128.load(mean + cb);
          const mHi = v128.load(mean + cb + 16);
          const sLo = v128.load(scale + cb);
          const sHi = v128.load(scale + cb + 16);
          const oLo = v128.load(offset + cb);
          const oHi = v128.load(offset + cb + 16);
          const p = xp0 + ((<usize>c) << 2);
          const t0 = normalized4(p, mLo, mHi, sLo, sHi, oLo, oHi, relu);
          const t1 = normalized4(p + tapW, mLo, mHi, sLo, sHi, oLo, oHi, relu);
          const t2 = normalized4(p + tapH, mLo, mHi, sLo, sHi, oLo, oHi, relu);
          const t3 = normalized4(p + tapH + tapW, mLo, mHi, sLo, sHi, oLo, oHi, relu);
          const k1 = takes(t1, t0);
          const k3 = takes(t3, t2);
          const b01 = v128.bitselect(t1, t0, k1);
          const b23 = v128.bitselect(t3, t2, k3);
          const k = takes(b23, b01);
          const ob = (<usize>c) << 2;
          const best = v128.bitselect(b23, b01, k);
          v128.store(op + ob, best);
          const col = v128.bitselect(k3, k1, k);
          const arg = i32x4.add(i0, i32x4.add(v128.and(k, stepH), v128.and(col, stepW)));
          // With ReLU, a window whose maximum is not > 0 (ReLU gave +0 there, or NaN) has gradient 0: argmax −1.
          v128.store(ap + ob, relu !== 0 ? v128.bitselect(arg, none, f32x4.gt(best, zero)) : arg);
          i0 = i32x4.add(i0, four);
        }
        first = i32x4.add(first, winStep);
        xp0 += tapW << 1;
        op += tapW;
        ap += tapW;
      }
    }
}
