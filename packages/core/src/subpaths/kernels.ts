/**
 * `@hw3/core/kernels`: the kernel sets behind every op (WebAssembly SIMD, plain TypeScript) and their interface,
 * for choosing or benchmarking an implementation or writing one. Activate a set with `setKernels` from
 * `@hw3/core`; the two-thread set is in `@hw3/core/threads`.
 */
export {
  type Conv2dGeometry,
  createWasmKernels,
  type Kernels,
  loadWasmKernels,
  type Pool2dGeometry,
  tsKernels,
  type WasmVariant,
} from '../kernels/index';
