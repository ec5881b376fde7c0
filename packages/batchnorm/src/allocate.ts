import { allocateOutputLike } from '@hw3/core/kernels';
import type { FloatArray } from './channel-blocks';

/**
 * A new array of `like`'s element type for an output the kernels overwrite entirely (y, dx), by @hw3/core's rule for
 * op outputs (`allocateOutputLike`): inside `tidy` with a WebAssembly kernel set, in that set's memory (released with
 * the scope); else not zero-filled where the engine allows it (Node), which is most of the cost of a fresh
 * multi-megabyte array; zero-filled elsewhere.
 */
export function outputLike(like: FloatArray, length: number): FloatArray {
  return allocateOutputLike(like, length);
}
