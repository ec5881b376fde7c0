/**
 * `@hw3/core/threads` in browsers ("browser" export condition): the WebAssembly SIMD kernels on two threads, the
 * calling Web Worker plus a nested Web Worker sharing the WebAssembly memory. Needs a cross-origin isolated page
 * (served with `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`) and
 * must be called in a Web Worker (the page's main thread may not block in Atomics.wait); elsewhere
 * `createThreadedWasmKernels()` returns null. Same exports as the Node build (threads.node.ts).
 *
 * ```ts
 * // in a Web Worker
 * import { setKernels } from '@hw3/core';
 * import { createThreadedWasmKernels } from '@hw3/core/threads';
 * const kernels = createThreadedWasmKernels();
 * if (kernels && (await kernels.ready())) setKernels(kernels); // identical results to the one-thread kernels
 * ```
 */
export {
  createThreadedWasmKernels,
  type ThreadedKernels,
  ThreadedWasmKernels,
} from './kernels/wasm/threads.browser.js';
