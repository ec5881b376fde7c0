import { defineConfig } from 'tsup';

export default defineConfig({
  // One file per entry point (package.json "exports"); shared code goes into chunks (splitting, also for CJS), so
  // both entries throw the same ShapeError class.
  entry: { index: 'src/index.ts', summary: 'src/subpaths/summary.ts' },
  splitting: true,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
