import { ValueError } from '../errors';
import type { Kernels } from './kernels';
import { tsKernels } from './ts-kernels';
import { createWasmKernels } from './wasm/wasm-kernels';

export type { Conv2dGeometry, FloatArray, Kernels, Pool2dGeometry } from './kernels';
export { tsKernels } from './ts-kernels';

export { createWasmKernels, loadWasmKernels, type WasmVariant } from './wasm/wasm-kernels';

let active: Kernels | null = null;

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
  for (const method of [
    'gemm',
    'conv2dForward',
    'conv2dBackwardInput',
    'conv2dBackwardWeight',
    'maxPool2dForward',
    'maxPool2dBackward',
    'reluForward',
    'reluBackward',
    'channelSum',
  ] as const) {
    if (typeof kernels?.[method] !== 'function') {
      throw new ValueError(
        `setKernels: kernels.${method} must be a function, got ${typeof kernels?.[method]}`,
        'INVALID_KERNELS',
      );
    }
  }
  active = kernels;
}
