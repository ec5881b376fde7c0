import { ShapeError, ValueError } from '@hw3/core';
import type { FloatArray } from './channel-blocks';

/** Channels-last layout of a batch-norm input: m rows (positions) × C channels. */
export interface ChannelLayout {
  readonly count: number;
  readonly channels: number;
}

const VALID_LAYOUTS = '[N, C], [N, L, C] or [N, H, W, C] (channels last)';

/**
 * A value for an error message that never throws (String() throws for objects without a prototype, such as
 * Object.create(null), and for symbols): numbers, strings, null/undefined as themselves, objects by class name.
 */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object')
    return (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  return String(value);
}

/** An options argument must be an object; else a ValueError naming it (not a TypeError from reading a field). */
export function checkOptionsObject(argument: string, options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValueError(`${argument} must be an object, got ${describe(options)}`, 'INVALID_OPTIONS');
  }
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.map(describe).join(', ')}]`;
}

/**
 * Checks a channels-last shape of rank 2, 3 or 4 with positive integer sizes and returns m (the product of
 * all but the last dimension) and C (the last dimension).
 */
export function channelLayout(
  argument: string,
  shape: readonly number[],
  validRanks: readonly number[] = [2, 3, 4],
  layouts: string = VALID_LAYOUTS,
): ChannelLayout {
  if (!Array.isArray(shape)) {
    throw new ShapeError(`${argument}: shape must be an array of sizes, got ${describe(shape)}`, {
      code: 'rank-mismatch',
      values: {},
    });
  }
  if (!validRanks.includes(shape.length)) {
    throw new ShapeError(
      `${argument} must have rank ${validRanks.join(' or ')} (${layouts}), got rank ${shape.length} with shape ${formatShape(shape)}`,
      { code: 'rank-mismatch', values: { rank: shape.length } },
    );
  }
  let count = 1;
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d];
    if (!Number.isInteger(size) || size < 1) {
      throw new ShapeError(
        `${argument}: every dimension must be a positive integer, got ${describe(size)} at dimension ${d} of ${formatShape(shape)}`,
        {
          code: 'invalid-size',
          dimension: d,
          values: { size: typeof size === 'number' ? size : Number.NaN },
        },
      );
    }
    if (d < shape.length - 1) count *= size;
  }
  return { count, channels: shape[shape.length - 1] };
}

/**
 * Checks that `array` is a Float32Array / Float64Array of `expected` length. `code` is the ShapeError code of a
 * wrong length: 'channel-mismatch' for per-channel arrays (γ, β, running statistics), 'shape-mismatch' for data.
 */
export function checkLength(
  argument: string,
  array: FloatArray,
  expected: number,
  what: string,
  code: 'channel-mismatch' | 'shape-mismatch' = 'channel-mismatch',
): void {
  if (!(array instanceof Float32Array || array instanceof Float64Array)) {
    throw new ValueError(
      `${argument} must be a Float32Array or Float64Array, got ${Object.prototype.toString.call(array)}`,
      'BATCHNORM_DTYPE',
    );
  }
  if (array.length !== expected) {
    throw new ShapeError(`${argument} must have length ${expected} (${what}), got length ${array.length}`, {
      code,
      values: { expected, length: array.length },
    });
  }
}

export function checkEps(eps: number): void {
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) {
    throw new ValueError(
      `eps must be a finite number > 0 (it keeps 1/√(σ² + ε) finite for constant channels), got ${describe(eps)}`,
      'BATCHNORM_EPS',
    );
  }
}

/** PyTorch refuses to train on one value per channel: the batch variance would be 0/0-like and useless. */
export function checkTrainingCount(argument: string, shape: readonly number[], count: number): void {
  if (count < 2) {
    throw new ValueError(
      `Expected more than 1 value per channel when training, got ${argument} of shape ${formatShape(shape)} (m = ${count} value per channel); use a batch with more than one value per channel or call eval()`,
      'BATCHNORM_SINGLE_VALUE',
    );
  }
}
