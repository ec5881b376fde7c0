/**
 * Browsers: the WebAssembly SIMD kernels on two threads, the calling Web Worker plus one nested Web Worker that it
 * starts, sharing one WebAssembly memory (a SharedArrayBuffer). The same protocol as the Node build
 * (threads.node.ts): calls stay synchronous, the calling thread posts a command through a shared Int32Array, does
 * its half, and waits for the helper with Atomics.wait; every output element is computed by one thread with the
 * one-thread reduction order, so results are bit-identical to `createWasmKernels()`:
 * - GEMM: by rows of C; conv2d forward and backward-input: by images of the batch;
 * - conv2d backward-weight, pooling and the elementwise kernels: one thread.
 *
 * Only where the platform allows it: the page must be cross-origin isolated (`crossOriginIsolated === true`,
 * i.e. served with `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`)
 * so that SharedArrayBuffer and shared WebAssembly memory exist, and the caller must be a Web Worker (Atomics.wait
 * is not allowed on a page's main thread). Otherwise `create()` returns null: use `createWasmKernels()`.
 * The helper starts asynchronously: until `await kernels.ready()` resolves to true, and after `dispose()`, every
 * call runs on the calling thread. If the helper does not start within READY_TIMEOUT_MS, ready() resolves false.
 */
import type { Conv2dGeometry, Kernels } from '../kernels';
import { relaxedSimdSharedWasmBase64, simdSharedWasmBase64 } from './kernels.generated';
import { WasmKernels, type WasmVariant } from './wasm-kernels';

/** Control block layout (Int32 slots). */
const REQUEST = 0;
const DONE = 1;
const OP = 2;
const ERROR = 3;
const READY = 4;
const ARGS = 8;
const CONTROL_SLOTS = 64;

const OP_GEMM = 1;
const OP_CONV_FORWARD = 2;
const OP_CONV_BACKWARD_INPUT = 3;
const OP_EXIT = 4;

/** A kernel call that takes longer than this on the helper means the helper is gone. */
const JOIN_TIMEOUT_MS = 120_000;
/** ready() gives up (false: one thread) when the helper has not started after this long. */
const READY_TIMEOUT_MS = 15_000;

