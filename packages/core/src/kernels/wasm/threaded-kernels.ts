/**
 * What the two-thread WebAssembly kernels share on every platform (browser-safe: no `node:` imports). The Node
 * build (threads.node.ts, a worker_threads worker) and the browser build (threads.browser.ts, a nested Web Worker)
 * only start their worker and terminate it; everything else is here:
 * - the shared-memory module: `instantiateShared()` picks the build, creates a shared WebAssembly memory and the
 *   calling thread's instance;
 * - the control-block protocol, derived from the kernel descriptors: the calling thread writes a list of
 *   WebAssembly export calls (export index + i32 arguments; the exports are the descriptors' `wasmExports`) into a
 *   shared Int32Array, bumps REQUEST and notifies; the worker (running `workerServeSource()`) runs them on its own
 *   instance, stores DONE and notifies; the calling thread does its own part meanwhile and then waits for DONE with
 *   Atomics.wait (`join()`), so calls stay synchronous.
 * Satellite modules of other packages (satellite.ts) are loaded on the worker with OP_LOAD and called the same way.
 * The work split lives with each op's glue (src/kernels/<op>/<op>.wasm.ts), which asks `runtime.parallelWorker()`
 * and computes every output element on exactly one thread with the one-thread reduction order, so results are
 * bit-identical to `createWasmKernels()`: GEMM by rows of C, conv2d forward and backward-input and max-pool forward
 * by images of the batch, the weight gradient as two fixed partial sums, max-pool backward by ranges of dx; ReLU and
 * channel sums stay on one thread (src/kernels/README.md has the table). Small problems run on one thread (the
 * hand-off costs tens of microseconds).
 */
import { type Kernels, kernelDescriptors } from '../kernels';
import { validWasmBytes, type WasmVariant } from './arena';
import { relaxedSimdSharedWasmBase64, simdSharedWasmBase64 } from './kernels.generated';
import type { WasmCall, WorkerLink } from './runtime';
import type { SatelliteWorkerHost, WorkerExportTable } from './satellite';
import { WasmKernels } from './wasm-kernels';

/** Control block layout (Int32 slots). */
const REQUEST = 0;
const DONE = 1;
const OP = 2;
const ERROR = 3;
const READY = 4;
/**
 * The sequence number of the posted command while nobody has claimed it, 0 once claimed: by the worker when it starts
 * it, or by the calling thread when its own part is done and the worker has not started (it then runs the worker's
 * calls itself). Exactly one thread claims a command: compareExchange(CLAIM, sequence, 0) returns the sequence.
 */
const CLAIM = 5;
const ARGS = 8;
const CONTROL_SLOTS = 256;

const OP_CALLS = 1;
const OP_EXIT = 2;
/** Load a satellite module (satellite.ts): ARGS = bytes address, length, export-table JSON address, length. */
const OP_LOAD = 3;

/**
 * How long the worker polls for the next call before it sleeps in Atomics.wait (ms). Waking a sleeping worker took
 * 120–220 µs on the 2-core VMs (notify to running, measured), and a training step's longest gap without parallel work
 * (the optimizer step and the next batch's setup) is about half a millisecond: with 0.25 ms the worker slept about
 * once per step; with 1 ms 0.1 times, and the step on two threads was 1.03× faster (interleaved A/B). A polling
 * worker slowed the calling thread's one-thread step by 0.6 %.
 */
const WORKER_SPIN_MS = 1;
/** How long the calling thread polls for the worker's half before it sleeps in Atomics.wait (ms). */
const JOIN_SPIN_MS = 1;

/** Calls with up to this many arguments run on the worker without an argument array (setConvGeometry has 16). */
const DIRECT_ARITY = 16;

/** A kernel call that takes longer than this on the worker means the worker is gone. */
const JOIN_TIMEOUT_MS = 120_000;

/**
 * The exports the worker may run, derived from the descriptors' `wasmExports` (name → parameter count); a call is
 * posted as its index in this list.
 */
export const workerExports: readonly (readonly [string, number])[] = (() => {
  const seen = new Map<string, number>();
  for (const d of kernelDescriptors)
    for (const [name, arity] of Object.entries(d.wasmExports)) {
      const known = seen.get(name);
      if (known !== undefined && known !== arity)
        throw new Error(`wasm export ${name}: arity ${known} vs ${arity}`);
      seen.set(name, arity);
    }
  return [...seen.entries()];
})();
const coreExportTable: WorkerExportTable = new Map(
  workerExports.map(([name, arity], i) => [name, [i, arity] as const]),
);

/**
 * The worker's side of the protocol, as plain JavaScript source for the worker scripts: with `e` the worker's
 * instance exports, `memory` the shared memory and `c` the control block (Int32Array) in scope, it sets READY, runs
 * `announceReady` (a statement telling the calling thread), then serves commands until OP_EXIT. A command is a list of
 * export calls [count, (index, ...args)*] run in order (a trap sets ERROR; DONE is stored either way), or OP_LOAD: a
 * satellite module (its bytes and its [name, arity] export list as JSON, staged in the memory) is instantiated on the
 * shared memory and its exports, checked to exist with those parameter counts, get the next indices.
 */
