import { defineOp } from '../define-op';
import { allocateLike, type FloatArray } from '../dtype';
import { ValueError } from '../errors';
import { normalizeAxis, stridesOf } from '../shape-utils';
import { Tensor } from '../tensor';
import { checkTensor } from './check';

/** Copies x (shape `shape`) into a contiguous array with dims d0 and d1 swapped. */
function swapCopy(x: FloatArray, shape: readonly number[], d0: number, d1: number): FloatArray {
  const out = allocateLike(x, x.length);
  const rank = shape.length;
  if (x.length === 0 || d0 === d1) {
    out.set(x);
    return out;
  }
  const inStrides = stridesOf(shape);
  const outShape = shape.slice();
  outShape[d0] = shape[d1];
  outShape[d1] = shape[d0];
  // stride in x of each output dim
  const st = inStrides.slice();
  st[d0] = inStrides[d1];
  st[d1] = inStrides[d0];
  const inner = outShape[rank - 1];
  const si = st[rank - 1];
  const pos = new Array<number>(rank).fill(0);
  let off = 0;
  for (let o = 0; o < out.length; o += inner) {
    for (let j = 0, p = off; j < inner; j++, p += si) out[o + j] = x[p];
    for (let d = rank - 2; d >= 0; d--) {
      pos[d]++;
      off += st[d];
      if (pos[d] < outShape[d]) break;
      off -= st[d] * outShape[d];
      pos[d] = 0;
    }
  }
  return out;
}

// y = x with dims d0, d1 swapped;  ∂x = g with the same dims swapped back
const transposeOp = defineOp<[number, number]>({
  name: 'transpose',
  forward(ctx, [x], d0, d1) {
    ctx.save(d0, d1);
    const shape = x.shape.slice();
    shape[d0] = x.shape[d1];
    shape[d1] = x.shape[d0];
    return new Tensor(swapCopy(x.data, x.shape, d0, d1), shape);
  },
  backward(ctx, g) {
    const [d0, d1] = ctx.saved as [number, number];
    const shape = g.shape.slice();
    shape[d0] = g.shape[d1];
    shape[d1] = g.shape[d0];
    return [new Tensor(swapCopy(g.data, g.shape, d0, d1), shape)];
  },
});

/** Swaps two dims (default the last two, i.e. the matrix transpose). Returns a contiguous copy. */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  checkTensor(x, 'transpose');
  if (x.ndim < 2 && (dim0 === -2 || dim1 === -2)) {
    throw new ValueError(
      `transpose: default dims (-2, -1) need rank >= 2, got rank ${x.ndim}`,
      'AXIS_OUT_OF_RANGE',
    );
  }
  const d0 = normalizeAxis(dim0, x.ndim, 'transpose: dim0');
  const d1 = normalizeAxis(dim1, x.ndim, 'transpose: dim1');
  return transposeOp([x], d0, d1);
}
