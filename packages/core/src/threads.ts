/**
 * `@hw3/core/threads` outside Node (browsers, bundlers without the "node" condition): worker-thread kernels are
 * Node-only, so `createThreadedWasmKernels()` returns null here — keep `createWasmKernels()` or the TS kernels.
 * The Node build is threads.node.ts.
 */
import type { Kernels } from './kernels/kernels';

export type ThreadedKernels = Kernels & {
  ready(): Promise<boolean>;
  readonly parallel: boolean;
  dispose(): void;
};

/** Always null outside Node (no worker_threads here); see the "node" build of this entry point. */
export function createThreadedWasmKernels(
  _variant?: 'auto' | 'simd' | 'relaxed-simd',
): ThreadedKernels | null {
  return null;
}
