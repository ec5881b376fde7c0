/**
 * The kernel interface: every heavy numeric loop in @hw3/core goes through one object of type `Kernels`, so a
 * faster implementation (WebAssembly SIMD, worker threads) can replace the TypeScript one without touching ops,
 * layers or autograd. All arrays are contiguous row-major; all arrays passed to one call have the same element type
 * (Float32Array or Float64Array). Kernels never allocate per call in their hot loops; scratch space is reused.
 *
 * The list below is the only place that names every kernel: the `Kernels` type, `setKernels`' validation, the
 * TypeScript and WebAssembly kernel sets and the two-thread protocol are all derived from it. Each entry is one
 * op family's descriptor (its folder holds the TypeScript kernel, the reference, the AssemblyScript and the glue).
 */

import type { ResidentStorage } from '../storage';
import {
  conv2dBackwardInputKernel,
  conv2dBackwardWeightKernel,
  conv2dForwardKernel,
} from './conv2d/conv2d.descriptor';
import type { KernelMethods } from './descriptor';
import {
  channelSumKernel,
  reluBackwardKernel,
  reluForwardKernel,
} from './elementwise/elementwise.descriptor';
import { gemmKernel } from './gemm/gemm.descriptor';
import { maxPool2dBackwardKernel, maxPool2dForwardKernel } from './pool/max-pool2d.descriptor';

export type { Conv2dGeometry, FloatArray, Pool2dGeometry } from './types';

/** Every kernel, by op family (see each descriptor for its contract). */
export const kernelDescriptors = [
  gemmKernel,
  conv2dForwardKernel,
  conv2dBackwardInputKernel,
  conv2dBackwardWeightKernel,
  maxPool2dForwardKernel,
  maxPool2dBackwardKernel,
  reluForwardKernel,
  reluBackwardKernel,
  channelSumKernel,
] as const;

/** The kernel methods, name → signature (derived from `kernelDescriptors`). */
export type KernelFunctions = KernelMethods<typeof kernelDescriptors>;

/** The name of one kernel method. */
export type KernelName = keyof KernelFunctions;

/**
 * A kernel set: one function per descriptor (`gemm`, `conv2dForward`, `conv2dBackwardInput`,
 * `conv2dBackwardWeight`, `maxPool2dForward`, `maxPool2dBackward`, `reluForward`, `reluBackward`, `channelSum`).
 */
export interface Kernels extends KernelFunctions {
  /** A short name for benchmarks and logs: 'ts', 'wasm-simd', 'wasm-relaxed-simd', ... */
  readonly name: string;
  /**
   * Set by the WebAssembly kernel sets: which build they run. Packages with their own WebAssembly loops
   * (@hw3/batchnorm) use theirs, of the same build, exactly when the active kernels have this.
   */
  readonly wasmVariant?: 'simd' | 'relaxed-simd';
  /**
   * Set by WebAssembly kernel sets on a shared memory: where `tidy` scopes allocate op outputs, so these kernels use
   * them in place (no copy into or out of WebAssembly memory).
   */
  readonly residentStorage?: ResidentStorage;
}
