import { ValueError } from './errors';

/** The element types of a tensor: float32 (the fast paths) or float64 (exact gradchecks). */
export type DType = 'float32' | 'float64';
/** The typed array behind a tensor of either dtype. */
export type FloatArray = Float32Array | Float64Array;

/** The dtype of a typed array; throws a ValueError for anything that is not Float32Array / Float64Array. */
export function dtypeOf(data: unknown, argName = 'data'): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  const got = data === null ? 'null' : typeof data === 'object' ? data.constructor.name : typeof data;
  throw new ValueError(`${argName} must be a Float32Array or Float64Array, got ${got}`, 'INVALID_DTYPE');
}

export function checkDType(dtype: unknown, argName = 'dtype'): DType {
  if (dtype === 'float32' || dtype === 'float64') return dtype;
  throw new ValueError(
    `${argName} must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`,
    'INVALID_DTYPE',
  );
}

/** A new zero-filled array of the given dtype. */
export function allocate(dtype: DType, size: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/** A zero-filled array of the same element type as `like`. */
export function allocateLike(like: FloatArray, size: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(size) : new Float32Array(size);
}
