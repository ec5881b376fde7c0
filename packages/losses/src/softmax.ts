import { defineOp, Tensor } from '@hw3/core';
import { LossError } from './loss-error.js';
import { softmaxBackwardKernel, softmaxForwardKernel } from './softmax-kernel.js';
import type { FloatArray } from './types.js';
import { allocLike, checkFloatArray, checkShape, checkTensor, describe } from './validate.js';

interface AxisSplit {
  outer: number;
  classes: number;
  inner: number;
}

function splitAxis(fn: string, shape: readonly number[], axis: unknown): AxisSplit {
  const ndim = shape.length;
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -ndim || axis >= ndim || ndim === 0) {
    const valid = ndim === 0 ? 'none (a 0-d input has no axis)' : `integers in [${-ndim}, ${ndim})`;
    throw new LossError(
      `${fn}: axis ${describe(axis)} is invalid for shape [${shape.join(', ')}]; valid: ${valid}`,
      'LOSS_INVALID_OPTION',
    );
  }
  const a = axis < 0 ? axis + ndim : axis;
  let outer = 1;
  for (let d = 0; d < a; d++) outer *= shape[d];
  let inner = 1;
  for (let d = a + 1; d < ndim; d++) inner *= shape[d];
  return { outer, classes: shape[a], inner };
}

function checkOut(fn: string, out: FloatArray | undefined, like: FloatArray): FloatArray {
  if (out === undefined) return allocLike(like, like.length);
  if (
    typeof out !== 'object' ||
    out === null ||
    out.constructor !== like.constructor ||
    out.length !== like.length ||
    out === like
  ) {
    throw new LossError(
      `${fn}: out must be a separate ${like.constructor.name} of length ${like.length}, got ${describe(out)}${typeof out === 'object' && out !== null ? ` of length ${out.length}` : ''}`,
      'LOSS_SHAPE_MISMATCH',
    );
  }
  return out;
}

function arrayForward(
  fn: string,
  x: FloatArray,
  shape: readonly number[],
  axis: number,
  out: FloatArray | undefined,
  log: boolean,
): FloatArray {
  checkFloatArray(fn, 'x', x);
  checkShape(fn, 'x', shape, x.length);
  const { outer, classes, inner } = splitAxis(fn, shape, axis);
  const result = checkOut(fn, out, x);
  softmaxForwardKernel(x, result, outer, classes, inner, log);
  return result;
}

function arrayBackward(
  fn: string,
  y: FloatArray,
  dy: FloatArray,
  shape: readonly number[],
  axis: number,
  out: FloatArray | undefined,
  log: boolean,
): FloatArray {
  checkFloatArray(fn, 'y', y);
  checkFloatArray(fn, 'dy', dy);
  checkShape(fn, 'y', shape, y.length);
  checkShape(fn, 'dy', shape, dy.length);
  const { outer, classes, inner } = splitAxis(fn, shape, axis);
  const result = checkOut(fn, out, y);
  softmaxBackwardKernel(y, dy, result, outer, classes, inner, log);
  return result;
}

/**
 * softmax(x)_c = exp(x_c − max x) / Σ_k exp(x_k − max x) along `axis` (default: last), on a plain
 * row-major array of the given shape. Writes into `out` when given (same type and length), else allocates.
 */
export function softmaxArray(
  x: FloatArray,
  shape: readonly number[],
  axis = -1,
  out?: FloatArray,
): FloatArray {
  return arrayForward('softmaxArray', x, shape, axis, out, false);
}

/** logSoftmax(x)_c = x_c − max x − log Σ_k exp(x_k − max x) along `axis`, on a plain array. */
export function logSoftmaxArray(
  x: FloatArray,
  shape: readonly number[],
  axis = -1,
  out?: FloatArray,
): FloatArray {
  return arrayForward('logSoftmaxArray', x, shape, axis, out, true);
}

/** Softmax backward on plain arrays: dx = y ⊙ (dy − Σ_axis dy ⊙ y), with y = softmax(x). */
export function softmaxBackwardArray(
  y: FloatArray,
  dy: FloatArray,
  shape: readonly number[],
  axis = -1,
  out?: FloatArray,
): FloatArray {
  return arrayBackward('softmaxBackwardArray', y, dy, shape, axis, out, false);
}

/** Log-softmax backward on plain arrays: dx = dy − exp(y) · Σ_axis dy, with y = logSoftmax(x). */
export function logSoftmaxBackwardArray(
  y: FloatArray,
  dy: FloatArray,
  shape: readonly number[],
  axis = -1,
  out?: FloatArray,
): FloatArray {
  return arrayBackward('logSoftmaxBackwardArray', y, dy, shape, axis, out, true);
}

function makeOp(name: string, log: boolean) {
  return defineOp<[AxisSplit]>({
    name,
    forward(ctx, inputs, split) {
      const x = inputs[0];
      const y = allocLike(x.data, x.size);
      softmaxForwardKernel(x.data, y, split.outer, split.classes, split.inner, log);
      ctx.save(y, split);
      return new Tensor(y, x.shape);
    },
    backward(ctx, gradOutput) {
      const y = ctx.saved[0] as FloatArray;
      const split = ctx.saved[1] as AxisSplit;
      const dx = allocLike(y, y.length);
      softmaxBackwardKernel(y, gradOutput.data, dx, split.outer, split.classes, split.inner, log);
      return [new Tensor(dx, gradOutput.shape)];
    },
  });
}

const softmaxOp = makeOp('softmax', false);
const logSoftmaxOp = makeOp('logSoftmax', true);

/**
 * Autograd softmax along `axis` (default: last), max subtracted. Backward: dx = y ⊙ (dy − Σ dy ⊙ y).
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  checkTensor('softmax', 'x', x);
  return softmaxOp([x], splitAxis('softmax', x.shape, axis));
}

/**
 * Autograd log-softmax along `axis` (default: last), by log-sum-exp. Backward: dx = dy − softmax(x) · Σ dy.
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  checkTensor('logSoftmax', 'x', x);
  return logSoftmaxOp([x], splitAxis('logSoftmax', x.shape, axis));
}
