import { allocateLike, type FloatArray } from '../dtype';
import { shapeSize, shapesEqual } from '../shape-utils';

export const OP_ADD = 0;
export const OP_SUB = 1;
export const OP_MUL = 2;
export const OP_DIV = 3;
export type BinaryOpCode = 0 | 1 | 2 | 3;

/** Strides of `shape` viewed in an output of rank `rank` under broadcasting (0 where the dim is broadcast). */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = i + rank - shape.length;
    strides[o] = shape[i] === 1 && outShape[o] !== 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/**
 * out = a (op) b elementwise under broadcasting; out has `outShape`. Fast path for equal shapes and for a
 * one-element b; otherwise an odometer over the outer dims with a tight loop over the last dim.
 */
export function binaryBroadcast(
  op: BinaryOpCode,
  a: FloatArray,
  aShape: readonly number[],
  b: FloatArray,
  bShape: readonly number[],
  out: FloatArray,
  outShape: readonly number[],
): void {
  const n = out.length;
  if (n === 0) return;
  if (shapesEqual(aShape, outShape) && shapesEqual(bShape, outShape)) {
    binaryRow(op, a, 0, 1, b, 0, 1, out, 0, n);
    return;
  }
  if (b.length === 1 && shapesEqual(aShape, outShape)) {
    binaryRow(op, a, 0, 1, b, 0, 0, out, 0, n);
    return;
  }
  const rank = outShape.length;
  const as = broadcastStrides(aShape, outShape);
  const bs = broadcastStrides(bShape, outShape);
  const inner = outShape[rank - 1];
  const sa = as[rank - 1];
  const sb = bs[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let ao = 0;
  let bo = 0;
  for (let o = 0; o < n; o += inner) {
    binaryRow(op, a, ao, sa, b, bo, sb, out, o, inner);
    // advance the odometer over dims rank-2 .. 0
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      ao += as[d];
      bo += bs[d];
      if (idx[d] < outShape[d]) break;
      ao -= as[d] * outShape[d];
      bo -= bs[d] * outShape[d];
      idx[d] = 0;
    }
  }
}

function binaryRow(
  op: BinaryOpCode,
  a: FloatArray,
  ao: number,
  sa: number,
  b: FloatArray,
  bo: number,
  sb: number,
  out: FloatArray,
  oo: number,
  len: number,
): void {
  const end = oo + len;
  switch (op) {
    case OP_ADD:
      for (let o = oo; o < end; o++, ao += sa, bo += sb) out[o] = a[ao] + b[bo];
      break;
    case OP_SUB:
      for (let o = oo; o < end; o++, ao += sa, bo += sb) out[o] = a[ao] - b[bo];
      break;
    case OP_MUL:
      for (let o = oo; o < end; o++, ao += sa, bo += sb) out[o] = a[ao] * b[bo];
      break;
    case OP_DIV:
      for (let o = oo; o < end; o++, ao += sa, bo += sb) out[o] = a[ao] / b[bo];
      break;
  }
}

/**
 * Sums `g` (shape `gShape`, the broadcast output shape) down to `targetShape` (the shape of an operand that
 * was broadcast into it): ∂L/∂operand = Σ over broadcast dims of ∂L/∂out. Returns `g` itself when no
 * reduction is needed.
 */
export function sumToShape(
  g: FloatArray,
  gShape: readonly number[],
  targetShape: readonly number[],
): FloatArray {
  if (shapesEqual(gShape, targetShape)) return g;
  const out = allocateLike(g, shapeSize(targetShape));
  const n = g.length;
  if (n === 0) return out;
  if (out.length === 1) {
    let s = 0;
    for (let i = 0; i < n; i++) s += g[i];
    out[0] = s;
    return out;
  }
  const rank = gShape.length;
  const ts = broadcastStrides(targetShape, gShape);
  const inner = gShape[rank - 1];
  const st = ts[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let to = 0;
  for (let o = 0; o < n; o += inner) {
    if (st === 0) {
      let s = 0;
      for (let j = 0; j < inner; j++) s += g[o + j];
      out[to] += s;
    } else {
      for (let j = 0; j < inner; j++) out[to + j] += g[o + j];
    }
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      to += ts[d];
      if (idx[d] < gShape[d]) break;
      to -= ts[d] * gShape[d];
      idx[d] = 0;
    }
  }
  return out;
}