/** Below this many multiply-adds a GEMM or conv stays on the calling thread. */
const MIN_PARALLEL_MACS = 1 << 18;

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
  Atomics.store(c, ${READY}, 1);
  self.postMessage({ ready: true });
  let seen = 0;
  for (;;) {
    Atomics.wait(c, ${REQUEST}, seen);
    seen = Atomics.load(c, ${REQUEST});
    const op = c[${OP}];
    if (op === ${OP_EXIT}) break;
    const a = c.subarray(${ARGS});
    try {
      if (op === ${OP_GEMM}) {
        e.gemm(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], packedA, packedB);
      } else {
        e.setConvGeometry(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
        if (op === ${OP_CONV_FORWARD}) e.conv2dForward(a[16], a[17], a[18], a[19], a[20], a[21], packedA, packedB);
        else e.conv2dBackwardInput(a[16], a[17], a[19], a[20], a[21], packedA, packedB);
      }
    } catch (error) {
      Atomics.store(c, ${ERROR}, 1);
    }
    Atomics.store(c, ${DONE}, seen);
    Atomics.notify(c, ${DONE});
  }
  self.close();
};
`;

function decode(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

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
export class ThreadedWasmKernels extends WasmKernels {
  private readonly worker: Worker;
  private readonly control: Int32Array;
  private readonly workerPackedA: number;
  private readonly workerPackedB: number;
  private sequence = 0;
  private disposed = false;
  private readonly readyPromise: Promise<boolean>;

  private constructor(
    instance: WebAssembly.Instance,
    memory: WebAssembly.Memory,
    module: WebAssembly.Module,
    packBytes: { a: number; b: number },
  ) {
    super(instance, memory, packBytes.a + packBytes.b + 128, '-2threads');
    this.colBuffers = 2;
    this.workerPackedA = this.extraBase;
    this.workerPackedB = this.extraBase + packBytes.a;
    const edge = this.workerPackedB + packBytes.b;
    this.control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
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
    this.worker.postMessage({
      module,
      memory,
      control: this.control.buffer,
      packedA: this.workerPackedA,
      packedB: this.workerPackedB,
      edge,
    });
  }

  /** Resolves to true once the helper runs (false if it could not start: everything stays on one thread). */
  ready(): Promise<boolean> {
    return this.readyPromise;
  }

  /** Whether calls are split across two threads right now. */
  get parallel(): boolean {
    return !this.disposed && Atomics.load(this.control, READY) === 1;
  }

  /** Creates the kernels, or null where two threads are unavailable (see threadsUnavailableReason()). */
  static create(variant: WasmVariant = 'auto'): ThreadedWasmKernels | null {
    if (threadsUnavailableReason() !== null) return null;
    try {
      const candidates =
        variant === 'auto'
          ? [relaxedSimdSharedWasmBase64, simdSharedWasmBase64]
          : [variant === 'simd' ? simdSharedWasmBase64 : relaxedSimdSharedWasmBase64];
      for (const b64 of candidates) {
        const bytes = decode(b64);
        if (!WebAssembly.validate(bytes)) continue;
        const module = new WebAssembly.Module(bytes);
        const memory = new WebAssembly.Memory({ initial: 1, maximum: 16384, shared: true });
        const instance = new WebAssembly.Instance(module, { env: { memory } });
        const e = instance.exports as unknown as {
          MC: WebAssembly.Global;
          KC: WebAssembly.Global;
          NC: WebAssembly.Global;
        };
        const kc = e.KC.value as number;
        const packBytes = { a: (e.MC.value as number) * kc * 4, b: kc * (e.NC.value as number) * 4 };
        return new ThreadedWasmKernels(instance, memory, module, packBytes);
      }
      return null;
    } catch {
      return null;
    }
  }

  /** Stops the helper worker; afterwards every call runs on the calling thread. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.control[OP] = OP_EXIT;
    Atomics.store(this.control, REQUEST, ++this.sequence);
    Atomics.notify(this.control, REQUEST);
    this.worker.terminate();
  }

  private post(op: number, args: readonly number[]): void {
    const c = this.control;
    c[OP] = op;
    c[ERROR] = 0;
    for (let i = 0; i < args.length; i++) c[ARGS + i] = args[i];
    Atomics.store(c, REQUEST, ++this.sequence);
    Atomics.notify(c, REQUEST);
  }

  private join(): void {
    const c = this.control;
    const start = performance.now();
    for (;;) {
      const done = Atomics.load(c, DONE);
      if (done === this.sequence) break;
      Atomics.wait(c, DONE, done, 1000);
      if (performance.now() - start > JOIN_TIMEOUT_MS) {
        // The helper died (terminated from outside?): never hang; later calls run on this thread.
        this.disposed = true;
        throw new Error(
          `wasm helper worker gave no answer within ${JOIN_TIMEOUT_MS / 1000} s; two-thread kernels disabled`,
        );
      }
    }
    if (c[ERROR] !== 0) throw new Error('wasm helper worker failed (trap in the kernel)');
  }

  protected override runGemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    ap: number,
    lda: number,
    bp: number,
    ldb: number,
    cp: number,
    ldc: number,
    accumulate: boolean,
  ): void {
    if (!this.parallel || m < 8 || m * n * k < MIN_PARALLEL_MACS) {
      super.runGemm(transA, transB, m, n, k, ap, lda, bp, ldb, cp, ldc, accumulate);
      return;
    }
    // Rows [0, m0) here, [m0, m) on the helper; m0 a multiple of the 4-row register tile.
    const m0 = Math.ceil(m / 8) * 4;
    const aRest = ap + 4 * (transA ? m0 : m0 * lda);
    this.post(OP_GEMM, [
      +transA,
      +transB,
      m - m0,
      n,
      k,
      aRest,
      lda,
      bp,
      ldb,
      cp + 4 * m0 * ldc,
      ldc,
      +accumulate,
    ]);
    super.runGemm(transA, transB, m0, n, k, ap, lda, bp, ldb, cp, ldc, accumulate);
    this.join();
  }

  protected override runConv(
    kind: 0 | 1,
    g: Conv2dGeometry,
    input: number,
    w: number,
    bias: number,
    output: number,
    col: number,
    chunkRows: number,
  ): void {
    const macs = g.batch * g.outH * g.outW * g.outC * g.kH * g.kW * (g.inC / g.groups);
    if (!this.parallel || g.batch < 2 || macs < MIN_PARALLEL_MACS) {
      super.runConv(kind, g, input, w, bias, output, col, chunkRows);
      return;
    }
    const n0 = Math.ceil(g.batch / 2);
    const inImage = 4 * (kind === 0 ? g.inH * g.inW * g.inC : g.outH * g.outW * g.outC);
    const outImage = 4 * (kind === 0 ? g.outH * g.outW * g.outC : g.inH * g.inW * g.inC);
    const colFloats = WasmKernels.colChunk(g).floats;
    this.post(kind === 0 ? OP_CONV_FORWARD : OP_CONV_BACKWARD_INPUT, [
      g.batch - n0,
      g.inH,
      g.inW,
      g.inC,
      g.outH,
      g.outW,
      g.outC,
      g.kH,
      g.kW,
      g.strideH,
      g.strideW,
      g.padTop,
      g.padLeft,
      g.dilationH,
      g.dilationW,
      g.groups,
      input + n0 * inImage,
      w,
      bias,
      output + n0 * outImage,
      col + 4 * colFloats,
      chunkRows,
    ]);
    super.runConv(kind, { ...g, batch: n0 }, input, w, bias, output, col, chunkRows);
    this.join();
  }
}

/** Kernels with a helper thread: await ready() before relying on two threads; dispose() stops the helper. */
export type ThreadedKernels = Kernels & {
  ready(): Promise<boolean>;
  readonly parallel: boolean;
  dispose(): void;
};

/**
 * The WebAssembly SIMD kernels on two threads (in a cross-origin isolated Web Worker), or null when unavailable:
 * keep `createWasmKernels()` or the TypeScript kernels then. Results are identical to the one-thread kernels.
 * The helper starts asynchronously: calls made before `await kernels.ready()` run on the calling thread.
 */
export function createThreadedWasmKernels(variant: WasmVariant = 'auto'): ThreadedKernels | null {
  return ThreadedWasmKernels.create(variant);
}
