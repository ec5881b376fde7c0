/** Input checks shared by every loss. All throw LossError naming function, argument, value and valid range. */
import { Tensor } from '@hw3/core';
import { LossError } from './loss-error.js';
import type { FloatArray } from './types.js';

/**
 * Class indices, one per row: an integer typed array (Int32Array is used without copying; Uint8Array labels,
 * e.g. MNIST's, work too) or a number[]. A single number is accepted for a 1-d (one-sample) input.
 */
export type ClassIndices =
  | Int32Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | readonly number[]
  | number;

/** Is `x` an integer typed array or number[] / number (class indices)? */
export function isClassIndices(x: unknown): x is ClassIndices {
  return (
    typeof x === 'number' ||
    Array.isArray(x) ||
    x instanceof Int32Array ||
    x instanceof Uint8Array ||
    x instanceof Int8Array ||
    x instanceof Uint16Array ||
    x instanceof Int16Array ||
    x instanceof Uint32Array
  );
}

export function isFloatArray(x: unknown): x is FloatArray {
  return x instanceof Float32Array || x instanceof Float64Array;
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`;
  if (typeof x === 'number') return String(x);
  if (typeof x === 'string') return JSON.stringify(x);
  return `${typeof x} ${String(x)}`;
}

export function checkFloatArray(fn: string, name: string, x: unknown): FloatArray {
  if (isFloatArray(x)) return x;
  throw new LossError(
    `${fn}: ${name} must be a Float32Array or Float64Array, got ${describe(x)}`,
    'LOSS_INVALID_DTYPE',
  );
}

/** Checks `shape` (non-negative integers) against an array length; returns the product. */
export function checkShape(fn: string, name: string, shape: readonly number[], length: number): number {
  if (!Array.isArray(shape)) {
    throw new LossError(
      `${fn}: ${name} shape must be an array of integers, got ${describe(shape)}`,
      'LOSS_SHAPE_MISMATCH',
    );
  }
  let size = 1;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d];
    if (!Number.isInteger(n) || n < 0) {
      throw new LossError(
        `${fn}: ${name} shape [${shape.join(', ')}] has dimension ${d} = ${n}; dimensions must be integers >= 0`,
        'LOSS_SHAPE_MISMATCH',
      );
    }
    size *= n;
  }
  if (size !== length) {
    throw new LossError(
      `${fn}: ${name} shape [${shape.join(', ')}] holds ${size} elements but the array has ${length}`,
      'LOSS_SHAPE_MISMATCH',
    );
  }
  return size;
}

/** [..., C] → rows = product of the leading dims (1 for a 1-d input), classes = C >= 1. */
export function splitClasses(
  fn: string,
  name: string,
  shape: readonly number[],
): { rows: number; classes: number } {
  if (shape.length < 1) {
    throw new LossError(
      `${fn}: ${name} must have at least 1 dimension ([C] or [..., C], classes last), got shape []`,
      'LOSS_SHAPE_MISMATCH',
    );
  }
  const classes = shape[shape.length - 1];
  if (classes < 1) {
    throw new LossError(
      `${fn}: ${name} shape [${shape.join(', ')}] has ${classes} classes on its last axis; need at least 1`,
      'LOSS_SHAPE_MISMATCH',
    );
  }
  let rows = 1;
  for (let d = 0; d < shape.length - 1; d++) rows *= shape[d];
  return { rows, classes };
}

export function checkIgnoreIndex(fn: string, ignoreIndex: unknown): number {
  if (typeof ignoreIndex === 'number' && Number.isInteger(ignoreIndex)) return ignoreIndex;
  throw new LossError(
    `${fn}: options.ignoreIndex must be an integer (default -100), got ${describe(ignoreIndex)}`,
    'LOSS_INVALID_OPTION',
  );
}

export function checkLabelSmoothing(fn: string, labelSmoothing: unknown): number {
  if (typeof labelSmoothing === 'number' && labelSmoothing >= 0 && labelSmoothing <= 1) return labelSmoothing;
  throw new LossError(
    `${fn}: options.labelSmoothing must be a number in [0, 1], got ${describe(labelSmoothing)}`,
    'LOSS_INVALID_OPTION',
  );
}

/**
 * Class indices → Int32Array of length rows. Each must be an integer in [0, classes) or equal ignoreIndex.
 * `values` may hold floats (a tensor's data); they must be integer-valued.
 */
export function toClassIndices(
  fn: string,
  name: string,
  target: ArrayLike<number> | number,
  rows: number,
  classes: number,
  ignoreIndex: number | null,
): Int32Array {
  const values: ArrayLike<number> = typeof target === 'number' ? [target] : target;
  if (values.length !== rows) {
    throw new LossError(
      `${fn}: ${name} has ${values.length} class indices but the input has ${rows} rows (one index per row)`,
      'LOSS_SHAPE_MISMATCH',
    );
  }
  const out = values instanceof Int32Array ? values : new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const t = values[i];
    if (!Number.isInteger(t)) {
      throw new LossError(
        `${fn}: ${name}[${i}] = ${t} is not an integer class index; valid: integers in [0, ${classes})`,
        'LOSS_NON_INTEGER_TARGET',
      );
    }
    if (t === ignoreIndex) {
      if (out !== values) out[i] = t;
      continue;
    }
    if (t < 0 || t >= classes) {
      const ignore = ignoreIndex === null ? '' : ` or ignoreIndex (${ignoreIndex})`;
      throw new LossError(
        `${fn}: ${name}[${i}] = ${t} is out of range; valid class indices are integers in [0, ${classes})${ignore}`,
        'LOSS_TARGET_OUT_OF_RANGE',
      );
    }
    if (out !== values) out[i] = t;
  }
  return out;
}

/**
 * Row-sum tolerance for probability targets: 1e-3 when the logits or the targets are float32, else 1e-5
 * (loose enough for a float64 finite-difference gradcheck with eps = 1e-6 to perturb the targets).
 */
export function probabilityTolerance(logits: FloatArray, probabilities: FloatArray): number {
  return logits instanceof Float32Array || probabilities instanceof Float32Array ? 1e-3 : 1e-5;
}

/** Every entry >= 0 (and not NaN), every row sums to 1 within `tolerance`. */
export function checkProbabilities(
  fn: string,
  name: string,
  y: FloatArray,
  rows: number,
  classes: number,
  tolerance: number,
): void {
  for (let i = 0; i < rows; i++) {
    const base = i * classes;
    let total = 0;
    for (let c = 0; c < classes; c++) {
      const v = y[base + c];
      if (!(v >= 0 && v <= 1 + tolerance)) {
        throw new LossError(
          `${fn}: ${name}[${i}, ${c}] = ${v} is not a probability; valid: numbers in [0, 1], each row summing to 1`,
          'LOSS_INVALID_PROBABILITIES',
        );
      }
      total += v;
    }
    if (Math.abs(total - 1) > tolerance) {
      throw new LossError(
        `${fn}: ${name} row ${i} sums to ${total}; probability rows must sum to 1 (tolerance ${tolerance})`,
        'LOSS_INVALID_PROBABILITIES',
      );
    }
  }
}

/** A flat float array (FloatArray or number[] / nested number[][]) of exactly `length` entries. */
export function toFloatValues(fn: string, name: string, values: unknown, length: number): FloatArray {
  let out: FloatArray;
  if (isFloatArray(values)) out = values;
  else if (Array.isArray(values)) out = Float64Array.from(values.flat(Number.POSITIVE_INFINITY) as number[]);
  else {
    throw new LossError(
      `${fn}: ${name} must be a Float32Array, Float64Array or array of numbers, got ${describe(values)}`,
      'LOSS_INVALID_DTYPE',
    );
  }
  if (out.length !== length) {
    throw new LossError(
      `${fn}: ${name} has ${out.length} entries but ${length} are needed`,
      'LOSS_SHAPE_MISMATCH',
    );
  }
  return out;
}

/** Weights: finite numbers, `length` of them (e.g. one per class). */
export function checkWeights(
  fn: string,
  name: string,
  values: unknown,
  length: number,
  what: string,
): FloatArray {
  if (!isFloatArray(values) && !Array.isArray(values)) {
    throw new LossError(
      `${fn}: ${name} must be a Float32Array, Float64Array or number[] with ${what}, got ${describe(values)}`,
      'LOSS_INVALID_DTYPE',
    );
  }
  if (values.length !== length) {
    throw new LossError(
      `${fn}: ${name} has length ${values.length}; it must have ${what} (${length})`,
      'LOSS_SHAPE_MISMATCH',
    );
  }
  const out = isFloatArray(values) ? values : Float64Array.from(values as number[]);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      throw new LossError(
        `${fn}: ${name}[${i}] = ${out[i]}; weights must be finite numbers`,
        'LOSS_INVALID_OPTION',
      );
    }
  }
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Allocates a float array of the same element type as `like`. */
export function allocLike(like: FloatArray, length: number): FloatArray {
  return like instanceof Float32Array ? new Float32Array(length) : new Float64Array(length);
}

/**
 * An autograd op keeps targets and weights until backward(); a caller that refills its buffer in between must not
 * change the gradient. Returns a copy of `kept` when it is the caller's memory (`source` itself, or the data of a
 * `source` Tensor), else `kept` (already a fresh array made from number[] or an integer typed array).
 */
export function detachedFrom<T extends FloatArray | Int32Array | null>(kept: T, source: unknown): T {
  if (kept === null) return kept;
  const callerMemory = kept === source || (source instanceof Tensor && kept === source.data);
  return (callerMemory ? kept.slice() : kept) as T;
}

export function checkTensor(fn: string, name: string, x: unknown): Tensor {
  if (x instanceof Tensor) return x;
  throw new LossError(`${fn}: ${name} must be a Tensor, got ${describe(x)}`, 'LOSS_INVALID_DTYPE');
}

/**
 * Weights that broadcast against `shape` over trailing dimensions (NumPy rules with the weight's leading
 * dims dropped): the length must be 1 or the product of the last k dims for some k. Returns the values.
 */
export function checkTrailingWeights(
  fn: string,
  name: string,
  values: unknown,
  shape: readonly number[],
): FloatArray {
  const length = isFloatArray(values) || Array.isArray(values) ? values.length : -1;
  const valid: number[] = [1];
  let product = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    product *= shape[d];
    if (!valid.includes(product)) valid.push(product);
  }
  if (length >= 0 && !valid.includes(length)) {
    throw new LossError(
      `${fn}: ${name} has length ${length}; it must broadcast over the trailing dims of [${shape.join(', ')}]: valid lengths ${valid.join(', ')}`,
      'LOSS_SHAPE_MISMATCH',
    );
  }
  return checkWeights(fn, name, values, length, 'a broadcastable length');
}
