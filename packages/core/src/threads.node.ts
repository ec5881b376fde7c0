/**
 * `@hw3/core/threads` (Node only, "node" export condition): the WebAssembly SIMD kernels on two threads.
 *
 * ```ts
 * import { setKernels } from '@hw3/core';
 * import { createThreadedWasmKernels } from '@hw3/core/threads';
 * const kernels = createThreadedWasmKernels();
 * if (kernels) {
 *   await kernels.ready(); // the worker starts asynchronously; until then calls run on one thread
 *   setKernels(kernels); // results are identical to the one-thread wasm kernels
 * }
 * ```
 */
export {
  createThreadedWasmKernels,
  type ThreadedKernels,
  ThreadedWasmKernels,
} from './kernels/wasm/threads.node.js';
