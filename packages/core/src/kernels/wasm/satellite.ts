/**
 * Satellite modules: a package's own AssemblyScript loops (e.g. @hw3/batchnorm's) running on the memory of the active
 * WebAssembly kernel set instead of in an instance of their own. `loadWasmSatellite(kernels, builds)` instantiates the
 * package's module with the kernel set's memory as its `env.memory` import — a shared memory (the two-thread set, and
 * the one-thread set where SharedArrayBuffer exists) or an unshared one, picking the matching build — on the calling
 * thread, and in the two-thread set
 * also on the worker (lazily, the first time it is needed there), so the package's glue can hand part of a call to
 * the worker like core's own glue does.
 *
 * Memory layout: a satellite must not own any memory. Its build imports the memory (`--importMemory`; with
 * `--sharedMemory --maximumMemory 16384` for the shared variant, as core's shared build) and must have no data segments
 * (nothing is written at instantiation) and no shadow stack (AssemblyScript's `--runtime stub` keeps locals in wasm
 * locals), so it only touches the addresses it is given: scratch from the kernel set's per-call arena (`reserve` +
 * `arena.alloc`, the same arena core's kernels use, so a kernel call and a satellite call never overlap: calls are
 * synchronous and each starts with `reserve`; it lies above `tidy`'s resident tensors), or arrays already in that
 * memory (`addressOf`: e.g. the resident outputs of a `tidy` scope). `loadWasmSatellite`
 * refuses (null) a module with a data section, a memory of its own, or an import other than `env.memory`.
 */
import { describeValue, ValueError } from '../../errors';
import type { Kernels } from '../kernels';
import type { WasmArena, WasmBuilds } from './arena';
import { validWasmBytes } from './arena';
import type { WasmCall, WasmRuntime, WorkerLink } from './runtime';

/** The embedded builds of a satellite: importing an unshared memory, and importing a shared one. */
export interface WasmSatelliteBuilds {
  unshared: WasmBuilds;
  shared: WasmBuilds;
}

/** Name → [index on the worker, parameter count] of one satellite's exports, once it is loaded there. */
export type WorkerExportTable = ReadonlyMap<string, readonly [index: number, arity: number]>;

/**
 * What the two-thread kernel set's worker link offers satellites (threaded-kernels.ts implements it): load a module on
 * the worker (staged through the arena: call it before a call's own `reserve`), and post calls of its exports.
 */
export interface SatelliteWorkerHost {
  /** Instantiates `bytes` on the worker with the shared memory; returns its export table. Throws on failure. */
  loadOnWorker(
    bytes: Uint8Array,
    exports: readonly (readonly [string, number])[],
    local: Readonly<Record<string, unknown>>,
  ): WorkerExportTable;
  /** Like `WorkerLink.post`, for calls of a loaded satellite's exports (checked against `table`). */
  postSatellite(calls: readonly WasmCall[], table: WorkerExportTable): void;
}

/** The worker, for one satellite: post calls of the satellite's exports by name, then join. */
export interface SatelliteWorker {
  post(calls: readonly WasmCall[]): void;
  join(): void;
}

/** A satellite module on a kernel set's memory; see the file comment. `E` types its exports. */
export interface WasmSatellite<E = Record<string, unknown>> {
  /** The calling thread's instance exports. */
  readonly exports: E;
  /** The kernel set's memory (shared in the two-thread set). */
  readonly memory: WebAssembly.Memory;
  /** The kernel set's per-call arena: start each call with `reserve`, then `arena.alloc`. */
  readonly arena: WasmArena;
  /**
   * Starts a call needing `bytes` of per-call scratch (loads the module on the worker first when the two-thread set's
   * worker runs and it is not there yet). False when the memory cannot grow that far: run the TypeScript loops then.
   */
  reserve(bytes: number): boolean;
  /**
   * The byte address of `a` when it is a view of this memory (use it in place, no copy), else −1. Ask before
   * `reserve`: a growth of an unshared memory detaches its old views (their data stays at the same address).
   */
  addressOf(a: ArrayBufferView): number;
  /** The worker when it runs and `work` (multiply-adds, or 64 × elements for memory-bound loops) is worth it. */
  parallelWorker(work: number): SatelliteWorker | null;
}

const runtimes = new WeakMap<object, WasmRuntime>();

/** Called by the WebAssembly kernel sets' constructor: lets satellites find the set's runtime. Internal. */
export function registerWasmRuntime(kernels: object, runtime: WasmRuntime): void {
  runtimes.set(kernels, runtime);
}

const satellites = new WeakMap<WasmRuntime, WeakMap<WasmSatelliteBuilds, WasmSatellite<unknown> | null>>();

const isBuilds = (b: unknown): b is WasmBuilds =>
  typeof b === 'object' &&
  b !== null &&
  typeof (b as WasmBuilds).simd === 'string' &&
  typeof (b as WasmBuilds).relaxedSimd === 'string';

/** Throws a ValueError unless `builds` is { unshared: WasmBuilds, shared: WasmBuilds }. */
function checkBuilds(builds: unknown): asserts builds is WasmSatelliteBuilds {
  const b = builds as Partial<WasmSatelliteBuilds> | null;
  if (typeof b !== 'object' || b === null || !isBuilds(b.unshared) || !isBuilds(b.shared)) {
    throw new ValueError(
      `loadWasmSatellite: builds must be { unshared: { simd, relaxedSimd }, shared: { simd, relaxedSimd } } (base64 strings), got ${describeValue(builds)}`,
      'INVALID_WASM_BUILDS',
    );
  }
}

