import { defineOp, Tensor } from '@hw3/core';
import { LossError } from './loss-error.js';
import { nllLossBackwardKernel, nllLossForwardKernel } from './nll-loss-kernel.js';
import {
  checkOptions,
  checkReduction,
  type GradOutput,
  gradBuffer,
  type LossValue,
  reduceTotal,
  reductionScale,
  scratch,
  sumOf,
  upstreamScale,
} from './reduction.js';
import type { FloatArray, Reduction } from './types.js';
import {
  allocLike,
  type ClassIndices,
  checkFloatArray,
  checkIgnoreIndex,
  checkShape,
  checkTensor,
  checkWeights,
  describe,
  detachedFrom,
  isClassIndices,
  sameShape,
  splitClasses,
  toClassIndices,
} from './validate.js';

export interface NllLossOptions<R extends Reduction = Reduction> {
  /** 'mean' (default): Σ loss_i / Σ w_{t_i} over non-ignored rows (0 when that sum is 0; PyTorch: NaN). */
  reduction?: R;
  /** Per-class weight w_c, length C (default: all 1). Never differentiated. */
  weight?: FloatArray | readonly number[] | Tensor | null;
  /** Rows whose class index equals this contribute nothing (default -100). */
  ignoreIndex?: number;
}

export interface NllLossArrayOptions<R extends Reduction = Reduction> extends NllLossOptions<R> {
  /** Upstream gradient (default 1): a number, or with reduction 'none' one value per row. */
  gradOutput?: GradOutput;
  /** Write ∂loss/∂input here (same type and length as input) instead of allocating. */
  grad?: FloatArray;
}

interface NllProblem {
  rows: number;
  classes: number;
  indices: Int32Array;
  weight: FloatArray | null;
  ignoreIndex: number;
  reduction: Reduction;
}

function resolve(fn: string, shape: readonly number[], target: unknown, options: NllLossOptions): NllProblem {
  const { rows, classes } = splitClasses(fn, 'input', shape);
  const reduction = checkReduction(fn, options.reduction ?? 'mean');
  const ignoreIndex = checkIgnoreIndex(fn, options.ignoreIndex ?? -100);
  const w = options.weight;
  const weight =
    w === undefined || w === null
      ? null
      : checkWeights(fn, 'options.weight', w instanceof Tensor ? w.data : w, classes, 'one weight per class');
  let values: ArrayLike<number> | number;
  if (target instanceof Tensor) {
    if (!sameShape(target.shape, shape.slice(0, -1))) {
      throw new LossError(
        `${fn}: target tensor shape [${target.shape.join(', ')}] must be the input shape without the class axis, [${shape.slice(0, -1).join(', ')}]`,
        'LOSS_SHAPE_MISMATCH',
      );
    }
    values = target.data;
  } else if (isClassIndices(target)) values = target as ArrayLike<number> | number;
  else {
    throw new LossError(
      `${fn}: target must be class indices (Int32Array, Uint8Array, ..., number[], number or Tensor), got ${describe(target)}`,
      'LOSS_INVALID_DTYPE',
    );
  }
  const indices = toClassIndices(fn, 'target', values, rows, classes, ignoreIndex);
  return { rows, classes, indices, weight, ignoreIndex, reduction };
}

/**
 * Negative log-likelihood on plain arrays: `input` holds log-probabilities (e.g. from logSoftmaxArray),
 * classes on the last axis. loss_i = −w_{t_i}·input[i, t_i]; grad[i, t_i] = −w_{t_i} × reduction factor.
 */
export function nllLossArray<R extends Reduction = 'mean'>(
  input: FloatArray,
  shape: readonly number[],
  target: ClassIndices,
  options: NllLossArrayOptions<R> = {},
): { loss: LossValue<R>; grad: FloatArray } {
  const fn = 'nllLossArray';
  checkOptions(fn, options);
  checkFloatArray(fn, 'input', input);
  checkShape(fn, 'input', shape, input.length);
  const p = resolve(fn, shape, target, options);
  const grad = gradBuffer(fn, options.grad, input);
  const perRow = p.reduction === 'none' ? allocLike(input, p.rows) : scratch(1, p.rows);
  const denominator = nllLossForwardKernel(
    input,
    p.rows,
    p.classes,
    p.indices,
    p.weight,
    p.ignoreIndex,
    perRow,
  );
  const { scale, perSample } = upstreamScale(fn, p.reduction, options.gradOutput, p.rows, denominator);
  nllLossBackwardKernel(p.rows, p.classes, p.indices, p.weight, p.ignoreIndex, scale, perSample, grad);
  const loss = p.reduction === 'none' ? perRow : reduceTotal(sumOf(perRow), p.reduction, denominator);
  return { loss: loss as LossValue<R>, grad };
}

const nllLossOp = defineOp<[NllProblem]>({
  name: 'nllLoss',
  forward(ctx, inputs, p) {
    const input = inputs[0];
    const perRow = allocLike(input.data, p.rows);
    const denominator = nllLossForwardKernel(
      input.data,
      p.rows,
      p.classes,
      p.indices,
      p.weight,
      p.ignoreIndex,
      perRow,
    );
    ctx.save(p, denominator, input.shape);
    if (p.reduction === 'none') return new Tensor(perRow, input.shape.slice(0, -1));
    const out = allocLike(input.data, 1);
    out[0] = reduceTotal(sumOf(perRow), p.reduction, denominator);
    return new Tensor(out, []);
  },
  backward(ctx, gradOutput) {
    const p = ctx.saved[0] as NllProblem;
    const denominator = ctx.saved[1] as number;
    const shape = ctx.saved[2] as readonly number[];
    const perSample = p.reduction === 'none' ? gradOutput.data : null;
    const scale = p.reduction === 'none' ? 1 : reductionScale(p.reduction, denominator, gradOutput.data[0]);
    const grad = allocLike(gradOutput.data, p.rows * p.classes);
    nllLossBackwardKernel(p.rows, p.classes, p.indices, p.weight, p.ignoreIndex, scale, perSample, grad);
    return [new Tensor(grad, shape)];
  },
});

/**
 * Negative log-likelihood (autograd) from log-probabilities [C], [N, C] or [..., C] (classes last) and
 * class indices; same weight / ignoreIndex / reduction semantics as PyTorch's nll_loss.
 * crossEntropy(z, t) equals nllLoss(logSoftmax(z), t) but is fused and cheaper.
 */
export function nllLoss(input: Tensor, target: ClassIndices | Tensor, options: NllLossOptions = {}): Tensor {
  const fn = 'nllLoss';
  checkOptions(fn, options);
  checkTensor(fn, 'input', input);
  const p = resolve(fn, input.shape, target, options);
  // Own copies of caller arrays kept for backward (see crossEntropy).
  const problem: NllProblem = {
    ...p,
    indices: detachedFrom(p.indices, target),
    weight: detachedFrom(p.weight, options.weight),
  };
  return nllLossOp([input], problem);
}
