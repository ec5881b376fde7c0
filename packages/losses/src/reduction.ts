import { LossError } from './loss-error.js';
import type { FloatArray, Reduction } from './types.js';
import { describe } from './validate.js';

/** The loss value type for a reduction: a number for 'mean' / 'sum', per-sample values for 'none'. */
export type LossValue<R extends Reduction> = R extends 'none' ? FloatArray : number;

export function checkReduction(fn: string, reduction: unknown): Reduction {
  if (reduction === 'mean' || reduction === 'sum' || reduction === 'none') return reduction;
  throw new LossError(
    `${fn}: options.reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`,
    'LOSS_INVALID_OPTION',
  );
}

/**
 * Reduces per-sample losses. 'mean' divides the sum by `denominator` (count or weight sum);
 * a zero denominator (every target ignored, or zero total weight) gives 0, where PyTorch gives NaN.
 */
export function reduceTotal(total: number, reduction: 'mean' | 'sum', denominator: number): number {
  if (reduction === 'sum') return total;
  return denominator === 0 ? 0 : total / denominator;
}

/** Factor multiplying each per-sample gradient for the reduction, given the upstream scalar gradient. */
export function reductionScale(reduction: Reduction, denominator: number, upstream: number): number {
  if (reduction === 'mean') return denominator === 0 ? 0 : upstream / denominator;
  return upstream;
}

export function sumOf(values: FloatArray): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

/** Upstream gradient of a plain-array loss: a number, or (reduction 'none') one value per sample. */
export type GradOutput = number | FloatArray;

/**
 * Resolves `gradOutput` (default 1) of a plain-array loss into (scale, perSample) for a backward kernel:
 * per-sample gradient factor = scale · (perSample ? perSample[i] : 1).
 */
export function upstreamScale(
  fn: string,
  reduction: Reduction,
  gradOutput: GradOutput | undefined,
  samples: number,
  denominator: number,
): { scale: number; perSample: FloatArray | null } {
  if (gradOutput === undefined) return { scale: reductionScale(reduction, denominator, 1), perSample: null };
  if (typeof gradOutput === 'number') {
    if (!Number.isFinite(gradOutput)) {
      throw new LossError(
        `${fn}: options.gradOutput must be finite, got ${gradOutput}`,
        'LOSS_INVALID_OPTION',
      );
    }
    return { scale: reductionScale(reduction, denominator, gradOutput), perSample: null };
  }
  if (reduction === 'none' && (gradOutput instanceof Float32Array || gradOutput instanceof Float64Array)) {
    if (gradOutput.length !== samples) {
      throw new LossError(
        `${fn}: options.gradOutput has length ${gradOutput.length}; with reduction 'none' it needs one value per sample (${samples})`,
        'LOSS_SHAPE_MISMATCH',
      );
    }
    return { scale: 1, perSample: gradOutput };
  }
  throw new LossError(
    `${fn}: options.gradOutput must be a number${reduction === 'none' ? ' or a Float32Array/Float64Array with one value per sample' : ` for reduction '${reduction}'`}, got ${describe(gradOutput)}`,
    'LOSS_INVALID_OPTION',
  );
}

const scratchBuffers: Float64Array[] = [new Float64Array(0), new Float64Array(0)];

/**
 * Reusable float64 scratch space for the plain-array losses (which run synchronously and never keep it),
 * so a training loop that passes `options.grad` allocates nothing per step. Grows on demand.
 */
export function scratch(slot: 0 | 1, length: number): Float64Array {
  let buffer = scratchBuffers[slot];
  if (buffer.length < length) {
    buffer = new Float64Array(Math.max(length, 2 * buffer.length));
    scratchBuffers[slot] = buffer;
  }
  return buffer.length === length ? buffer : buffer.subarray(0, length);
}

/** The options argument of a loss must be an object (or omitted): a LossError naming it, not a TypeError. */
export function checkOptions(fn: string, options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new LossError(`${fn}: options must be an object, got ${describe(options)}`, 'LOSS_INVALID_OPTION');
  }
}

/** The gradient output of a plain-array loss: `options.grad` when given (checked), else a new array. */
export function gradBuffer(fn: string, given: FloatArray | undefined, like: FloatArray): FloatArray {
  if (given === undefined)
    return like instanceof Float32Array ? new Float32Array(like.length) : new Float64Array(like.length);
  if (
    typeof given !== 'object' ||
    given === null ||
    given.constructor !== like.constructor ||
    given.length !== like.length
  ) {
    throw new LossError(
      `${fn}: options.grad must be a ${like.constructor.name} of length ${like.length} (like the input), got ${describe(given)}${typeof given === 'object' && given !== null ? ` of length ${given.length}` : ''}`,
      'LOSS_SHAPE_MISMATCH',
    );
  }
  return given;
}
