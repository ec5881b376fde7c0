import { defineOp, Tensor } from '@hw3/core';
import {
  bceWithLogitsBackwardKernel,
  bceWithLogitsForwardKernel,
} from './binary-cross-entropy-with-logits-kernel.js';
import {
  arrayLossValue,
  backwardScale,
  checkArrayLossCall,
  checkLossCall,
  checkTargetShape,
  lossOutput,
  perSampleBuffer,
  trailingWeightOption,
} from './loss-flow.js';
import { checkReduction, type GradOutput, gradBuffer, type LossValue, upstreamScale } from './reduction.js';
import type { FloatArray, Reduction, WeightOption } from './types.js';
import { allocLike, detachedFrom, toFloatValues } from './validate.js';

/** Options of `binaryCrossEntropyWithLogits` (PyTorch `F.binary_cross_entropy_with_logits` arguments). */
export interface BinaryCrossEntropyWithLogitsOptions<R extends Reduction = Reduction> {
  /** 'mean' (default) over all elements, 'sum', or 'none' (per element, input's shape). */
  reduction?: R;
  /** Rescales each element's loss; broadcasts over trailing dims (length 1, C, ..., or the input's size). */
  weight?: WeightOption;
  /** Weight of the positive term, usually one per class (last axis); broadcasts like `weight`. */
  posWeight?: WeightOption;
}

/**
 * Options of `binaryCrossEntropyWithLogitsArray`: those of the op plus the upstream gradient and an output
 * buffer.
 */
export interface BinaryCrossEntropyWithLogitsArrayOptions<R extends Reduction = Reduction>
  extends BinaryCrossEntropyWithLogitsOptions<R> {
  /** Upstream gradient (default 1): a number, or with reduction 'none' one value per element. */
  gradOutput?: GradOutput;
  /** Write ∂loss/∂input here (same type and length as input) instead of allocating. */
  grad?: FloatArray;
}

interface BceProblem {
  weight: FloatArray | null;
  posWeight: FloatArray | null;
  reduction: Reduction;
}

function resolveOptions(
  fn: string,
  shape: readonly number[],
  options: BinaryCrossEntropyWithLogitsOptions,
): BceProblem {
  return {
    reduction: checkReduction(fn, options.reduction ?? 'mean'),
    weight: trailingWeightOption(fn, 'options.weight', options.weight, shape),
    posWeight: trailingWeightOption(fn, 'options.posWeight', options.posWeight, shape),
  };
}

/**
 * Binary cross-entropy on logits, plain arrays, in the stable form
 *   loss = w·((1 − y)·x + l·(max(−x, 0) + log(1 + exp(−|x|)))),  l = 1 + (posWeight − 1)·y
 * (= max(x, 0) − x·y + log(1 + exp(−|x|)) without weights); grad = w·((1 − y) − l·σ(−x)) × reduction factor.
 * `shape` is the input's shape, used to broadcast weight / posWeight over trailing dims.
 */
export function binaryCrossEntropyWithLogitsArray<R extends Reduction = 'mean'>(
  input: FloatArray,
  shape: readonly number[],
  target: FloatArray | readonly number[],
  options: BinaryCrossEntropyWithLogitsArrayOptions<R> = {},
): { loss: LossValue<R>; grad: FloatArray } {
  const fn = 'binaryCrossEntropyWithLogitsArray';
  checkArrayLossCall(fn, options, 'input', input, shape);
  const y = toFloatValues(fn, 'target', target, input.length);
  const p = resolveOptions(fn, shape, options);
  const grad = gradBuffer(fn, options.grad, input);
  const perElement = perSampleBuffer(p.reduction, input, input.length);
  const total = bceWithLogitsForwardKernel(input, y, p.weight, p.posWeight, perElement);
  const { scale, perSample } = upstreamScale(fn, p.reduction, options.gradOutput, input.length, input.length);
  bceWithLogitsBackwardKernel(input, y, p.weight, p.posWeight, scale, perSample, grad, null);
  return { loss: arrayLossValue<R>(p.reduction, perElement, total, input.length), grad };
}

const bceOp = defineOp<[FloatArray, BceProblem]>({
  name: 'binaryCrossEntropyWithLogits',
  forward(ctx, inputs, target, p) {
    const input = inputs[0];
    const perElement = allocLike(input.data, input.size);
    const total = bceWithLogitsForwardKernel(input.data, target, p.weight, p.posWeight, perElement);
    ctx.save(input, target, p);
    return lossOutput(input.data, perElement, total, p.reduction, input.size, input.shape);
  },
  backward(ctx, gradOutput) {
    const input = ctx.saved[0] as Tensor;
    const target = ctx.saved[1] as FloatArray;
    const p = ctx.saved[2] as BceProblem;
    const { scale, perSample } = backwardScale(p.reduction, input.size, gradOutput);
    const gradInput = ctx.needsInputGrad[0] ? allocLike(input.data, input.size) : null;
    const wantTarget = ctx.needsInputGrad.length > 1 && ctx.needsInputGrad[1];
    const gradTarget = wantTarget ? allocLike(target, input.size) : null;
    bceWithLogitsBackwardKernel(
      input.data,
      target,
      p.weight,
      p.posWeight,
      scale,
      perSample,
      gradInput,
      gradTarget,
    );
    const gi = gradInput === null ? null : new Tensor(gradInput, input.shape);
    if (ctx.needsInputGrad.length < 2) return [gi];
    return [gi, gradTarget === null ? null : new Tensor(gradTarget, input.shape)];
  },
});

/**
 * Binary cross-entropy with logits (autograd), PyTorch's binary_cross_entropy_with_logits: stable
 * log-sum-exp form, optional element `weight` and per-class `posWeight` (both broadcast over trailing dims).
 * `target` has the input's shape; a target Tensor that requires grad is differentiated too.
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor | FloatArray | readonly number[] | readonly (readonly number[])[],
  options: BinaryCrossEntropyWithLogitsOptions = {},
): Tensor {
  const fn = 'binaryCrossEntropyWithLogits';
  checkLossCall(fn, options, 'input', input);
  const resolved = resolveOptions(fn, input.shape, options);
  // Own copies of caller arrays kept for backward (see crossEntropy).
  const p: BceProblem = {
    ...resolved,
    weight: detachedFrom(resolved.weight, options.weight),
    posWeight: detachedFrom(resolved.posWeight, options.posWeight),
  };
  if (target instanceof Tensor) {
    checkTargetShape(fn, target, input);
    return bceOp([input, target], target.data, p);
  }
  const y = toFloatValues(fn, 'target', target, input.size);
  return bceOp([input], detachedFrom(y, target), p);
}
