import { defineConfig } from 'tsup';

export default defineConfig({
  entry: [
    'src/index.ts',
    'src/testing.ts',
    'src/threads.ts',
    'src/threads.node.ts',
    'src/threads.browser.ts',
  ],
  // testing.ts imports '@hw3/core' by name so both entries share one Tensor class (also in CJS).
  external: ['@hw3/core'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
