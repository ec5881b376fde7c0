import { defineOp, Tensor } from '@hw3/core';
import {
  arrayLossValue,
  backwardScale,
  checkArrayLossCall,
  checkLossCall,
  classIndexTarget,
  classLossSetup,
  lossOutput,
  perSampleBuffer,
} from './loss-flow.js';
import { nllLossBackwardKernel, nllLossForwardKernel } from './nll-loss-kernel.js';
import { type GradOutput, gradBuffer, type LossValue, sumOf, upstreamScale } from './reduction.js';
import type { FloatArray, Reduction, WeightOption } from './types.js';
import { allocLike, type ClassIndices, detachedFrom } from './validate.js';

/** Options of `nllLoss` (PyTorch `F.nll_loss` arguments). */
export interface NllLossOptions<R extends Reduction = Reduction> {
  /** 'mean' (default): Σ loss_i / Σ w_{t_i} over non-ignored rows (0 when that sum is 0; PyTorch: NaN). */
  reduction?: R;
  /** Per-class weight w_c, length C (default: all 1). Never differentiated. */
  weight?: WeightOption;
  /** Rows whose class index equals this contribute nothing (default -100). */
  ignoreIndex?: number;
}

/** Options of `nllLossArray`: those of the op plus the upstream gradient and an output buffer. */
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
  const setup = classLossSetup(fn, 'input', shape, options);
  return { ...setup, indices: classIndexTarget(fn, target, shape, setup) };
}

/** loss_i = −w_{t_i}·input[i, t_i] into perRow; returns the mean's denominator Σ w_{t_i} over non-ignored rows. */
function forwardRows(input: FloatArray, p: NllProblem, perRow: FloatArray): number {
  return nllLossForwardKernel(input, p.rows, p.classes, p.indices, p.weight, p.ignoreIndex, perRow);
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
  checkArrayLossCall(fn, options, 'input', input, shape);
  const p = resolve(fn, shape, target, options);
  const grad = gradBuffer(fn, options.grad, input);
  const perRow = perSampleBuffer(p.reduction, input, p.rows);
  const denominator = forwardRows(input, p, perRow);
  const { scale, perSample } = upstreamScale(fn, p.reduction, options.gradOutput, p.rows, denominator);
  nllLossBackwardKernel(p.rows, p.classes, p.indices, p.weight, p.ignoreIndex, scale, perSample, grad);
  return { loss: arrayLossValue<R>(p.reduction, perRow, sumOf(perRow), denominator), grad };
}

const nllLossOp = defineOp<[NllProblem]>({
  name: 'nllLoss',
  forward(ctx, inputs, p) {
    const input = inputs[0];
    const perRow = allocLike(input.data, p.rows);
    const denominator = forwardRows(input.data, p, perRow);
    ctx.save(p, denominator, input.shape);
    return lossOutput(input.data, perRow, sumOf(perRow), p.reduction, denominator, input.shape.slice(0, -1));
  },
  backward(ctx, gradOutput) {
    const p = ctx.saved[0] as NllProblem;
    const denominator = ctx.saved[1] as number;
    const shape = ctx.saved[2] as readonly number[];
    const { scale, perSample } = backwardScale(p.reduction, denominator, gradOutput);
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
  checkLossCall(fn, options, 'input', input);
  const p = resolve(fn, input.shape, target, options);
  // Own copies of caller arrays kept for backward (see crossEntropy).
  const problem: NllProblem = {
    ...p,
    indices: detachedFrom(p.indices, target),
    weight: detachedFrom(p.weight, options.weight),
  };
  return nllLossOp([input], problem);
}
