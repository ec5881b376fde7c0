import { defineOp, Tensor } from '@hw3/core';
import {
  type CrossEntropyProblem,
  crossEntropyBackwardKernel,
  crossEntropyForwardKernel,
  crossEntropyTargetBackwardKernel,
} from './cross-entropy-kernel.js';
import { LossError } from './loss-error.js';
import {
  arrayLossValue,
  backwardScale,
  checkArrayLossCall,
  checkLossCall,
  classLossSetup,
  lossOutput,
  perSampleBuffer,
} from './loss-flow.js';
import { type GradOutput, gradBuffer, type LossValue, scratch, sumOf, upstreamScale } from './reduction.js';
import type { FloatArray, Reduction, WeightOption } from './types.js';
import {
  allocLike,
  type ClassIndices,
  checkLabelSmoothing,
  checkProbabilities,
  describe,
  detachedFrom,
  isClassIndices,
  isFloatArray,
  probabilityTolerance,
  sameShape,
  toClassIndices,
  toFloatValues,
} from './validate.js';

/** Options of `crossEntropy` (PyTorch `F.cross_entropy` arguments). */
export interface CrossEntropyOptions<R extends Reduction = Reduction> {
  /** 'mean' (default): Σ loss_i / Σ w_{t_i} over non-ignored rows (index targets) or / rows (probability targets). */
  reduction?: R;
  /** ε in [0, 1] (default 0): the target becomes (1 − ε)·target + ε/C, as in PyTorch. */
  labelSmoothing?: number;
  /** Per-class weight w_c, length C (default: all 1). Never differentiated. */
  weight?: WeightOption;
  /** Rows whose class index equals this contribute nothing (default -100). Index targets only. */
  ignoreIndex?: number;
}

/** Options of `crossEntropyArray`: those of the op plus the upstream gradient and an output buffer. */
export interface CrossEntropyArrayOptions<R extends Reduction = Reduction> extends CrossEntropyOptions<R> {
  /** Upstream gradient (default 1): a number, or with reduction 'none' one value per row. */
  gradOutput?: GradOutput;
  /** Write ∂loss/∂logits here (same type and length as logits) instead of allocating. */
  grad?: FloatArray;
}

/**
 * Targets for the plain-array form: class indices (Int32Array / number[], one per row) or
 * probabilities (Float32Array / Float64Array of rows × C, or number[][] with one row per sample).
 */
export type CrossEntropyArrayTarget = ClassIndices | FloatArray | readonly (readonly number[])[];

/**
 * Targets for the autograd form: as for arrays, or a Tensor — shaped like the logits for probabilities
 * (differentiable), or like the logits without the class axis for class indices.
 */
export type CrossEntropyTarget = CrossEntropyArrayTarget | Tensor;

interface Resolved {
  problem: CrossEntropyProblem;
  reduction: Reduction;
}

function resolve(
  fn: string,
  logits: FloatArray,
  shape: readonly number[],
  target: unknown,
  options: CrossEntropyOptions,
): Resolved {
  const { rows, classes, reduction, ignoreIndex, weight } = classLossSetup(fn, 'logits', shape, options);
  const labelSmoothing = checkLabelSmoothing(fn, options.labelSmoothing ?? 0);
  let indices: Int32Array | null = null;
  let probabilities: FloatArray | null = null;
  if (target instanceof Tensor) {
    if (sameShape(target.shape, shape)) probabilities = target.data;
    else if (sameShape(target.shape, shape.slice(0, -1))) {
      indices = toClassIndices(fn, 'target', target.data, rows, classes, ignoreIndex);
    } else {
      throw new LossError(
        `${fn}: target tensor shape [${target.shape.join(', ')}] fits neither probabilities (shape of logits [${shape.join(', ')}]) nor class indices ([${shape.slice(0, -1).join(', ')}])`,
        'LOSS_SHAPE_MISMATCH',
      );
    }
  } else if (isFloatArray(target)) {
    if (target.length !== rows * classes) {
      throw new LossError(
        `${fn}: target ${target.constructor.name} has length ${target.length}; float arrays are probability targets and need rows × classes = ${rows} × ${classes} = ${rows * classes} entries (pass class indices as Int32Array or number[])`,
        'LOSS_SHAPE_MISMATCH',
      );
    }
    probabilities = target;
  } else if (Array.isArray(target) && target.length > 0 && Array.isArray(target[0])) {
    probabilities = toFloatValues(fn, 'target', target, rows * classes);
  } else if (isClassIndices(target)) {
    indices = toClassIndices(fn, 'target', target as ArrayLike<number> | number, rows, classes, ignoreIndex);
  } else {
    throw new LossError(
      `${fn}: target must be class indices (Int32Array, Uint8Array, ..., number[], number) or probabilities (Float32Array, Float64Array, number[][], Tensor), got ${describe(target)}`,
      'LOSS_INVALID_DTYPE',
    );
  }
  if (probabilities !== null) {
    checkProbabilities(
      fn,
      'target',
      probabilities,
      rows,
      classes,
      probabilityTolerance(logits, probabilities),
    );
  }
  return {
    problem: { rows, classes, indices, probabilities, weight, labelSmoothing, ignoreIndex },
    reduction,
  };
}

