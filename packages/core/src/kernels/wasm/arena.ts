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
 * Per-call buffers in a WebAssembly memory, from byte `base` up: `reserve(bytes)` starts a call (growing the memory
 * once if needed), then `alloc` hands out 16-byte-aligned regions. The typed-array views (`f32`, `i32`, `f64`) are
 * re-made after a growth (growing detaches the old ones): read them after `reserve`, never keep them across calls.
 */
export class WasmArena {
  readonly memory: WebAssembly.Memory;
  private readonly base: number;
  private top = 0;
  private f32View: Float32Array;
  private i32View: Int32Array;
  private f64View: Float64Array;

  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.base = (base + 15) & ~15;
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
    this.f64View = new Float64Array(memory.buffer, 0, memory.buffer.byteLength >> 3);
    this.reserve(0);
  }

  /**
   * Starts a call needing `bytes` of per-call memory: grows the memory once if needed. Returns false when the memory
   * cannot grow that far (wasm32 limit, or the engine refuses): the caller then runs its TypeScript kernel.
   */
  reserve(bytes: number): boolean {
    const memory = this.memory;
    const needed = this.base + bytes + 64 * 16;
    if (memory.buffer.byteLength < needed) {
      try {
        memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
      } catch {
        return false;
      }
    }
    if (this.f32View.buffer !== memory.buffer) this.refreshViews();
    this.top = this.base;
    return true;
  }

  private refreshViews(): void {
    const buffer = this.memory.buffer;
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
}
