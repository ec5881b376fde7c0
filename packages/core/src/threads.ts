/**
 * `@hw3/core/threads` where neither the "node" nor the "browser" export condition applies: no known way to start
 * a second thread, so `createThreadedWasmKernels()` returns null here — keep `createWasmKernels()` or the TS
 * kernels. The Node build is threads.node.ts, the browser build threads.browser.ts.
 */
import type { Kernels } from './kernels/kernels';

export type ThreadedKernels = Kernels & {
  ready(): Promise<boolean>;
  readonly parallel: boolean;
  dispose(): void;
};

/** Always null here; see the "node" and "browser" builds of this entry point. */
export function createThreadedWasmKernels(
  _variant?: 'auto' | 'simd' | 'relaxed-simd',
): ThreadedKernels | null {
  return null;
}
