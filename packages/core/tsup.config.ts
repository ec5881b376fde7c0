import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    kernels: 'src/subpaths/kernels.ts',
    safetensors: 'src/subpaths/safetensors.ts',
    testing: 'src/testing.ts',
    threads: 'src/threads.ts',
    'threads.node': 'src/threads.node.ts',
    'threads.browser': 'src/threads.browser.ts',
  },
  // Shared code goes into chunks (also for CJS), so the subpaths use the root's classes and kernel state.
  splitting: true,
  // testing.ts imports '@hw3/core' by name so both entries share one Tensor class (also in CJS).
  external: ['@hw3/core'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
