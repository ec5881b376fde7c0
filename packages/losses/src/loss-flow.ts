/**
 * The steps every loss shares, around its own kernels: resolving the class-index options (cross-entropy, NLL),
 * the optional weights, the per-sample buffer and the loss value of the plain-array form, the output of the
 * autograd op and the gradient scale of its backward.
 */
import { Tensor } from '@hw3/core';
import { LossError } from './loss-error.js';
import {
  checkOptions,
  checkReduction,
  type LossValue,
  reduceTotal,
  reductionScale,
  scratch,
} from './reduction.js';
import type { FloatArray, Reduction, WeightOption } from './types.js';
import {
  allocLike,
  checkFloatArray,
  checkIgnoreIndex,
  checkShape,
  checkTensor,
  checkTrailingWeights,
  checkWeights,
  describe,
  isClassIndices,
  sameShape,
  splitClasses,
  toClassIndices,
} from './validate.js';

/** The options a class-index loss shares (cross-entropy, NLL), resolved against the input's shape. */
export interface ClassLossSetup {
  rows: number;
  classes: number;
  reduction: Reduction;
  ignoreIndex: number;
  /** one weight per class, or null */
  weight: FloatArray | null;
}

/** Checks `shape` (classes last) and the shared options of a class-index loss (defaults: 'mean', -100, no weight). */
export function classLossSetup(
  fn: string,
  name: string,
  shape: readonly number[],
  options: { reduction?: Reduction; ignoreIndex?: number; weight?: WeightOption },
): ClassLossSetup {
  const { rows, classes } = splitClasses(fn, name, shape);
  const reduction = checkReduction(fn, options.reduction ?? 'mean');
  const ignoreIndex = checkIgnoreIndex(fn, options.ignoreIndex ?? -100);
  const w = options.weight;
  const weight =
    w === undefined || w === null
      ? null
      : checkWeights(fn, 'options.weight', w instanceof Tensor ? w.data : w, classes, 'one weight per class');
  return { rows, classes, reduction, ignoreIndex, weight };
}

/**
 * The class indices of an NLL target: a Tensor shaped like the input without the class axis, or class indices
 * (Int32Array, Uint8Array, ..., number[], number), each in [0, classes) or ignoreIndex.
 */
export function classIndexTarget(
  fn: string,
  target: unknown,
  shape: readonly number[],
  setup: ClassLossSetup,
): Int32Array {
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
  return toClassIndices(fn, 'target', values, setup.rows, setup.classes, setup.ignoreIndex);
}

/** An elementwise loss's `options.<name>` weights (broadcast over the trailing dims of `shape`), or null. */
export function trailingWeightOption(
  fn: string,
  name: string,
  weight: WeightOption,
  shape: readonly number[],
): FloatArray | null {
  if (weight === undefined || weight === null) return null;
  return checkTrailingWeights(fn, name, weight instanceof Tensor ? weight.data : weight, shape);
}

/** Throws LOSS_SHAPE_MISMATCH unless a target Tensor has the input's shape (`note` ends the message). */
export function checkTargetShape(fn: string, target: Tensor, input: Tensor, note = ''): void {
  if (sameShape(target.shape, input.shape)) return;
  throw new LossError(
    `${fn}: target shape [${target.shape.join(', ')}] must equal input shape [${input.shape.join(', ')}]${note}`,
    'LOSS_SHAPE_MISMATCH',
  );
}

/** The per-sample loss buffer of a plain-array loss: returned to the caller for 'none', reused scratch otherwise. */
export function perSampleBuffer(reduction: Reduction, like: FloatArray, samples: number): FloatArray {
  return reduction === 'none' ? allocLike(like, samples) : scratch(1, samples);
}

/** A plain-array loss's value: the per-sample losses for 'none', else `total` reduced over `denominator`. */
export function arrayLossValue<R extends Reduction>(
  reduction: Reduction,
  perSample: FloatArray,
  total: number,
  denominator: number,
): LossValue<R> {
  return (reduction === 'none' ? perSample : reduceTotal(total, reduction, denominator)) as LossValue<R>;
}

/** An autograd loss's output: the per-sample losses shaped `sampleShape` for 'none', else a scalar. */
export function lossOutput(
  like: FloatArray,
  perSample: FloatArray,
  total: number,
  reduction: Reduction,
  denominator: number,
  sampleShape: readonly number[],
): Tensor {
  if (reduction === 'none') return new Tensor(perSample, sampleShape);
  const out = allocLike(like, 1);
  out[0] = reduceTotal(total, reduction, denominator);
  return new Tensor(out, []);
}

/** Backward's factors from the op's upstream gradient: per-sample gradient = scale · (perSample?.[i] ?? 1). */
export function backwardScale(
  reduction: Reduction,
  denominator: number,
  gradOutput: Tensor,
): { scale: number; perSample: FloatArray | null } {
  if (reduction === 'none') return { scale: 1, perSample: gradOutput.data };
  return { scale: reductionScale(reduction, denominator, gradOutput.data[0]), perSample: null };
}

/** What a plain-array loss without a shape argument (mseLossArray) passes as `shape` to checkArrayLossCall. */
export const NO_SHAPE: unique symbol = Symbol('no shape argument');

/**
 * The first checks of every plain-array loss: the options object, the input array and its shape (whatever the
 * user passed, undefined and null included; NO_SHAPE for a loss that takes no shape).
 */
export function checkArrayLossCall(
  fn: string,
  options: unknown,
  name: string,
  input: unknown,
  shape: readonly number[] | typeof NO_SHAPE,
): void {
  checkOptions(fn, options);
  checkFloatArray(fn, name, input);
  if (shape !== NO_SHAPE) checkShape(fn, name, shape, (input as FloatArray).length);
}

/** The first checks of every autograd loss: the options object, then the input Tensor. */
export function checkLossCall(fn: string, options: unknown, name: string, input: unknown): void {
  checkOptions(fn, options);
  checkTensor(fn, name, input);
}
