/** TensorFlow.js with its cpu and wasm backends, set up for Node without network access. */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

export { tf };
export type TfBackend = 'cpu' | 'wasm';

let wasmReady = false;
let gradientsReady = false;

/**
 * Registers TensorFlow.js's gradient functions (needed by tf.grads and optimizers). In Node, '@tensorflow/tfjs-core'
 * resolves to a CommonJS bundle without them, and dist/register_all_gradients.js is extensionless ESM that Node
 * cannot load; so it is bundled once with esbuild into a CommonJS file and required. The bundle's registrations
 * land in the global gradient registry that the main engine reads.
 */
export function registerTfGradients(): void {
  if (gradientsReady) return;
  const require = createRequire(import.meta.url);
  const cacheDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  const outfile = join(cacheDir, 'tfjs-gradients.cjs');
  buildSync({
    entryPoints: [require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  require(outfile);
  gradientsReady = true;
}

/** Switches TensorFlow.js to a backend; the wasm binaries load from the installed package (file path, offline). */
export async function useTfBackend(backend: TfBackend): Promise<void> {
  if (backend === 'wasm' && !wasmReady) {
    const require = createRequire(import.meta.url);
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    setWasmPaths(`${dist}/`);
    // One thread: hw3 is measured on one thread too (and Node has no threaded tfjs-wasm build anyway).
    setThreadsCount(1);
    wasmReady = true;
  }
  if (!(await tf.setBackend(backend)))
    throw new Error(`TensorFlow.js backend ${backend} failed to initialise`);
  await tf.ready();
}

export function tfBackendInfo(): string {
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  return `tfjs-core ${tf.version_core}; wasm: SIMD ${simd}, threads ${getThreadsCount()}`;
}

/** Whether the active backend has a kernel (tfjs-wasm lacks Conv2DBackpropFilter, for example). */
export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
