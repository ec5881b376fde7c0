/// <reference types="node" />
/**
 * Node only: the WebAssembly SIMD kernels on two threads (the main thread plus one worker_threads worker) sharing
 * one WebAssembly memory (a SharedArrayBuffer). Calls stay synchronous: the main thread posts a command through a
 * shared Int32Array, does its half, and waits for the worker (polling briefly, then Atomics.wait). The worker starts
 * asynchronously; until it is ready (`await kernels.ready()`), and after `dispose()`, everything runs on the calling
 * thread. Results are bit-identical to `createWasmKernels()`. The protocol is shared with the browser build in
 * threaded-kernels.ts and each kernel's split lives with its glue (src/kernels/README.md, "Two threads"); this file
 * only starts and stops the worker.
 */
import { Worker } from 'node:worker_threads';
import {
  instantiateShared,
  type SharedWasm,
  type ThreadedKernels,
  TwoThreadWasmKernels,
  workerServeSource,
} from './threaded-kernels';
import type { WasmVariant } from './wasm-kernels';

export type { ThreadedKernels } from './threaded-kernels';

// The worker: instantiates the same module on the shared memory, then serves commands until OP_EXIT.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, control, packedA, packedB, edge } = workerData;
const e = new WebAssembly.Instance(module, { env: { memory } }).exports;
e.setEdgeScratch(edge);
const c = new Int32Array(control);
${workerServeSource("parentPort.postMessage('ready');")}`;

/** WasmKernels whose GEMM and conv2d forward/backward-input also run on one worker thread. */
export class ThreadedWasmKernels extends TwoThreadWasmKernels {
  private readonly worker: Worker;
  protected readonly readyPromise: Promise<boolean>;
  protected readonly workerName = 'wasm worker';
  protected readonly disabledName = 'worker threads';

  private constructor(shared: SharedWasm) {
    super(shared);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Plain CommonJS needing no loader: inherit no flags (--input-type=module would make it ESM; V8 flags such
      // as --experimental-wasm-relaxed-simd are rejected in execArgv but apply process-wide anyway).
      execArgv: [],
      workerData: this.workerInit(),
    });
    // The worker starts while the event loop runs (blocking here could deadlock: Node may need this thread to
    // start it). Until it is ready, calls run on this thread; await ready() to be sure both threads are used.
    this.readyPromise = new Promise<boolean>((resolve) => {
      this.worker.once('message', () => {
        this.worker.unref(); // ready: the idle worker must not keep the process alive
        resolve(true);
      });
      this.worker.once('error', () => {
        this.disposed = true;
        resolve(false);
      });
    });
  }

  /** Creates the kernels, or null when shared WebAssembly memory or the worker is unavailable. */
  static create(variant: WasmVariant = 'auto'): ThreadedWasmKernels | null {
    return instantiateShared(variant, (shared) => new ThreadedWasmKernels(shared));
  }

  /** Stops the worker (dispose() posts OP_EXIT first). */
  protected terminateWorker(): void {
    void this.worker.terminate();
  }
}

/**
 * The WebAssembly SIMD kernels on two threads (Node only), or null when unavailable: keep `createWasmKernels()`
 * or the TypeScript kernels then. Results are identical to the one-thread kernels. The worker starts
 * asynchronously: calls made before `await kernels.ready()` run on the calling thread. `dispose()` stops the worker
 * (it does not keep the process alive anyway).
 */
export function createThreadedWasmKernels(variant: WasmVariant = 'auto'): ThreadedKernels | null {
  return ThreadedWasmKernels.create(variant);
}
