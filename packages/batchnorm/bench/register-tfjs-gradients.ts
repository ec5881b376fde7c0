/**
 * TensorFlow.js registers its gradient functions only from its per-file ESM build
 * (`dist/register_all_gradients.js`, normally pulled in by the `@tensorflow/tfjs` union package), and those
 * files use extensionless imports that Node's ESM loader refuses. This bundles that one entry with esbuild
 * (already installed with tsx/tsup) and runs it once: the registry it fills is tfjs's global one, so
 * `tf.grads` in the main `@tensorflow/tfjs-core` instance then finds every gradient. Bench-only code.
 */
import { createRequire } from 'node:module';
import { buildSync } from 'esbuild';

export function registerTfjsGradients(): void {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  const bundle = buildSync({
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  new Function('require', 'module', 'exports', bundle.outputFiles[0].text)(require, { exports: {} }, {});
}
