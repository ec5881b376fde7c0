import { ValueError } from '../errors';
import { setStorageSource } from '../storage';
import { type Kernels, kernelDescriptors } from './kernels';
import { tsKernels } from './ts-kernels';
import { createWasmKernels } from './wasm/wasm-kernels';

export { allocateIndices, allocateOutputLike } from '../dtype';
export type { ResidentStorage } from '../storage';
export type { KernelDescriptor } from './descriptor';
export type { Conv2dGeometry, FloatArray, KernelName, Kernels, Pool2dGeometry } from './kernels';
export { kernelDescriptors } from './kernels';
export { tsKernels } from './ts-kernels';
export { instantiateWasm, WasmArena, type WasmBuilds, type WasmVariant } from './wasm/arena';
export type { WasmCall } from './wasm/runtime';
export {
  loadWasmSatellite,
  type SatelliteWorker,
  type WasmSatellite,
  type WasmSatelliteBuilds,
} from './wasm/satellite';
export { createWasmKernels, loadWasmKernels } from './wasm/wasm-kernels';

let active: Kernels | null = null;

// tidy scopes allocate op outputs in the active kernel set's resident storage (storage.ts).
setStorageSource(() => getKernels().residentStorage);

/**
 * The kernels every op currently uses. Unless replaced with setKernels, the first call picks the WebAssembly
 * SIMD kernels (float32; float64 calls inside them run the TypeScript kernels) when the engine supports them,
 * else the TypeScript kernels.
 */
export function getKernels(): Kernels {
  if (active === null) active = createWasmKernels() ?? tsKernels;
  return active;
}

/** Replaces the kernels used by every op from now on, e.g. with a WebAssembly implementation. */
export function setKernels(kernels: Kernels): void {
  for (const { name } of kernelDescriptors) {
    if (typeof kernels?.[name] !== 'function') {
      throw new ValueError(
        `setKernels: kernels.${name} must be a function, got ${typeof kernels?.[name]}`,
        'INVALID_KERNELS',
      );
    }
  }
  active = kernels;
}
