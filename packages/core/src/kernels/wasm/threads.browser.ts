/**
 * Browsers: the WebAssembly SIMD kernels on two threads, the calling Web Worker plus one nested Web Worker that it
 * starts, sharing one WebAssembly memory (a SharedArrayBuffer). The same protocol and work split as the Node build,
 * shared with it in threaded-kernels.ts: calls stay synchronous, the calling thread posts a command through a shared
 * Int32Array, does its half, and waits for the helper (polling briefly, then Atomics.wait); every output element is
 * computed with the one-thread reduction order, so results are bit-identical to `createWasmKernels()` (the split of
 * each kernel is in src/kernels/README.md, "Two threads"). This file only starts the helper (a classic worker from a
 * Blob URL) and stops it.
 *
 * Only where the platform allows it: the page must be cross-origin isolated (`crossOriginIsolated === true`,
 * i.e. served with `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`)
 * so that SharedArrayBuffer and shared WebAssembly memory exist, and the caller must be a Web Worker (Atomics.wait
 * is not allowed on a page's main thread). Otherwise `create()` returns null: use `createWasmKernels()`.
 * The helper starts asynchronously: until `await kernels.ready()` resolves to true, and after `dispose()`, every
 * call runs on the calling thread. If the helper does not start within READY_TIMEOUT_MS, ready() resolves false.
 */
import {
  instantiateShared,
  type SharedWasm,
  type ThreadedKernels,
  TwoThreadWasmKernels,
  workerServeSource,
} from './threaded-kernels';
import type { WasmVariant } from './wasm-kernels';

export type { ThreadedKernels } from './threaded-kernels';

/** ready() gives up (false: one thread) when the helper has not started after this long. */
const READY_TIMEOUT_MS = 15_000;

/** Messages from the helper worker to the calling thread. */
type HelperMessage = { ready: true } | { ready: false; message: string };

// The helper (a classic worker script from a Blob URL, so nothing is fetched and no bundler is involved):
// receives the module and the shared memory once, instantiates the module on it, then serves commands until
// OP_EXIT. A message that cannot be deserialized (no shared memory here) is reported instead of ignored.
const WORKER_SOURCE = `'use strict';
self.onmessageerror = () => {
  self.postMessage({ ready: false, message: 'could not receive the shared WebAssembly memory' });
  self.close();
};
self.onmessage = (event) => {
  self.onmessage = null;
  const { module, memory, control, packedA, packedB, edge } = event.data;
  let e;
  try {
    e = new WebAssembly.Instance(module, { env: { memory } }).exports;
    e.setEdgeScratch(edge);
  } catch (error) {
    self.postMessage({ ready: false, message: String(error) });
    self.close();
    return;
  }
  const c = new Int32Array(control);
${workerServeSource('self.postMessage({ ready: true });')}
  self.close();
};
`;

/**
 * Why two threads cannot be used in this context, or null when they can: a cross-origin isolated Web Worker with
 * SharedArrayBuffer, Atomics.wait, nested workers and Blob URLs.
 */
export function threadsUnavailableReason(): string | null {
  const g = globalThis as {
    crossOriginIsolated?: boolean;
    document?: unknown;
    Worker?: unknown;
    Blob?: unknown;
    URL?: { createObjectURL?: unknown };
  };
  if (typeof SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is not available';
  if (g.crossOriginIsolated !== true) {
    return 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)';
  }
  if (g.document !== undefined)
    return 'Atomics.wait is not allowed on the main thread: call this in a Web Worker';
  if (typeof Atomics !== 'object' || typeof Atomics.wait !== 'function')
    return 'Atomics.wait is not available';
  if (typeof g.Worker !== 'function') return 'this worker cannot start workers (no nested Worker)';
  if (typeof g.Blob !== 'function' || typeof g.URL?.createObjectURL !== 'function') {
    return 'Blob URLs are not available';
  }
  return null;
}

/** WasmKernels whose GEMM and conv2d forward/backward-input also run on one nested Web Worker. */
export class ThreadedWasmKernels extends TwoThreadWasmKernels {
  private readonly worker: Worker;
  protected readonly readyPromise: Promise<boolean>;
  protected readonly workerName = 'wasm helper worker';
  protected readonly disabledName = 'two-thread kernels';

  private constructor(shared: SharedWasm) {
    super(shared);
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    this.worker = new Worker(url, { name: 'hw3-wasm-kernels' });
    // The helper starts while this thread's event loop runs: never block before it is ready.
    this.readyPromise = new Promise<boolean>((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        URL.revokeObjectURL(url);
        this.worker.onmessage = null;
        this.worker.onerror = null;
        if (!ok) this.dispose();
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), READY_TIMEOUT_MS);
      this.worker.onmessage = (event: MessageEvent<HelperMessage>) => finish(event.data.ready === true);
      this.worker.onerror = (event) => {
        event.preventDefault();
        finish(false);
      };
    });
    this.worker.postMessage(this.workerInit());
  }

  /** Creates the kernels, or null where two threads are unavailable (see threadsUnavailableReason()). */
  static create(variant: WasmVariant = 'auto'): ThreadedWasmKernels | null {
    if (threadsUnavailableReason() !== null) return null;
    return instantiateShared(variant, (shared) => new ThreadedWasmKernels(shared));
  }

  /** Stops the helper worker (dispose() posts OP_EXIT first). */
  protected terminateWorker(): void {
    this.worker.terminate();
  }
}

/**
 * The WebAssembly SIMD kernels on two threads (in a cross-origin isolated Web Worker), or null when unavailable:
 * keep `createWasmKernels()` or the TypeScript kernels then. Results are identical to the one-thread kernels.
 * The helper starts asynchronously: calls made before `await kernels.ready()` run on the calling thread.
 */
export function createThreadedWasmKernels(variant: WasmVariant = 'auto'): ThreadedKernels | null {
  return ThreadedWasmKernels.create(variant);
}
