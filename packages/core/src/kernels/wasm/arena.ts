import type { ResidentStorage } from '../../storage';

/**
 * A small loader for WebAssembly kernel modules, shared by @hw3/core and packages with their own AssemblyScript
 * loops (@hw3/batchnorm): pick the embedded build the engine validates (relaxed SIMD, else SIMD), instantiate it,
 * and lay buffers out in its memory with a per-call bump allocator (`WasmArena`).
 */

/** Which embedded build to use: 'auto' picks relaxed SIMD when the engine validates it. */
export type WasmVariant = 'auto' | 'simd' | 'relaxed-simd';

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The first of the embedded builds (base64) that `variant` allows and this engine validates: 'auto' tries relaxed
 * SIMD, then SIMD. Null when none validates (or the engine has no WebAssembly).
 */
export function validWasmBytes(
  variant: WasmVariant,
  relaxedSimdBase64: string,
  simdBase64: string,
): Uint8Array<ArrayBuffer> | null {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return null;
  const candidates =
    variant === 'auto'
      ? [relaxedSimdBase64, simdBase64]
      : [variant === 'simd' ? simdBase64 : relaxedSimdBase64];
  for (const b64 of candidates) {
    const bytes = decodeBase64(b64);
    if (WebAssembly.validate(bytes)) return bytes;
  }
  return null;
}

/** The embedded builds of one AssemblyScript module (base64), as a build script writes them. */
export interface WasmBuilds {
  simd: string;
  relaxedSimd: string;
}

/**
 * Instantiates the build of `builds` that `variant` allows and the engine validates, synchronously (fine in Node
 * and in workers; browsers may refuse large modules on the main thread). Null when none validates or it throws.
 */
export function instantiateWasm(
  builds: WasmBuilds,
  variant: WasmVariant = 'auto',
  imports: WebAssembly.Imports = {},
): WebAssembly.Instance | null {
  try {
    const bytes = validWasmBytes(variant, builds.relaxedSimd, builds.simd);
    if (!bytes) return null;
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
  } catch {
    return null;
  }
}

/**
 * Buffers in a WebAssembly memory, from byte `base` up, in two stacked regions:
 * - resident tensor storage (`ResidentStorage`: `allocF32` / `allocI32`, `mark` / `release`), used by `tidy` scopes
 *   for op outputs. Only on a shared memory, whose growth keeps every existing view valid (an unshared memory
 *   detaches all views when it grows): `allocF32` returns null on an unshared one;
 * - per-call scratch above it: `reserve(bytes)` starts a kernel call (growing the memory if needed), then `alloc`
 *   hands out 16-byte-aligned regions. The views `f32`, `i32`, `f64` are re-made after a growth: read them after
 *   `reserve`, never keep them across calls.
 */
export class WasmArena implements ResidentStorage {
  readonly memory: WebAssembly.Memory;
  /** Whether the memory is shared (then resident storage is available). */
  readonly shared: boolean;
  private readonly base: number;
  /** End of the resident region (start of the per-call scratch). */
  private heapTop: number;
  private top = 0;
  private f32View: Float32Array;
  private i32View: Int32Array;
  private f64View: Float64Array;
  /** Every buffer object this memory has had (a shared memory's views keep their buffer across growth). */
  private readonly buffers = new Set<ArrayBufferLike>();

  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.shared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
    this.base = (base + 15) & ~15;
    this.heapTop = this.base;
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
    this.f64View = new Float64Array(memory.buffer, 0, memory.buffer.byteLength >> 3);
    this.buffers.add(memory.buffer);
    this.reserve(0);
  }

  /** Grows the memory so that `end` bytes exist (by at least a quarter, to grow rarely). False when it cannot. */
  private ensure(end: number): boolean {
    const memory = this.memory;
    const have = memory.buffer.byteLength;
    if (have < end) {
      const pages = Math.ceil((end - have) / 65536);
      try {
        memory.grow(Math.max(pages, Math.ceil(have / 4 / 65536)));
      } catch {
        try {
          memory.grow(pages);
        } catch {
          return false;
        }
      }
    }
    if (this.f32View.buffer !== memory.buffer) this.refreshViews();
    return true;
  }

  /**
   * Starts a call needing `bytes` of per-call memory: grows the memory if needed. Returns false when the memory
   * cannot grow that far (wasm32 limit, or the engine refuses): the caller then runs its TypeScript kernel.
   */
  reserve(bytes: number): boolean {
    if (!this.ensure(this.heapTop + bytes + 64 * 16)) return false;
    this.top = this.heapTop;
    return true;
  }

  private refreshViews(): void {
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    this.f32View = new Float32Array(buffer);
    this.i32View = new Int32Array(buffer);
    this.f64View = new Float64Array(buffer, 0, buffer.byteLength >> 3);
  }

  /** Bump-allocates `floats` 4-byte elements (16-byte aligned) inside the reserved region; returns a byte address. */
  alloc(floats: number): number {
    const ptr = this.top;
    this.top += (floats * 4 + 15) & ~15;
    return ptr;
  }

  get f32(): Float32Array {
    return this.f32View;
  }
  get i32(): Int32Array {
    return this.i32View;
  }
  get f64(): Float64Array {
    return this.f64View;
  }

  // ResidentStorage (tidy scopes)

  mark(): number {
    return this.heapTop;
  }

  release(mark: number): void {
    if (mark >= this.base && mark <= this.heapTop) this.heapTop = mark;
  }

  /** Byte address of `elements` 4-byte elements of resident storage, or −1 (unshared memory, or no room). */
  private allocResident(elements: number): number {
    if (!this.shared || !(elements >= 0)) return -1;
    const ptr = this.heapTop;
    const end = ptr + ((elements * 4 + 15) & ~15);
    if (!this.ensure(end + 64 * 16)) return -1;
    this.heapTop = end;
    return ptr;
  }

  allocF32(length: number): Float32Array | null {
    const ptr = this.allocResident(length);
    return ptr < 0 ? null : new Float32Array(this.memory.buffer, ptr, length);
  }

  allocI32(length: number): Int32Array | null {
    const ptr = this.allocResident(length);
    return ptr < 0 ? null : new Int32Array(this.memory.buffer, ptr, length);
  }

  addressOf(view: ArrayBufferView): number {
    return this.buffers.has(view.buffer) ? view.byteOffset : -1;
  }
}
