import { Hw3Error } from '@hw3/core';

/** Machine-readable reasons of a {@link LossError}. */
export type LossErrorCode =
  /** An array or tensor has the wrong shape or length (logits vs target, weight vs classes, ...). */
  | 'LOSS_SHAPE_MISMATCH'
  /** A class index is not an integer. */
  | 'LOSS_NON_INTEGER_TARGET'
  /** A class index is outside [0, classes) and is not ignoreIndex. */
  | 'LOSS_TARGET_OUT_OF_RANGE'
  /** A probability target is negative / NaN, or a row does not sum to 1 within tolerance. */
  | 'LOSS_INVALID_PROBABILITIES'
  /** An option (reduction, labelSmoothing, ignoreIndex, axis, weight value, ...) is invalid. */
  | 'LOSS_INVALID_OPTION'
  /** An array or tensor has an unsupported element type (not Float32Array / Float64Array). */
  | 'LOSS_INVALID_DTYPE';

/**
 * Every input error of @hw3/losses. Extends @hw3/core's `Hw3Error`, so `err instanceof Hw3Error` and
 * `err.code` work as for the rest of hw3. The message names the function, the argument, its value and
 * what would be valid.
 */
export class LossError extends Hw3Error {
  declare readonly code: LossErrorCode;
  constructor(message: string, code: LossErrorCode) {
    super(message, code);
  }
}
