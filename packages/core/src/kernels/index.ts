import type { Kernels } from './kernels';
import { tsKernels } from './ts-kernels';

export type { Conv2dGeometry, FloatArray, Kernels, Pool2dGeometry } from './kernels';
export { tsKernels } from './ts-kernels';

let active: Kernels = tsKernels;

/** The kernels every op currently uses (the TypeScript kernels unless replaced with setKernels). */
export function getKernels(): Kernels {
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
  ] as const) {
    if (typeof kernels?.[method] !== 'function') {
      throw new TypeError(
        `setKernels: kernels.${method} must be a function, got ${typeof kernels?.[method]}`,
      );
    }
  }
  active = kernels;
}
