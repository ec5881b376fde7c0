import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const appRoot = dirname(fileURLToPath(import.meta.url));
const dataFile = join(appRoot, 'public', 'data', 'mnist-10k.bin');

/** Makes the compact MNIST binary (gitignored) before a build or dev server, so dist/ ships it. */
function mnistData(): Plugin {
  return {
    name: 'hw3-mnist-data',
    buildStart() {
      if (existsSync(dataFile)) return;
      const r = spawnSync(process.execPath, [join(appRoot, 'scripts', 'convert-mnist.mjs'), dataFile], {
        stdio: 'inherit',
      });
      if (r.status !== 0) throw new Error(`could not make ${dataFile}`);
    },
  };
}

/**
 * Cross-origin isolation: with these two headers the page gets SharedArrayBuffer and the training worker runs the
 * kernels on two threads (a nested worker sharing the WebAssembly memory); without them, one thread.
 */
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  root: join(appRoot, 'web'),
  base: './',
  publicDir: join(appRoot, 'public'),
  // Read the @hw3 packages from source (no stale build in between).
  resolve: { conditions: ['@hw3/source', 'module', 'browser', 'import', 'default'] },
  worker: { format: 'es' },
  plugins: [mnistData()],
  build: {
    outDir: join(appRoot, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1000,
  },
});
