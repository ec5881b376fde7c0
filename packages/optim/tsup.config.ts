import { defineConfig } from 'tsup';

export default defineConfig({
  // One file per entry point (package.json "exports"); shared code goes into chunks (splitting, also for CJS), so
  // every subpath uses the same classes (OptimError, Optimizer) as the root.
  entry: {
    index: 'src/index.ts',
    schedules: 'src/subpaths/schedules.ts',
    transforms: 'src/subpaths/transforms.ts',
    testing: 'src/testing.ts',
  },
  // testing.ts imports '@hw3/optim' by name (the root entry), like a user's test would.
  external: ['@hw3/optim'],
  splitting: true,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
