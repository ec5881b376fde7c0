import { defineOp, Tensor } from '@hw3/core';
import {
  arrayLossValue,
  backwardScale,
  checkArrayLossCall,
  checkLossCall,
  checkTargetShape,
  lossOutput,
  NO_SHAPE,
  perSampleBuffer,
} from './loss-flow.js';
import { mseLossBackwardKernel, mseLossForwardKernel } from './mse-loss-kernel.js';
import { checkReduction, type GradOutput, gradBuffer, type LossValue, upstreamScale } from './reduction.js';
import type { FloatArray, Reduction } from './types.js';
import { allocLike, detachedFrom, toFloatValues } from './validate.js';

/** Options of `mseLoss` (PyTorch `F.mse_loss` arguments). */
export interface MseLossOptions<R extends Reduction = Reduction> {
  /** 'mean' (default) over all elements, 'sum', or 'none' (per element, input's shape). */
  reduction?: R;
}

/** Options of `mseLossArray`: those of the op plus the upstream gradient and an output buffer. */
export interface MseLossArrayOptions<R extends Reduction = Reduction> extends MseLossOptions<R> {
  /** Upstream gradient (default 1): a number, or with reduction 'none' one value per element. */
  gradOutput?: GradOutput;
  /** Write ∂loss/∂input here (same type and length as input) instead of allocating. */
  grad?: FloatArray;
}

/**
 * Mean squared error on plain arrays: loss = reduce((x − y)²), grad = 2·(x − y) × reduction factor
 * (1/size for 'mean'). `target` has the same length as `input` (no broadcasting).
 */
export function mseLossArray<R extends Reduction = 'mean'>(
  input: FloatArray,
  target: FloatArray | readonly number[],
  options: MseLossArrayOptions<R> = {},
): { loss: LossValue<R>; grad: FloatArray } {
  const fn = 'mseLossArray';
  checkArrayLossCall(fn, options, 'input', input, NO_SHAPE);
  const y = toFloatValues(fn, 'target', target, input.length);
  const reduction = checkReduction(fn, options.reduction ?? 'mean');
  const grad = gradBuffer(fn, options.grad, input);
  const perElement = perSampleBuffer(reduction, input, input.length);
  const total = mseLossForwardKernel(input, y, perElement);
  const { scale, perSample } = upstreamScale(fn, reduction, options.gradOutput, input.length, input.length);
  mseLossBackwardKernel(input, y, scale, perSample, grad);
  return { loss: arrayLossValue<R>(reduction, perElement, total, input.length), grad };
}

const mseLossOp = defineOp<[FloatArray, Reduction]>({
  name: 'mseLoss',
  forward(ctx, inputs, target, reduction) {
    const input = inputs[0];
    const perElement = allocLike(input.data, input.size);
    const total = mseLossForwardKernel(input.data, target, perElement);
    ctx.save(input, target, reduction);
    return lossOutput(input.data, perElement, total, reduction, input.size, input.shape);
  },
  backward(ctx, gradOutput) {
    const input = ctx.saved[0] as Tensor;
    const target = ctx.saved[1] as FloatArray;
    const reduction = ctx.saved[2] as Reduction;
    const { scale, perSample } = backwardScale(reduction, input.size, gradOutput);
    let gradInput: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      const g = allocLike(input.data, input.size);
      mseLossBackwardKernel(input.data, target, scale, perSample, g);
      gradInput = new Tensor(g, input.shape);
    }
    if (ctx.needsInputGrad.length < 2) return [gradInput];
    let gradTarget: Tensor | null = null;
    if (ctx.needsInputGrad[1]) {
      // ∂/∂y = −∂/∂x: the same kernel with the scale negated.
      const g = allocLike(target, input.size);
      mseLossBackwardKernel(input.data, target, -scale, perSample, g);
      gradTarget = new Tensor(g, input.shape);
    }
    return [gradInput, gradTarget];
  },
});

/**
 * Mean squared error (autograd). `target` has the input's shape (no broadcasting); a target Tensor that
 * requires grad gets ∂/∂y = −∂/∂x.
 */
export function mseLoss(
  input: Tensor,
  target: Tensor | FloatArray | readonly number[] | readonly (readonly number[])[],
  options: MseLossOptions = {},
): Tensor {
  const fn = 'mseLoss';
  checkLossCall(fn, options, 'input', input);
  const reduction = checkReduction(fn, options.reduction ?? 'mean');
  if (target instanceof Tensor) {
    checkTargetShape(fn, target, input, ' (no broadcasting)');
    return mseLossOp([input, target], target.data, reduction);
  }
  // Own copy of a caller array kept for backward (see crossEntropy).
  const y = toFloatValues(fn, 'target', target, input.size);
  return mseLossOp([input], detachedFrom(y, target), reduction);
}
