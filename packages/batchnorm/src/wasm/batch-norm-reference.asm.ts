// The batch-norm loops as they were at f6f212a (f32x4 loads widened with a shuffle, float32 masks): the reference of
// batch-norm-loops.test.ts, which requires the loops of batch-norm.asm.ts to give the same bits. Not built into the
// package.
// Batch-norm loops of @hw3/batchnorm in AssemblyScript (built by scripts/build-wasm.mjs, run through
// src/wasm/batch-norm-wasm.ts) on channels-last data viewed as [rows, C]. The module is a satellite of @hw3/core's
// WebAssembly kernel set: it imports that set's memory (env.memory) and has no data segments, no memory of its own and
// no shadow stack, so it touches only the addresses it is given (the kernel set's per-call arena, or tensors already in
// that memory). Row ranges are given by the caller (the two-thread split), so every export works on [r0, r1) rows. All arithmetic is float64, as in
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
  const zero = f32x4.splat(0);
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
          const v = v128.load(px);
          const lo = f64x2.add(f64x2.mul(f64x2.sub(widenLow(v), mLo), sLo), oLo);
          const hi = f64x2.add(f64x2.mul(f64x2.sub(widenHigh(v), mHi), sHi), oHi);
          const w = narrow(lo, hi);
          v128.store(po, v128.and(w, v128.or(f32x4.gt(w, zero), f32x4.ne(w, w))));
          px += rowBytes;
          po += rowBytes;
        }
      } else {
        for (let r = r0; r < r1; r++) {
          const v = v128.load(px);
          const lo = f64x2.add(f64x2.mul(f64x2.sub(widenLow(v), mLo), sLo), oLo);
          const hi = f64x2.add(f64x2.mul(f64x2.sub(widenHigh(v), mHi), sHi), oHi);
          v128.store(po, narrow(lo, hi));
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
 * evaluated in float64 and rounded to float32, is > 0 (the ReLU's mask recomputed from x bit-exactly), else +0; g is
 * stored to `out` (the input gradient reads it) and s1 = Σ g, s2 = Σ g·(x − mean[c]) are accumulated exactly as
 * bnReduce(x, out, …, k = mean) would (same row blocks, same order). `out` may alias dy. Replaces a separate mask
 * pass before bnReduce (one read of x and dy fewer, the same bits).
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
  const zero = f32x4.splat(0);
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
        const v = v128.load(px);
        const dLo = f64x2.sub(widenLow(v), mLo);
        const dHi = f64x2.sub(widenHigh(v), mHi);
        const yLo = f64x2.add(f64x2.mul(dLo, sLo), oLo);
        const yHi = f64x2.add(f64x2.mul(dHi, sHi), oHi);
        const g = v128.and(v128.load(pg), f32x4.gt(narrow(yLo, yHi), zero));
        v128.store(po, g);
        const gLo = widenLow(g);
        const gHi = widenHigh(g);
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
