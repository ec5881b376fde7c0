import { allocate, checkDType, type DType, dtypeOf, type FloatArray } from './dtype';
import { describeValue, ValueError } from './errors';
import { defaultRng, Rng } from './rng';
import { shapeError } from './shape-error';
import { checkShape, fmtShape, shapeSize } from './shape-utils';
import { type NestedArray, Tensor } from './tensor';

/** Options of the tensor creation functions (`zeros`, `ones`, `full`, ...). */
export interface CreationOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Options of `tensor`: the creation options plus a shape for flat input. */
export interface TensorFromValuesOptions extends CreationOptions {
  /** Shape for flat input (number[] or typed array); defaults to the inferred shape. */
  shape?: readonly number[];
}

/**
 * A new tensor from a number (0-d), (nested) arrays of numbers, or a typed array. Always copies.
 * Default dtype: float32, or the typed array's own dtype.
 */
export function tensor(values: NestedArray | FloatArray, options?: TensorFromValuesOptions): Tensor {
  let dtype: DType;
  let data: FloatArray;
  let inferred: number[];
  if (values instanceof Float32Array || values instanceof Float64Array) {
    dtype = options?.dtype === undefined ? dtypeOf(values) : checkDType(options.dtype);
    data = allocate(dtype, values.length);
    data.set(values);
    inferred = [values.length];
  } else {
    dtype = options?.dtype === undefined ? 'float32' : checkDType(options.dtype);
    inferred = inferShape(values);
    data = allocate(dtype, shapeSize(inferred));
    let pos = 0;
    const fill = (v: NestedArray, path: string): void => {
      if (typeof v === 'number') {
        data[pos++] = v;
        return;
      }
      for (let i = 0; i < v.length; i++) fill(v[i], `${path}[${i}]`);
    };
    fill(values, 'values');
  }
  let shape: readonly number[] = inferred;
  if (options?.shape !== undefined) {
    shape = checkShape(options.shape, 'options.shape');
    if (shapeSize(shape) !== data.length) {
      throw shapeError(
        'shape-mismatch',
        `tensor: options.shape ${fmtShape(shape)} holds ${shapeSize(shape)} elements but values has ${data.length}`,
      );
    }
  }
  return new Tensor(data, shape, { requiresGrad: options?.requiresGrad });
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  // Validate that the nesting is rectangular and every leaf is a number.
  const check = (x: NestedArray, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (typeof x !== 'number') {
        throw new ValueError(
          `tensor: ${path} must be a number (ragged nesting?), got ${Array.isArray(x) ? 'an array' : typeof x}`,
          'INVALID_VALUES',
        );
      }
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new ValueError(
        `tensor: ${path} must be an array of length ${shape[dim]} (rectangular nesting), got ${Array.isArray(x) ? `length ${x.length}` : typeof x}`,
        'INVALID_VALUES',
      );
    }
    for (let i = 0; i < x.length; i++) check(x[i], dim + 1, `${path}[${i}]`);
  };
  check(values, 0, 'values');
  return shape;
}

function make(shape: readonly number[], options: CreationOptions | undefined, fnName: string): Tensor {
  const s = checkShape(shape, `${fnName}: shape`);
  const dtype =
    options?.dtype === undefined ? 'float32' : checkDType(options.dtype, `${fnName}: options.dtype`);
  return new Tensor(allocate(dtype, shapeSize(s)), s, { requiresGrad: options?.requiresGrad });
}

/** A new tensor of the given shape filled with 0 (default dtype float32). */
export function zeros(shape: readonly number[], options?: CreationOptions): Tensor {
  return make(shape, options, 'zeros');
}

/** A new tensor of the given shape filled with 1 (default dtype float32). */
export function ones(shape: readonly number[], options?: CreationOptions): Tensor {
  const t = make(shape, options, 'ones');
  t.data.fill(1);
  return t;
}

/** A new tensor of the given shape filled with `value` (default dtype float32). */
export function full(shape: readonly number[], value: number, options?: CreationOptions): Tensor {
  if (typeof value !== 'number') {
    throw new ValueError(`full: value must be a number, got ${typeof value}`, 'INVALID_VALUE');
  }
  const t = make(shape, options, 'full');
  t.data.fill(value);
  return t;
}

function checkLike(t: unknown, fnName: string): Tensor {
  if (!(t instanceof Tensor))
    throw new ValueError(`${fnName}: t must be a Tensor, got ${describeValue(t)}`, 'INVALID_INPUT');
  return t;
}

/** A new tensor of 0s with the shape (and, unless given, the dtype) of `t`. */
export function zerosLike(t: Tensor, options?: CreationOptions): Tensor {
  checkLike(t, 'zerosLike');
  return zeros(t.shape, { dtype: options?.dtype ?? t.dtype, requiresGrad: options?.requiresGrad });
}

/** A new tensor of 1s with the shape (and, unless given, the dtype) of `t`. */
export function onesLike(t: Tensor, options?: CreationOptions): Tensor {
  checkLike(t, 'onesLike');
  return ones(t.shape, { dtype: options?.dtype ?? t.dtype, requiresGrad: options?.requiresGrad });
}

/**
 * Options of the random creation functions (`uniform`, `normal`, ...): the creation options plus the generator.
 */
export interface RandomOptions extends CreationOptions {
  /** The generator; defaults to the module-level default (see `manualSeed`). */
  rng?: Rng;
}

function pickRng(options: RandomOptions | undefined, fnName: string): Rng {
  const rng = options?.rng ?? defaultRng();
  if (!(rng instanceof Rng)) throw new ValueError(`${fnName}: options.rng must be an Rng`, 'INVALID_RNG');
  return rng;
}

/** Values drawn uniformly from [low, high). */
export function uniform(
  shape: readonly number[],
  low: number,
  high: number,
  options?: RandomOptions,
): Tensor {
  if (!Number.isFinite(low) || !Number.isFinite(high) || low > high) {
    throw new ValueError(`uniform: need finite low <= high, got low=${low}, high=${high}`, 'INVALID_RANGE');
  }
  const rng = pickRng(options, 'uniform');
  const t = make(shape, options, 'uniform');
  const d = t.data;
  const span = high - low;
  for (let i = 0; i < d.length; i++) d[i] = low + span * rng.next();
  return t;
}

/** Values drawn from Normal(mean, std). */
export function normal(shape: readonly number[], mean: number, std: number, options?: RandomOptions): Tensor {
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
    throw new ValueError(
      `normal: need finite mean and std >= 0, got mean=${mean}, std=${std}`,
      'INVALID_RANGE',
    );
  }
  const rng = pickRng(options, 'normal');
  const t = make(shape, options, 'normal');
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = rng.normal(mean, std);
  return t;
}