export function workerServeSource(announceReady: string): string {
  // A call with its arguments read straight from the control block (no argument array per call): one case per arity.
  const cases = Array.from({ length: DIRECT_ARITY + 1 }, (_, n) => {
    const args = Array.from({ length: n }, (_, i) => `c[p + ${i}]`).join(', ');
    return `      case ${n}: fn(${args}); break;`;
  }).join('\n');
  return `
const fns = ${JSON.stringify(workerExports)}.map(([name, arity]) => [e[name], arity]);
const staged = (p, n) => new Uint8Array(memory.buffer, p, n).slice();
Atomics.store(c, ${READY}, 1);
${announceReady}
let seen = 0;
for (;;) {
  // Spin a little before sleeping: a step's next call usually comes within the spin, and waking a sleeping
  // thread costs far more than the call's hand-off.
  const spinStart = performance.now();
  for (let i = 1; Atomics.load(c, ${REQUEST}) === seen; i++) {
    if ((i & 1023) === 0 && performance.now() - spinStart > ${WORKER_SPIN_MS}) Atomics.wait(c, ${REQUEST}, seen);
  }
  seen = Atomics.load(c, ${REQUEST});
  // The calling thread ran this command itself (it found it unclaimed after its own part): nothing to do.
  if (Atomics.compareExchange(c, ${CLAIM}, seen, 0) !== seen) continue;
  const op = c[${OP}];
  if (op === ${OP_EXIT}) break;
  try {
    if (op === ${OP_LOAD}) {
      const module = new WebAssembly.Module(staged(c[${ARGS}], c[${ARGS + 1}]));
      const table = JSON.parse(new TextDecoder().decode(staged(c[${ARGS + 2}], c[${ARGS + 3}])));
      const x = new WebAssembly.Instance(module, { env: { memory } }).exports;
      const added = table.map(([name, arity]) => {
        if (typeof x[name] !== 'function' || x[name].length !== arity) throw new Error('satellite export ' + name);
        return [x[name], arity];
      });
      if (fns.length !== c[${ARGS + 4}]) throw new Error('satellite table out of step');
      fns.push(...added);
    } else {
    let p = ${ARGS};
    const count = c[p++];
    for (let i = 0; i < count; i++) {
      const entry = fns[c[p++]];
      const fn = entry[0];
      const arity = entry[1];
      switch (arity) {
${cases}
      default: fn.apply(null, Array.prototype.slice.call(c, p, p + arity));
      }
      p += arity;
    }
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
 * WasmKernels with a worker thread: the glue of each op (src/kernels/<op>/<op>.wasm.ts) posts part of its work to
 * the worker through `runtime.worker` (this object's `WorkerLink`). Subclasses start the worker in their constructor
 * (running `workerServeSource()` on `workerInit()`), set `readyPromise`, and terminate it in `terminateWorker()`.
 */
export abstract class TwoThreadWasmKernels extends WasmKernels {
  protected readonly control: Int32Array;
  private readonly module: WebAssembly.Module;
  private readonly workerPackedA: number;
  private readonly workerPackedB: number;
  private readonly workerEdge: number;
  private sequence = 0;
  /** The calls of the last OP_CALLS command and the calling thread's functions for them (for `join` to run them). */
  private pending: readonly WasmCall[] | null = null;
  private pendingLocal: Readonly<Record<string, unknown>> | null = null;
  /** Each worker export table's functions on the calling thread: core's exports, each satellite's. */
  private readonly localFunctions = new WeakMap<WorkerExportTable, Readonly<Record<string, unknown>>>();
  /** Commands the calling thread ran itself because the worker had not started them (diagnostics and tests). */
  stolen = 0;
  /** Test hook: post without telling the worker, so that `join` always runs the worker's calls on this thread. */
  private holdWorker = false;
  /** How many exports the worker can run (core's, then each loaded satellite's). */
  private workerFunctions = workerExports.length;
  protected disposed = false;
  protected abstract readonly readyPromise: Promise<boolean>;
  /** How errors name the worker, e.g. 'wasm worker'. */
  protected abstract readonly workerName: string;
  /** What a timed-out worker disables, for the error message. */
  protected abstract readonly disabledName: string;

  protected constructor({ instance, memory, module, packBytes }: SharedWasm) {
    super(instance, memory, packBytes.a + packBytes.b + 128, '-2threads');
    this.module = module;
    const rt = this.runtime;
    rt.colBuffers = 2;
    this.workerPackedA = rt.extraBase;
    this.workerPackedB = rt.extraBase + packBytes.a;
    this.workerEdge = this.workerPackedB + packBytes.b;
    this.control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
    const self = this;
    const link: WorkerLink & SatelliteWorkerHost = {
      get active() {
        return self.parallel;
      },
      packedA: this.workerPackedA,
      packedB: this.workerPackedB,
      post: (calls) => this.post(calls, coreExportTable),
      join: () => this.join(),
      loadOnWorker: (bytes, exports, local) => this.loadOnWorker(bytes, exports, local),
      postSatellite: (calls, table) => this.post(calls, table),
    };
    rt.worker = link;
    this.localFunctions.set(coreExportTable, rt.exports);
  }

  /** What the worker needs: the module, the shared memory and control block, its own scratch addresses. */
  protected workerInit(): WorkerInit {
    return {
      module: this.module,
      memory: this.runtime.arena.memory,
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
    this.pending = null;
    Atomics.store(this.control, REQUEST, this.open());
    Atomics.notify(this.control, REQUEST);
    this.terminateWorker();
  }

  private post(calls: readonly WasmCall[], table: WorkerExportTable): void {
    const c = this.control;
    c[OP] = OP_CALLS;
    c[ERROR] = 0;
    let p = ARGS;
    c[p++] = calls.length;
    for (const [name, args] of calls) {
      const entry = table.get(name);
      if (entry === undefined || entry[1] !== args.length) {
        throw new Error(`two-thread kernels: ${name} with ${args.length} arguments is not a worker export`);
      }
      if (p + 1 + args.length > CONTROL_SLOTS) throw new Error('two-thread kernels: command too long');
      c[p++] = entry[0];
      for (let i = 0; i < args.length; i++) c[p++] = args[i];
    }
    this.pending = calls;
    this.pendingLocal = this.localFunctions.get(table) ?? null;
    const seq = this.open();
    if (this.holdWorker) return;
    Atomics.store(c, REQUEST, seq);
    Atomics.notify(c, REQUEST);
  }

  /** The next command's sequence number (a non-zero int32), open for claiming. */
  private open(): number {
    this.sequence = (this.sequence + 1) | 0 || 1;
    Atomics.store(this.control, CLAIM, this.sequence);
    return this.sequence;
  }

  /**
   * Instantiates a satellite module on the worker (satellite.ts): stages its bytes and export list in the arena
   * (so call it before a call's own `reserve`), posts OP_LOAD and waits. Throws when the worker cannot load it.
   */
  private loadOnWorker(
    bytes: Uint8Array,
    exports: readonly (readonly [string, number])[],
    local: Readonly<Record<string, unknown>>,
  ): WorkerExportTable {
    if (!this.parallel) throw new Error('two-thread kernels: the worker is not running');
    const text = new TextEncoder().encode(JSON.stringify(exports));
    const arena = this.runtime.arena;
    if (!arena.reserve(bytes.length + text.length + 64))
      throw new Error('two-thread kernels: no memory to stage');
    const bp = arena.alloc(Math.ceil(bytes.length / 4));
    const tp = arena.alloc(Math.ceil(text.length / 4));
    const u8 = new Uint8Array(arena.memory.buffer);
    u8.set(bytes, bp);
    u8.set(text, tp);
    const c = this.control;
    c[OP] = OP_LOAD;
    c[ERROR] = 0;
    c[ARGS] = bp;
    c[ARGS + 1] = bytes.length;
    c[ARGS + 2] = tp;
    c[ARGS + 3] = text.length;
    c[ARGS + 4] = this.workerFunctions;
    this.pending = null;
    Atomics.store(c, REQUEST, this.open());
    Atomics.notify(c, REQUEST);
    this.join();
    const table = new Map<string, readonly [number, number]>();
    for (const [name, arity] of exports) table.set(name, [this.workerFunctions++, arity]);
    this.localFunctions.set(table, local);
    return table;
  }

  /**
   * Waits for the worker's part of the last command. When the worker has not started it yet (off its core, or
   * asleep), this thread claims it and runs the same calls on its own instance: the same outputs, bit for bit (the
   * worker's part writes its own outputs and scratch; every kernel call sets the geometry globals it reads), without
   * waiting for the worker to be scheduled.
   */
  private join(): void {
    const c = this.control;
    const calls = this.pending;
    const local = this.pendingLocal;
    this.pending = null;
    if (calls !== null && local !== null) {
      const seq = this.sequence;
      if (Atomics.compareExchange(c, CLAIM, seq, 0) === seq) {
        this.stolen++;
        for (let i = 0; i < calls.length; i++) {
          const [name, args] = calls[i];
          (local[name] as (...a: readonly number[]) => void)(...args);
        }
        return;
      }
    }
    const start = performance.now();
    if (this.spinUntilDone(start)) {
      this.checkError();
      return;
    }
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
    this.checkError();
  }

  /**
   * The halves are even: the worker is usually done within microseconds of this thread, so poll (up to JOIN_SPIN_MS)
   * before sleeping. True when the worker is done. A function of its own without the sleep in it: V8 compiles this
   * hot loop on the stack before the sleep has ever run, and code with a call that has never run deoptimizes at it —
   * with the sleep inside, that happened at every sleep (56 and 90 times in two cold `npm start` runs).
   */
  private spinUntilDone(start: number): boolean {
    const c = this.control;
    for (let i = 1; ; i++) {
      if (Atomics.load(c, DONE) === this.sequence) return true;
      if ((i & 1023) === 0 && performance.now() - start > JOIN_SPIN_MS) return false;
    }
  }

  private checkError(): void {
    if (this.control[ERROR] !== 0) throw new Error(`${this.workerName} failed (trap in the kernel)`);
  }
}