/** Section ids of a module (a data section, id 11, or a memory section, id 5, makes it unfit). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let p = 8;
  while (p < bytes.length) {
    ids.push(bytes[p++]);
    let size = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[p++];
      size += (b & 127) * 2 ** shift;
      shift += 7;
    } while (b & 128);
    p += size;
  }
  return ids;
}

/** Whether `module` only imports env.memory and owns no memory and no data (see the file comment). */
export function isSatelliteModule(bytes: Uint8Array, module: WebAssembly.Module): boolean {
  const imports = WebAssembly.Module.imports(module);
  if (imports.some((i) => !(i.module === 'env' && i.name === 'memory' && i.kind === 'memory'))) return false;
  const ids = sectionIds(bytes);
  return !ids.includes(11) && !ids.includes(5);
}

class Satellite<E> implements WasmSatellite<E> {
  readonly exports: E;
  readonly memory: WebAssembly.Memory;
  readonly arena: WasmArena;
  private readonly rt: WasmRuntime;
  private readonly bytes: Uint8Array;
  private readonly table: readonly (readonly [string, number])[];
  private readonly shared: boolean;
  private readonly seen = new WeakSet<ArrayBufferLike>();
  /** The worker's export table once loaded there; null when loading failed (then one thread). */
  private workerTable: WorkerExportTable | null | undefined;
  private readonly link: SatelliteWorker;

  constructor(rt: WasmRuntime, bytes: Uint8Array, instance: WebAssembly.Instance) {
    this.rt = rt;
    this.bytes = bytes;
    this.exports = instance.exports as unknown as E;
    this.arena = rt.arena;
    this.memory = rt.arena.memory;
    this.shared = typeof SharedArrayBuffer === 'function' && this.memory.buffer instanceof SharedArrayBuffer;
    const table: [string, number][] = [];
    for (const [name, value] of Object.entries(instance.exports))
      if (typeof value === 'function') table.push([name, value.length]);
    this.table = table;
    const self = this;
    this.link = {
      post(calls) {
        const host = rt.worker as unknown as SatelliteWorkerHost;
        host.postSatellite(calls, self.workerTable as WorkerExportTable);
      },
      join() {
        (rt.worker as WorkerLink).join();
      },
    };
  }

  reserve(bytes: number): boolean {
    const w = this.rt.worker;
    if (this.workerTable === undefined && w?.active) {
      const host = w as unknown as Partial<SatelliteWorkerHost>;
      try {
        this.workerTable =
          typeof host.loadOnWorker === 'function'
            ? host.loadOnWorker(this.bytes, this.table, this.exports as Readonly<Record<string, unknown>>)
            : null;
      } catch {
        this.workerTable = null; // the worker could not instantiate it: this satellite stays on one thread
      }
    }
    if (this.shared) this.seen.add(this.memory.buffer); // before a growth: its views stay views of this memory
    if (!this.arena.reserve(bytes)) return false;
    if (this.shared) this.seen.add(this.memory.buffer);
    return true;
  }

  addressOf(a: ArrayBufferView): number {
    const buffer = this.memory.buffer;
    if (a.buffer === buffer) {
      if (this.shared) this.seen.add(buffer);
      return a.byteOffset;
    }
    // Shared memory: each growth gives a new SharedArrayBuffer object for the same bytes; views of an earlier one
    // (seen by this satellite or by the arena: its `addressOf`) are still views of this memory. Unshared: only the
    // current buffer (a growth detaches the views of the old one).
    if (!this.shared) return -1;
    this.seen.add(buffer);
    return this.seen.has(a.buffer) ? a.byteOffset : this.arena.addressOf(a);
  }

  parallelWorker(work: number): SatelliteWorker | null {
    if (!this.workerTable) return null;
    return this.rt.parallelWorker(work) === null ? null : this.link;
  }
}

/**
 * Instantiates the satellite `builds` on the memory of `kernels` (see the file comment), or returns null when
 * `kernels` is not one of @hw3/core's WebAssembly kernel sets, no build validates, or the module is unfit (it owns
 * memory or data, or imports something other than env.memory). The same (kernels, builds) pair gives the same object.
 * The build follows the kernel set: relaxed SIMD when the set runs relaxed SIMD, and the shared variant on a shared
 * memory. Throws a ValueError (code INVALID_WASM_BUILDS) when `builds` is not of that shape.
 */
export function loadWasmSatellite<E = Record<string, unknown>>(
  kernels: Kernels,
  builds: WasmSatelliteBuilds,
): WasmSatellite<E> | null {
  checkBuilds(builds);
  const rt = typeof kernels === 'object' && kernels !== null ? runtimes.get(kernels) : undefined;
  if (rt === undefined) return null;
  let cache = satellites.get(rt);
  if (cache === undefined) {
    cache = new WeakMap();
    satellites.set(rt, cache);
  }
  const known = cache.get(builds);
  if (known !== undefined) return known as WasmSatellite<E> | null;
  let satellite: WasmSatellite<E> | null = null;
  try {
    const memory = rt.arena.memory;
    const shared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
    const b = shared ? builds.shared : builds.unshared;
    const bytes = validWasmBytes(rt.relaxed ? 'auto' : 'simd', b.relaxedSimd, b.simd);
    if (bytes !== null) {
      const module = new WebAssembly.Module(bytes);
      if (isSatelliteModule(bytes, module)) {
        satellite = new Satellite<E>(rt, bytes, new WebAssembly.Instance(module, { env: { memory } }));
      }
    }
  } catch {
    satellite = null;
  }
  cache.set(builds, satellite as WasmSatellite<unknown> | null);
  return satellite;
}
