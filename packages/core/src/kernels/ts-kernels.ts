import { type KernelFunctions, type Kernels, kernelDescriptors } from './kernels';

/** The plain-TypeScript kernels: the default fallback, the float64 path, and what the others are tested against. */
export const tsKernels: Kernels = {
  name: 'ts',
  ...(Object.fromEntries(kernelDescriptors.map((d) => [d.name, d.ts])) as unknown as KernelFunctions),
};
