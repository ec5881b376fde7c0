/**
 * The CLI's kernels: `@hw3/core`'s WebAssembly kernels on one thread, or on two (`@hw3/core/threads`: this thread
 * plus one worker thread sharing the WebAssembly memory, bitwise the same results as one thread).
 */
import { getKernels, setKernels } from '@hw3/core';
import { createThreadedWasmKernels } from '@hw3/core/threads';

export interface KernelChoice {
  /** The kernels' name, e.g. 'wasm-relaxed-simd' or 'wasm-relaxed-simd-2threads'. */
  readonly name: string;
  readonly threads: 1 | 2;
  /** Why fewer threads than asked for are used (null when as asked). */
  readonly note: string | null;
  /** Puts the previous kernels back and stops the worker thread (if any). */
  restore(): void;
}

/**
 * Selects the kernels for a run: `requested` 1 keeps the one-thread kernels; 2 or null (= as many as available)
 * start the two-thread kernels and wait until the worker runs. Falls back to one thread when the two-thread
 * kernels are unavailable (no shared WebAssembly memory or worker) or their worker fails to start.
 */
/** A worker that has not started after this long is given up (one thread). */
const READY_TIMEOUT_MS = 10_000;

/** ready(), but false after `ms` (a worker that never starts must not hang the CLI). */
async function readyWithin(kernels: { ready(): Promise<boolean> }, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([kernels.ready(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function selectKernels(requested: 1 | 2 | null): Promise<KernelChoice> {
  const previous = getKernels();
  const single = (note: string | null): KernelChoice => ({
    name: previous.name,
    threads: 1,
    note,
    restore() {},
  });
  if (requested === 1) return single(null);
  const threaded = createThreadedWasmKernels();
  if (threaded === null || !(await readyWithin(threaded, READY_TIMEOUT_MS)) || !threaded.parallel) {
    threaded?.dispose();
    return single(
      requested === 2
        ? '--threads 2: the two-thread kernels are not available here (no shared WebAssembly memory, or the worker thread did not start); using one thread'
        : null,
    );
  }
  setKernels(threaded);
  return {
    name: threaded.name,
    threads: 2,
    note: null,
    restore() {
      setKernels(previous);
      threaded.dispose();
    },
  };
}
