import { defineOp } from '../define-op';
import { allocateLike } from '../dtype';
import { ValueError } from '../errors';
import { normalizeAxis } from '../shape-utils';
import { Tensor } from '../tensor';
import { binaryBroadcast, OP_MUL, sumToShape } from './broadcast';
import { checkTensor } from './check';

/**
 * The axes a reduction runs over: one axis, a list, or null / undefined for all of them (negative axes count
 * from the end).
 */
export type Axes = number | readonly number[] | null | undefined;

interface Plan {
  keepShape: number[];
  outShape: number[];
  count: number;
}

function plan(x: Tensor, axes: Axes, keepDims: boolean, opName: string): Plan {
  checkTensor(x, opName);
  // PyTorch semantics: no axes, null or an empty list reduce every axis (NumPy's axis=() reduces none).
  const all = axes === undefined || axes === null || (Array.isArray(axes) && axes.length === 0);
  const reduce = new Array<boolean>(x.ndim).fill(all);
  if (!all) {
    const list = typeof axes === 'number' ? [axes] : axes;
    if (!Array.isArray(list)) {
      throw new ValueError(
        `${opName}: axes must be a number, an array of numbers, null or undefined, got ${String(axes)}`,
        'INVALID_AXES',
      );
    }
    for (const a of list) {
      const ax = normalizeAxis(a, x.ndim, `${opName}: axis`);
      if (reduce[ax]) {
        throw new ValueError(
          `${opName}: axis ${a} appears more than once in axes ${JSON.stringify(list)}`,
          'INVALID_AXES',
        );
      }
      reduce[ax] = true;
    }
  }
  const keepShape: number[] = [];
  const outShape: number[] = [];
  let count = 1;
  for (let i = 0; i < x.ndim; i++) {
    if (reduce[i]) {
      count *= x.shape[i];
      keepShape.push(1);
      if (keepDims) outShape.push(1);
    } else {
      keepShape.push(x.shape[i]);
      outShape.push(x.shape[i]);
    }
  }
  return { keepShape, outShape, count };
}

// y = Σ_axes x (scaled by `scale`: 1 for sum, 1/count for mean);  ∂x = broadcast(g)·scale
const reduceOp = defineOp<[Plan, number]>({
  name: 'sum',
  forward(ctx, [x], p, scale) {
    ctx.save(x.shape, p.keepShape, scale);
    const summed = sumToShape(x.data, x.shape, p.keepShape);
    const out = summed === x.data ? x.data.slice() : summed;
    if (scale !== 1) for (let i = 0; i < out.length; i++) out[i] *= scale;
    return new Tensor(out, p.outShape);
  },
  backward(ctx, g) {
    const [xShape, keepShape, scale] = ctx.saved as [readonly number[], number[], number];
    const size = xShape.reduce((a, b) => a * b, 1);
    const out = allocateLike(g.data, size);
    const s = allocateLike(g.data, 1);
    s[0] = scale;
    binaryBroadcast(OP_MUL, g.data, keepShape, s, [], out, xShape);
    return [new Tensor(out, xShape)];
  },
});

/**
 * Sum over `axes`; all axes when `axes` is omitted, null or `[]` (as `torch.sum(x, dim=[])`; NumPy's
 * `axis=()` would reduce none). Negative axes count from the end.
 */
export function sum(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const p = plan(x, axes, keepDims, 'sum');
  return reduceOp([x], p, 1);
}

/**
 * Mean over `axes`; all axes when `axes` is omitted, null or `[]` (PyTorch). The mean over zero elements is
 * NaN, as in PyTorch.
 */
export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const p = plan(x, axes, keepDims, 'mean');
  return reduceOp([x], p, 1 / p.count);
}
