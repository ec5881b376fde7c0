import { defineConfig } from 'tsup';

// Bundles the CLI (with the @hw3 packages read from source) into one file run by plain `node`:
// no TypeScript loader in the training process keeps its peak memory low (see README, "Memory").
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  outDir: 'dist-cli',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  dts: false,
  sourcemap: true,
  clean: true,
  noExternal: [/^@hw3\//],
  esbuildOptions(options) {
    options.conditions = ['@hw3/source'];
  },
});
