import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/testing.ts'],
  // testing.ts imports '@hw3/optim' by name so both entries share one OptimError class (also in CJS).
  external: ['@hw3/optim'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
