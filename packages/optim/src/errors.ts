/**
 * Error codes thrown by @hw3/optim. Every error names the argument, the value it got and what is valid.
 * - `INVALID_HYPERPARAMETER`: a hyperparameter (lr, betas, eps, ...) is out of range or not finite.
 * - `INVALID_ARGUMENT`: a non-hyperparameter argument is wrong (empty parameter list, duplicate parameter, ...).
 * - `LENGTH_MISMATCH`: a gradient's length differs from its parameter's length.
 * - `STATE_MISMATCH`: a state dict does not fit this optimizer (unknown group or parameter, wrong shape).
 * - `NONFINITE_NORM`: gradient clipping met a NaN or infinite total norm with `errorIfNonfinite`.
 */
export type OptimErrorCode =
  | 'INVALID_HYPERPARAMETER'
  | 'INVALID_ARGUMENT'
  | 'LENGTH_MISMATCH'
  | 'STATE_MISMATCH'
  | 'NONFINITE_NORM'
  | 'CONTRACT_FAILED';

/** Base class of every error this package throws. Structurally compatible with @hw3/core's `Hw3Error`. */
export class OptimError extends Error {
  readonly code: OptimErrorCode;
  constructor(code: OptimErrorCode, message: string) {
    super(message);
    this.name = 'OptimError';
    this.code = code;
  }
}

/** Thrown by gradient clipping with `errorIfNonfinite: true` when the total norm is NaN or infinite. */
export class NonFiniteNormError extends OptimError {
  readonly totalNorm: number;
  constructor(totalNorm: number, normType: number, where = 'clipGradNorm') {
    super(
      'NONFINITE_NORM',
      `${where}: the total gradient norm of order ${normType} is ${totalNorm}; expected a finite number. ` +
        'Set errorIfNonfinite: false to clip anyway (the gradients then hold NaN or are scaled by 0).',
    );
    this.name = 'NonFiniteNormError';
    this.totalNorm = totalNorm;
  }
}

/** A valid range of a hyperparameter for `checkHyper`: bounds, open or closed. */
export interface RangeSpec {
  min?: number;
  max?: number;
  /** min is excluded from the valid range */
  minOpen?: boolean;
  /** max is excluded from the valid range */
  maxOpen?: boolean;
}

/** A short description of any value for messages (never throws, unlike String() on null-prototype objects). */
export function describeArg(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object')
    return (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** An options-like argument must be an object (or omitted): OptimError('INVALID_ARGUMENT') naming it otherwise. */
export function checkObjectArg(name: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OptimError('INVALID_ARGUMENT', `${name} must be an object, got ${describeArg(value)}`);
  }
}

/** Shared ranges (constants, so per-step checks allocate nothing). */
export const ANY: RangeSpec = Object.freeze({});
export const NON_NEGATIVE: RangeSpec = Object.freeze({ min: 0 });
export const UNIT_INTERVAL: RangeSpec = Object.freeze({ min: 0, max: 1 });
export const UNIT_HALF_OPEN: RangeSpec = Object.freeze({ min: 0, max: 1, maxOpen: true });

function describeRange(spec: RangeSpec): string {
  const { min, max } = spec;
  if (min !== undefined && max !== undefined) {
    return `a number in ${spec.minOpen ? '(' : '['}${min}, ${max}${spec.maxOpen ? ')' : ']'}`;
  }
  if (min !== undefined) return `a finite number ${spec.minOpen ? '>' : '>='} ${min}`;
  if (max !== undefined) return `a finite number ${spec.maxOpen ? '<' : '<='} ${max}`;
  return 'a finite number';
}

/**
 * Checks `value` is a finite number inside `spec`; throws OptimError(`INVALID_HYPERPARAMETER`) naming `name`
 * (prefixed by `prefix`, e.g. `Adam: paramGroups[0].` + `beta1`; joined only when throwing, so checks in a
 * training step allocate nothing), the value and the valid range otherwise. Returns the value.
 */
export function checkHyper(name: string, value: unknown, spec: RangeSpec = ANY, prefix = ''): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (spec.min !== undefined && (spec.minOpen ? value <= spec.min : value < spec.min)) ||
    (spec.max !== undefined && (spec.maxOpen ? value >= spec.max : value > spec.max))
  ) {
    const shown = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
    throw new OptimError(
      'INVALID_HYPERPARAMETER',
      `${prefix}${name} = ${shown} is invalid; expected ${describeRange(spec)}`,
    );
  }
  return value;
}
