/**
 * What the two-thread WebAssembly kernels share on every platform (browser-safe: no `node:` imports). The Node
 * build (threads.node.ts, a worker_threads worker) and the browser build (threads.browser.ts, a nested Web Worker)
 * only start their worker and terminate it; everything else is here:
 * - the shared-memory module: `instantiateShared()` picks the build, creates a shared WebAssembly memory and the
 *   calling thread's instance;
 * - the control-block protocol: the calling thread writes a command and its arguments into a shared Int32Array,
 *   bumps REQUEST and notifies; the worker (running `workerServeSource()`) does its part, stores DONE and notifies;
 *   the calling thread does its own part meanwhile and then waits for DONE with Atomics.wait (`join()`), so calls
 *   stay synchronous;
 * - the work split, where every output element is computed by exactly one thread with the same reduction order as
 *   on one thread, so results are bit-identical to `createWasmKernels()`:
 *   - GEMM: by rows of C (each C element's sum over k is unchanged);
 *   - conv2d forward and backward-input: by images of the batch;
 *   - conv2d backward-weight, pooling and the elementwise kernels: one thread (splitting dW's reduction would
 *     change its order).
 *   Small problems run on one thread (the hand-off costs tens of microseconds).
 */
import type { Conv2dGeometry, Kernels } from '../kernels';
import { relaxedSimdSharedWasmBase64, simdSharedWasmBase64 } from './kernels.generated';
import { validWasmBytes, WasmKernels, type WasmVariant } from './wasm-kernels';

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

/** A kernel call that takes longer than this on the worker means the worker is gone. */
const JOIN_TIMEOUT_MS = 120_000;

/** Below this many multiply-adds a GEMM or conv stays on the calling thread. */
const MIN_PARALLEL_MACS = 1 << 18;

/**
 * The worker's side of the protocol, as plain JavaScript source for the worker scripts: with `e` the worker's
 * instance exports, `c` the control block (Int32Array) and `packedA`/`packedB` its pack buffers in scope, it sets
 * READY, runs `announceReady` (a statement telling the calling thread), then serves commands until OP_EXIT (a trap
 * sets ERROR; DONE is stored either way).
 */
export function workerServeSource(announceReady: string): string {
  return `
Atomics.store(c, ${READY}, 1);
${announceReady}
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
`;
}

/** What the worker receives (workerData in Node, the first message in browsers). */
export type WorkerInit = {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  packedA: number;
  packedB: number;
  edge: number;
};

/** Kernels with a worker thread: await ready() before relying on two threads; dispose() stops the worker. */
export type ThreadedKernels = Kernels & {
  ready(): Promise<boolean>;
  readonly parallel: boolean;
  dispose(): void;
};

/** The calling thread's instance of the shared-memory build, and what a worker needs to make its own. */
export type SharedWasm = {
  instance: WebAssembly.Instance;
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  /** Pack-buffer sizes in bytes of one thread. */
  packBytes: { a: number; b: number };
};

/**
 * Compiles the shared-memory build for `variant` (the first that validates), instantiates it for the calling
 * thread on a new shared memory and passes it to `make`. Null when no build validates, or when anything throws
 * (no shared memory, no workers, ...).
 */
export function instantiateShared<T>(variant: WasmVariant, make: (shared: SharedWasm) => T): T | null {
  try {
    const bytes = validWasmBytes(variant, relaxedSimdSharedWasmBase64, simdSharedWasmBase64);
    if (bytes === null) return null;
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
    return make({ instance, memory, module, packBytes });
  } catch {
    return null;
  }
}

/**
 * WasmKernels whose GEMM and conv2d forward/backward-input also run on one worker thread. Subclasses start the
 * worker in their constructor (running `workerServeSource()` on `workerInit()`), set
 * `readyPromise`, and terminate it in `terminateWorker()`.
 */
export abstract class TwoThreadWasmKernels extends WasmKernels {
  protected readonly control: Int32Array;
  private readonly module: WebAssembly.Module;
  private readonly workerPackedA: number;
  private readonly workerPackedB: number;
  private readonly workerEdge: number;
  private sequence = 0;
  protected disposed = false;
  protected abstract readonly readyPromise: Promise<boolean>;
  /** How errors name the worker, e.g. 'wasm worker'. */
  protected abstract readonly workerName: string;
  /** What a timed-out worker disables, for the error message. */
  protected abstract readonly disabledName: string;

  protected constructor({ instance, memory, module, packBytes }: SharedWasm) {
    super(instance, memory, packBytes.a + packBytes.b + 128, '-2threads');
    this.module = module;
    this.colBuffers = 2;
    this.workerPackedA = this.extraBase;
    this.workerPackedB = this.extraBase + packBytes.a;
    this.workerEdge = this.workerPackedB + packBytes.b;
    this.control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
  }

  /** What the worker needs: the module, the shared memory and control block, its own scratch addresses. */
  protected workerInit(): WorkerInit {
    return {
      module: this.module,
      memory: this.memory,
      control: this.control.buffer as SharedArrayBuffer,
      packedA: this.workerPackedA,
      packedB: this.workerPackedB,
      edge: this.workerEdge,
    };
  }

  /** Stops the worker thread (dispose() has posted OP_EXIT first). */
  protected abstract terminateWorker(): void;

  /** Resolves to true once the worker runs (false if it could not start: everything stays on one thread). */
  ready(): Promise<boolean> {
    return this.readyPromise;
  }

  /** Whether calls are split across two threads right now. */
  get parallel(): boolean {
    return !this.disposed && Atomics.load(this.control, READY) === 1;
  }

  /** Stops the worker; afterwards every call runs on the calling thread. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.control[OP] = OP_EXIT;
    Atomics.store(this.control, REQUEST, ++this.sequence);
    Atomics.notify(this.control, REQUEST);
    this.terminateWorker();
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
        // The worker died (terminated from outside?): never hang; later calls run on this thread.
        this.disposed = true;
        throw new Error(
          `${this.workerName} gave no answer within ${JOIN_TIMEOUT_MS / 1000} s; ${this.disabledName} disabled`,
        );
      }
    }
    if (c[ERROR] !== 0) throw new Error(`${this.workerName} failed (trap in the kernel)`);
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
    // Rows [0, m0) here, [m0, m) on the worker; m0 a multiple of the 4-row register tile.
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
    // Images [0, n0) here, [n0, batch) on the worker, each with its own im2col buffer.
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
