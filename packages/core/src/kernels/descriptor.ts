import type { WasmRuntime } from './wasm/runtime';

/**
 * One kernel, described once: its name, its plain-TypeScript implementation (whose signature *is* the kernel's
 * signature: the `Kernels` type is derived from it), its WebAssembly glue (same arguments, after the runtime) and
 * the WebAssembly exports that glue may run on the worker thread (name → parameter count: the two-thread protocol is
 * derived from them). Every op family's folder (gemm/, conv2d/, pool/, elementwise/) exports its descriptors;
 * `kernelDescriptors` in kernels.ts lists them all.
 */
export interface KernelDescriptor<Name extends string = string, Fn extends AnyKernelFn = AnyKernelFn> {
  readonly name: Name;
  /** The plain-TypeScript kernel: the fallback, the float64 path, and the type of `Kernels[name]`. */
  readonly ts: Fn;
  /** The WebAssembly glue: copies or views the arguments in wasm memory, runs the exports, falls back to `ts`. */
  readonly wasm: (rt: WasmRuntime, ...args: Parameters<Fn>) => ReturnType<Fn>;
  /** WebAssembly exports the glue may post to the worker thread, with their parameter counts (all i32). */
  readonly wasmExports: Readonly<Record<string, number>>;
}

// biome-ignore lint/suspicious/noExplicitAny: the widest function type (parameters are contravariant).
export type AnyKernelFn = (...args: any[]) => unknown;

/** Identity with inference: `defineKernel({ name: 'gemm', ts: gemm, wasm: wasmGemm, wasmExports: { gemm: 14 } })`. */
export function defineKernel<const Name extends string, Fn extends AnyKernelFn>(
  descriptor: KernelDescriptor<Name, Fn>,
): KernelDescriptor<Name, Fn> {
  return descriptor;
}

/** The methods of a kernel set with these descriptors: name → the TypeScript kernel's signature. */
export type KernelMethods<D extends readonly KernelDescriptor[]> = {
  [K in D[number] as K['name']]: K['ts'];
};
