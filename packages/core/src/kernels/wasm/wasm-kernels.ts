/**
 * WebAssembly SIMD implementation of `Kernels` (float32), compiled from the per-op AssemblyScript sources
 * (src/kernels/<op>/*.asm.ts) at build time and embedded as base64 in kernels.generated.ts, so nothing is fetched at
 * run time. Each method is its descriptor's glue (src/kernels/<op>/<op>.wasm.ts) bound to one `WasmRuntime`.
 *
 * - Float32 only: a call with any Float64Array argument runs the TypeScript kernel (gradchecks stay exact).
 * - Two builds: relaxed SIMD (f32x4.relaxed_madd, fused multiply-add) when `WebAssembly.validate` accepts it
 *   (current Chrome; Node 20 only with --experimental-wasm-relaxed-simd), else plain SIMD128; else null.
 * - Memory: where the engine has SharedArrayBuffer, the shared-memory build on a new shared memory, which gives the
 *   set a `residentStorage`: inside `tidy` op outputs live there and the kernels use them in place (a shared memory
 *   keeps every view valid when it grows). Operands that live elsewhere (JavaScript arrays) are copied into the
 *   memory and outputs back (O(n²) copies around O(n³) work). Without SharedArrayBuffer (a page that is not
 *   cross-origin isolated), the unshared build and the copies only. Memory grows on demand and is reused; after
 *   warm-up no call allocates. Instances are single-threaded and not re-entrant (kernels never call back into JS).
 */
import type { ResidentStorage } from '../../storage';
import { type KernelFunctions, type Kernels, kernelDescriptors } from '../kernels';
import { validWasmBytes, type WasmVariant } from './arena';
import {
  relaxedSimdSharedWasmBase64,
  relaxedSimdWasmBase64,
  simdSharedWasmBase64,
  simdWasmBase64,
} from './kernels.generated';
import { WasmRuntime } from './runtime';
import { registerWasmRuntime } from './satellite';

export type { WasmVariant } from './arena';

/** The embedded module bytes for a variant, or null when this engine cannot validate them. */
export function wasmKernelBytes(variant: WasmVariant = 'auto'): Uint8Array<ArrayBuffer> | null {
  return validWasmBytes(variant, relaxedSimdWasmBase64, simdWasmBase64);
}

// The kernel methods are installed per instance from `kernelDescriptors` (constructor); this declares them.
export interface WasmKernels extends KernelFunctions {}

/** Kernels backed by one WebAssembly instance; see the file comment. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above.
export class WasmKernels implements Kernels {
  readonly name: string;
  readonly wasmVariant: 'simd' | 'relaxed-simd';
  /** Where `tidy` puts op outputs: this set's memory when it is shared, else undefined (copies only). */
  readonly residentStorage: ResidentStorage | undefined;
  protected readonly runtime: WasmRuntime;

  /**
   * @param memory the instance's memory when it is imported (shared builds); default: its exported memory.
   * @param extraFixedBytes bytes reserved after the pack buffers for a subclass (at `runtime.extraBase`).
   * @param nameSuffix appended to `name` (e.g. '-2threads').
   */
  constructor(
    instance: WebAssembly.Instance,
    memory?: WebAssembly.Memory,
    extraFixedBytes = 0,
    nameSuffix = '',
  ) {
    const rt = new WasmRuntime(instance, memory, extraFixedBytes);
    this.runtime = rt;
    registerWasmRuntime(this, rt); // satellites (loadWasmSatellite) run on this set's memory
    this.wasmVariant = rt.relaxed ? 'relaxed-simd' : 'simd';
    this.name = `wasm-${this.wasmVariant}${nameSuffix}`;
    this.residentStorage = rt.arena.shared ? rt.arena : undefined;
    const self = this as unknown as Record<string, unknown>;
    for (const d of kernelDescriptors) {
      // A bound function: no argument array per call.
      self[d.name] = (d.wasm as (rt: WasmRuntime, ...args: unknown[]) => unknown).bind(null, rt);
    }
  }
}

/** The shared-memory build and a new shared memory for it, or null where SharedArrayBuffer is missing. */
function sharedBuild(
  variant: WasmVariant,
): { bytes: Uint8Array<ArrayBuffer>; memory: WebAssembly.Memory } | null {
  if (typeof SharedArrayBuffer !== 'function') return null;
  try {
    const bytes = validWasmBytes(variant, relaxedSimdSharedWasmBase64, simdSharedWasmBase64);
    if (bytes === null) return null;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16384, shared: true });
    return memory.buffer instanceof SharedArrayBuffer ? { bytes, memory } : null;
  } catch {
    return null;
  }
}

/**
 * Creates the WebAssembly kernels synchronously, or returns null when WebAssembly SIMD is unavailable (or the engine
 * refuses synchronous compilation, as browsers may on the main thread for large modules): keep the TS kernels then.
 * With SharedArrayBuffer the set runs on a shared memory and has `residentStorage` (see the file comment).
 */
export function createWasmKernels(variant: WasmVariant = 'auto'): Kernels | null {
  try {
    const shared = sharedBuild(variant);
    if (shared !== null) {
      const { bytes, memory } = shared;
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      return new WasmKernels(instance, memory);
    }
    const bytes = wasmKernelBytes(variant);
    if (!bytes) return null;
    return new WasmKernels(new WebAssembly.Instance(new WebAssembly.Module(bytes), {}));
  } catch {
    return null;
  }
}

/** Asynchronous variant of createWasmKernels (works on a browser main thread whatever the module size). */
export async function loadWasmKernels(variant: WasmVariant = 'auto'): Promise<Kernels | null> {
  try {
    const shared = sharedBuild(variant);
    if (shared !== null) {
      const { bytes, memory } = shared;
      const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
      return new WasmKernels(instance, memory);
    }
    const bytes = wasmKernelBytes(variant);
    if (!bytes) return null;
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return new WasmKernels(instance);
  } catch {
    return null;
  }
}
