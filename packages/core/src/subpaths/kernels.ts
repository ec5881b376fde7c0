/**
 * `@hw3/core/kernels`: the kernel sets behind every op (WebAssembly SIMD, plain TypeScript), their interface and
 * descriptors, and the WebAssembly loader other packages build their own kernels on (`instantiateWasm`,
 * `WasmArena`; `loadWasmSatellite` runs a package's own module on the active kernel set's memory and threads). For
 * choosing or benchmarking an implementation or writing one. Activate a set with `setKernels` from `@hw3/core`; the
 * two-thread set is in `@hw3/core/threads`. `allocateOutputLike` / `allocateIndices` give another package's ops the
 * same output storage as core's (resident in WebAssembly memory inside `tidy`).
 */
export {
  allocateIndices,
  allocateOutputLike,
  type Conv2dGeometry,
  createWasmKernels,
  instantiateWasm,
  type KernelDescriptor,
  type KernelName,
  type Kernels,
  kernelDescriptors,
  loadWasmKernels,
  loadWasmSatellite,
  type Pool2dGeometry,
  type ResidentStorage,
  type SatelliteWorker,
  tsKernels,
  WasmArena,
  type WasmBuilds,
  type WasmCall,
  type WasmSatellite,
  type WasmSatelliteBuilds,
  type WasmVariant,
} from '../kernels/index';
