/**
 * What every op's WebAssembly glue (src/kernels/<op>/<op>.wasm.ts) gets: the instance's exports, a `WasmArena` over
 * its memory, the calling thread's GEMM pack buffers, and — in the two-thread kernels — a link to the worker.
 */
import type { Conv2dGeometry, FloatArray } from '../types';
import { WasmArena } from './arena';

/** The instance exports every build has, plus the kernels' own exports (all i32 parameters, by name). */
export interface WasmExports {
  memory: WebAssembly.Memory;
  MC: WebAssembly.Global;
  KC: WebAssembly.Global;
  NC: WebAssembly.Global;
  heapBase(): number;
  relaxed(): number;
  setEdgeScratch(ptr: number): void;
  setConvGeometry(...g: number[]): void;
  [kernelExport: string]: unknown;
}

/** A call of a WebAssembly export by name with i32 arguments (addresses, sizes, 0/1 flags). */
export type WasmCall = readonly [name: string, args: readonly number[]];

/**
 * The worker side of the two-thread kernels, as the glue sees it. `post(calls)` hands the worker a list of export
 * calls (run in order, on its own instance: its own geometry globals and edge scratch) and returns at once; `join()`
 * waits until the worker is done. `packedA`/`packedB` are the worker's pack buffers (pass them to gemm / conv calls).
 */
export interface WorkerLink {
  /** False until the worker runs, and after dispose: then every call stays on the calling thread. */
  readonly active: boolean;
  readonly packedA: number;
  readonly packedB: number;
  post(calls: readonly WasmCall[]): void;
  join(): void;
}

/** Below this many multiply-adds (or elements × 64 for the memory-bound loops) a call stays on one thread. */
export const MIN_PARALLEL_WORK = 1 << 18;

/** im2col works on chunks of output rows holding about this many floats (256 KiB: stays in L2). */
const COL_CHUNK_FLOATS = 65536;

export class WasmRuntime {
  readonly exports: WasmExports;
  readonly arena: WasmArena;
  readonly packedA: number;
  readonly packedB: number;
  /** Start of `extraFixedBytes` reserved for the worker (its pack buffers), 16-byte aligned. */
  readonly extraBase: number;
  /** How many im2col buffers a conv call reserves (one per thread). */
  colBuffers = 1;
  /** The worker, in the two-thread kernels; null on one thread. */
  worker: WorkerLink | null = null;
  readonly relaxed: boolean;

  constructor(instance: WebAssembly.Instance, memory?: WebAssembly.Memory, extraFixedBytes = 0) {
    this.exports = instance.exports as unknown as WasmExports;
    const e = this.exports;
    const mc = e.MC.value as number;
    const kc = e.KC.value as number;
    const nc = e.NC.value as number;
    const base = (e.heapBase() + 15) & ~15;
    this.packedA = base;
    this.packedB = base + mc * kc * 4;
    this.extraBase = this.packedB + kc * nc * 4;
    this.arena = new WasmArena(memory ?? e.memory, this.extraBase + ((extraFixedBytes + 15) & ~15));
    this.relaxed = e.relaxed() !== 0;
  }

  /** The worker when it is running and the work is worth the hand-off, else null. */
  parallelWorker(work: number): WorkerLink | null {
    const w = this.worker;
    return w?.active && work >= MIN_PARALLEL_WORK ? w : null;
  }

  /** Per-call scratch bytes operand `a` (of `length` elements) needs: none when it already lives in this memory. */
  need(a: ArrayBufferView | null, length: number): number {
    return a === null || this.arena.addressOf(a) >= 0 ? 0 : 4 * length + 16;
  }

  /**
   * The byte address of `a[offset, offset + length)` for a kernel (call after `arena.reserve`): in place when `a`
   * lives in this memory (a tensor of a `tidy` scope), else a per-call scratch region, holding a copy of those
   * elements when `copy` (inputs, and outputs whose old values matter). Float32 or Int32 data only (the glue has
   * sent every Float64Array to the TypeScript kernel before).
   */
  place(a: FloatArray | Int32Array, offset: number, length: number, copy: boolean): number {
    const arena = this.arena;
    const at = arena.addressOf(a);
    if (at >= 0) return at + 4 * offset;
    const p = arena.alloc(length);
    if (copy) {
      if (a instanceof Int32Array) arena.i32.set(a.subarray(offset, offset + length), p >> 2);
      else arena.f32.set(a.subarray(offset, offset + length), p >> 2);
    }
    return p;
  }

  /** After the call: copies an output that `place` put in scratch at `p` back into `a` (nothing when in place). */
  takeBack(a: FloatArray | Int32Array, offset: number, length: number, p: number): void {
    const arena = this.arena;
    if (arena.addressOf(a) >= 0) return;
    if (a instanceof Int32Array) a.set(arena.i32.subarray(p >> 2, (p >> 2) + length), offset);
    else a.set(arena.f32.subarray(p >> 2, (p >> 2) + length), offset);
  }

  setGeometry(g: Conv2dGeometry): void {
    this.exports.setConvGeometry(...geometryArgs(g));
  }
}

/** The 16 arguments of setConvGeometry. */
export function geometryArgs(g: Conv2dGeometry): number[] {
  return [
    g.batch,
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
  ];
}

/** Output rows per im2col chunk and the col buffer size in floats. */
export function colChunk(g: Conv2dGeometry): { rows: number; floats: number } {
  const K = g.kH * g.kW * (g.inC / g.groups);
  const rows = Math.max(16, Math.floor(COL_CHUNK_FLOATS / Math.max(K, 1)));
  return { rows, floats: rows * K };
}

export function span(rows: number, cols: number, ld: number): number {
  return rows > 0 && cols > 0 ? (rows - 1) * ld + cols : 0;
}

export function checkRange(name: string, array: ArrayLike<number>, offset: number, length: number): void {
  if (offset < 0 || offset + length > array.length) {
    throw new RangeError(
      `wasm kernels: ${name} needs elements [${offset}, ${offset + length}) but has length ${array.length}`,
    );
  }
}

/** True for a Float32Array or null (an absent bias): the WebAssembly kernels take float32 only. */
export const isF32 = (a: ArrayLike<number> | null): boolean => a === null || a instanceof Float32Array;
