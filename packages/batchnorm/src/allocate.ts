import type { FloatArray } from './channel-blocks';

type UnsafeAllocator = (bytes: number) => { buffer: ArrayBufferLike; byteOffset: number };
const nodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow?: UnsafeAllocator } }).Buffer;
/** Node's Buffer.allocUnsafeSlow (own ArrayBuffer, not pooled, not zero-filled); null in browsers. */
const allocUnsafe: UnsafeAllocator | null =
  typeof nodeBuffer?.allocUnsafeSlow === 'function' ? nodeBuffer.allocUnsafeSlow.bind(nodeBuffer) : null;

/**
 * A new array of `like`'s element type for an output the kernels overwrite entirely (y, dx): not zero-filled where
 * the engine allows it (Node), which is most of the cost of a fresh multi-megabyte array; zero-filled elsewhere.
 * Same rule as @hw3/core's op outputs.
 */
export function outputLike(like: FloatArray, length: number): FloatArray {
  const f64 = like instanceof Float64Array;
  if (allocUnsafe === null || length < 4096) return f64 ? new Float64Array(length) : new Float32Array(length);
  const bytes = allocUnsafe(length * (f64 ? 8 : 4));
  return f64
    ? new Float64Array(bytes.buffer, bytes.byteOffset, length)
    : new Float32Array(bytes.buffer, bytes.byteOffset, length);
}