/**
 * Softmax cross-entropy on plain arrays: loss and ∂loss/∂logits in one fused pass.
 * `logits` is row-major with the given shape, classes on the last axis ([C], [N, C] or [..., C]).
 * Per row: loss_i = Σ_c q_c·(−log softmax(z)_c) with the effective target q (see README), and
 * grad = Q·softmax(z) − q scaled by the reduction (= (softmax − y)/N for one-hot targets and 'mean').
 */
export function crossEntropyArray<R extends Reduction = 'mean'>(
  logits: FloatArray,
  shape: readonly number[],
  target: CrossEntropyArrayTarget,
  options: CrossEntropyArrayOptions<R> = {},
): { loss: LossValue<R>; grad: FloatArray } {
  const fn = 'crossEntropyArray';
  checkArrayLossCall(fn, options, 'logits', logits, shape);
  const { problem, reduction } = resolve(fn, logits, shape, target, options);
  const grad = gradBuffer(fn, options.grad, logits);
  const probs = scratch(0, logits.length);
  const perRow = perSampleBuffer(reduction, logits, problem.rows);
  const denominator = crossEntropyForwardKernel(problem, logits, probs, perRow);
  const { scale, perSample } = upstreamScale(fn, reduction, options.gradOutput, problem.rows, denominator);
  crossEntropyBackwardKernel(problem, probs, scale, perSample, grad);
  return { loss: arrayLossValue<R>(reduction, perRow, sumOf(perRow), denominator), grad };
}

const crossEntropyOp = defineOp<[CrossEntropyProblem, Reduction, readonly number[]]>({
  name: 'crossEntropy',
  forward(ctx, inputs, problem, reduction, rowShape) {
    const logits = inputs[0];
    const probs = allocLike(logits.data, logits.size);
    const perRow = allocLike(logits.data, problem.rows);
    const denominator = crossEntropyForwardKernel(problem, logits.data, probs, perRow);
    ctx.save(problem, probs, denominator, reduction, logits);
    return lossOutput(logits.data, perRow, sumOf(perRow), reduction, denominator, rowShape);
  },
  backward(ctx, gradOutput) {
    const problem = ctx.saved[0] as CrossEntropyProblem;
    const probs = ctx.saved[1] as FloatArray;
    const denominator = ctx.saved[2] as number;
    const reduction = ctx.saved[3] as Reduction;
    const logits = ctx.saved[4] as Tensor;
    const { scale, perSample } = backwardScale(reduction, denominator, gradOutput);
    let gradLogits: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      const g = allocLike(logits.data, logits.size);
      crossEntropyBackwardKernel(problem, probs, scale, perSample, g);
      gradLogits = new Tensor(g, logits.shape);
    }
    if (ctx.needsInputGrad.length < 2) return [gradLogits];
    let gradTarget: Tensor | null = null;
    if (ctx.needsInputGrad[1]) {
      const g = allocLike(problem.probabilities!, logits.size);
      crossEntropyTargetBackwardKernel(problem, logits.data, scale, perSample, g);
      gradTarget = new Tensor(g, logits.shape);
    }
    return [gradLogits, gradTarget];
  },
});

/**
 * Softmax cross-entropy from logits (autograd), classes on the last axis: logits [C], [N, C] or [..., C].
 * Fused: log-softmax by log-sum-exp (max subtracted), backward = (Q·softmax − q) × reduction factor,
 * which for one-hot targets, no weights and 'mean' is (softmax − y)/N. Never softmax → clip → log.
 * Returns a scalar for 'mean' / 'sum', the per-row losses (shape of logits without the class axis) for 'none'.
 */
export function crossEntropy(
  logits: Tensor,
  target: CrossEntropyTarget,
  options: CrossEntropyOptions = {},
): Tensor {
  const fn = 'crossEntropy';
  checkLossCall(fn, options, 'logits', logits);
  const resolved = resolve(fn, logits.data, logits.shape, target, options);
  const probTensor = target instanceof Tensor && resolved.problem.probabilities !== null;
  // The op keeps targets and weights for backward: own copies of caller arrays, so refilling a reused
  // label buffer before backward() cannot change the gradient (a few hundred bytes per step). A probability
  // Tensor is an input of the op (it may require grad) and is kept as is.
  const p = resolved.problem;
  const problem: CrossEntropyProblem = {
    ...p,
    indices: detachedFrom(p.indices, target),
    probabilities: probTensor ? p.probabilities : detachedFrom(p.probabilities, target),
    weight: detachedFrom(p.weight, options.weight),
  };
  const rowShape = logits.shape.slice(0, -1);
  return crossEntropyOp(probTensor ? [logits, target] : [logits], problem, resolved.reduction, rowShape);
}
