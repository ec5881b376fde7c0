/** Elementwise and reduction loops of the autograd ops (ReLU forward / backward, conv bias gradient), AssemblyScript. */

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
 * out[c] = Σ_r g[r·C + c] for r < rows (the bias gradient Σ_{n,h,w} dOut of a channels-last tensor), in float64 as
 * two fixed halves — rows [0, h) and [h, rows), h = ⌈rows / 2⌉, each summed in row order (channelSumRows) — added
 * (first + second) and rounded to float32 once. `acc`: 2·C doubles, 16-byte aligned. The halves are what two threads
 * compute, each on the rows it wrote (wasm glue), so one and two threads give the same bits.
 */
export function channelSum(g: usize, rows: i32, C: i32, acc: usize, out: usize): void {
  const h = (rows + 1) >> 1;
  const acc2 = acc + ((<usize>C) << 3);
  channelSumRows(g, h, C, acc);
  channelSumRows(g + ((<usize>(h * C)) << 2), rows - h, C, acc2);
  channelSumFinish(acc, C, out);
}

/** out[c] = float32(acc[c] + acc[C + c]): the two halves' sums, first + second, rounded once. */
export function channelSumFinish(acc: usize, C: i32, out: usize): void {
  for (let c = 0; c < C; c++) {
    const s = load<f64>(acc + ((<usize>c) << 3)) + load<f64>(acc + ((<usize>(C + c)) << 3));
    store<f32>(out + ((<usize>c) << 2), <f32>s);
  }
}

/**
 * acc[c] = Σ_r g[r·C + c] for r < rows in float64, in row order (overwritten). Rows go in blocks of about 4096
 * floats; inside a block each group of four channels carries its running sums in two f64x2 registers.
 */
export function channelSumRows(g: usize, rows: i32, C: i32, acc: usize): void {
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
        // Two 8-byte loads, each widened: no shuffle (the widening and a shuffle share one port on x86).
        lo = f64x2.add(lo, f64x2.promote_low_f32x4(v128.load64_zero(p)));
        hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.load64_zero(p, 8)));
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
}
