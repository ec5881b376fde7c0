import { ValueError } from './errors';
import { residentF32, residentI32 } from './storage';

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

type UnsafeAllocator = (bytes: number) => { buffer: ArrayBufferLike; byteOffset: number; byteLength: number };
const nodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow?: UnsafeAllocator } }).Buffer;
/** Node's Buffer.allocUnsafeSlow (own ArrayBuffer, not pooled, not zero-filled); null in browsers. */
const allocUnsafe: UnsafeAllocator | null =
  typeof nodeBuffer?.allocUnsafeSlow === 'function' ? nodeBuffer.allocUnsafeSlow.bind(nodeBuffer) : null;
/** Below this many elements zero-filling costs next to nothing. */
const MIN_UNINITIALIZED = 4096;

/**
 * An array of the same element type as `like` whose contents are unspecified: for an op's output that a kernel
 * overwrites entirely (every kernel's contract). Where the engine offers it (Node: `Buffer.allocUnsafeSlow`, its own
 * ArrayBuffer of exactly this size, not pooled) the memory is not zero-filled, which is most of the cost of a fresh
 * multi-megabyte output; elsewhere (browsers) and for small sizes it is `allocateLike`.
 */
export function allocateOutputLike(like: FloatArray, size: number): FloatArray {
  checkLength(size, 'allocateOutputLike');
  const f64 = like instanceof Float64Array;
  if (!f64 && !(like instanceof Float32Array)) dtypeOf(like, 'allocateOutputLike: like');
  try {
    return outputArray(f64, size);
  } catch (e) {
    throw outOfMemory(e, size, 'allocateOutputLike');
  }
}

function outputArray(f64: boolean, size: number): FloatArray {
  if (!f64) {
    // Inside tidy with a WebAssembly kernel set: in its memory, released when the scope ends (storage.ts).
    const resident = residentF32(size);
    if (resident !== null) return resident;
  }
  if (allocUnsafe === null || size < MIN_UNINITIALIZED)
    return f64 ? new Float64Array(size) : new Float32Array(size);
  const bytes = allocUnsafe(size * (f64 ? 8 : 4));
  return f64
    ? new Float64Array(bytes.buffer, bytes.byteOffset, size)
    : new Float32Array(bytes.buffer, bytes.byteOffset, size);
}

/**
 * An Int32Array whose contents are unspecified (a kernel overwrites it entirely: max-pool argmax): inside tidy with
 * a WebAssembly kernel set, in its memory (released with the scope); else a new zero-filled array.
 */
export function allocateIndices(size: number): Int32Array {
  checkLength(size, 'allocateIndices');
  try {
    return residentI32(size) ?? new Int32Array(size);
  } catch (e) {
    throw outOfMemory(e, size, 'allocateIndices');
  }
}

/** Largest typed-array length the allocation helpers accept (2³¹ − 1 elements). */
const MAX_LENGTH = 2 ** 31 - 1;

function checkLength(size: unknown, fnName: string): void {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_LENGTH) {
    throw new ValueError(
      `${fnName}: length must be an integer in [0, ${MAX_LENGTH}], got ${typeof size === 'number' ? size : typeof size}`,
      'INVALID_LENGTH',
    );
  }
}

/** An engine allocation failure (RangeError) as a typed error; anything else unchanged. */
function outOfMemory(e: unknown, size: number, fnName: string): unknown {
  if (!(e instanceof RangeError)) return e;
  return new ValueError(`${fnName}: cannot allocate ${size} elements (${e.message})`, 'OUT_OF_MEMORY');
}
