/**
 * hw3 against TensorFlow.js (cpu and wasm backends), side by side in one process run.
 * Usage: npm run bench [-- --only=gemm,conv,pool,bn,train,infer]
 * Prints a table (ratios = TensorFlow.js time / hw3 time) and writes results/bench-results.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWasmKernels, type Kernels, tsKernels } from '@hw3/core/kernels';
import { createThreadedWasmKernels } from '@hw3/core/threads';
import { benchBatchNorm, benchConv, benchGemm, benchMaxPool } from './kernel-benches';
import { benchInference, benchTrainStep } from './model-benches';
import { formatTable, gflops, type Row, samplesPerSecond } from './report';
import { registerTfGradients, tfBackendInfo, useTfBackend } from './tfjs';

const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;
const want = (section: string) => only === null || only.has(section);

const kernels: Kernels[] = [tsKernels];
for (const variant of ['simd', 'relaxed-simd'] as const) {
  const k = createWasmKernels(variant);
  if (k) kernels.push(k);
}
// Both cores (Node worker thread, shared wasm memory); identical results to one thread.
const threaded = createThreadedWasmKernels();
if (threaded && (await threaded.ready())) kernels.push(threaded);

registerTfGradients();
await useTfBackend('wasm');
await useTfBackend('cpu');
const env = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  hw3Kernels: kernels.map((k) => k.name),
  tfjs: tfBackendInfo(),
  date: new Date().toISOString(),
};
console.log(`hw3 bench — Node ${env.node}, ${env.cpu} (${env.cores} cores)`);
console.log(`hw3 kernels: ${env.hw3Kernels.join(', ')}; ${env.tfjs}`);
if (!env.hw3Kernels.includes('wasm-relaxed-simd')) {
  console.log(
    '(relaxed SIMD unavailable: on Node 20 run with --experimental-wasm-relaxed-simd, as `npm run bench` does)',
  );
}

const started = performance.now();
const rows: Row[] = [];
const sections: Array<[string, () => Promise<Row[]>]> = [
  ['gemm', () => benchGemm(kernels, [256, 512, 1024])],
  ['conv', () => benchConv(kernels)],
  ['pool', () => benchMaxPool(kernels.filter((k) => !k.name.endsWith('threads')))],
  ['bn', () => benchBatchNorm()],
  ['train', () => benchTrainStep(kernels)],
  ['infer', () => benchInference(kernels)],
];
for (const [name, run] of sections) {
  if (!want(name)) continue;
  const t = performance.now();
  rows.push(...(await run()));
  console.error(`[${name}] ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const seconds = (performance.now() - started) / 1000;
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
console.log('');
console.log(formatTable(rows));
console.log('');
console.log(
  `ratios: TensorFlow.js time / hw3 time (higher = hw3 faster). Total ${seconds.toFixed(1)} s, peak RSS ${maxRssMiB.toFixed(0)} MiB.`,
);

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, 'bench-results.json');
writeFileSync(
  file,
  `${JSON.stringify(
    {
      env,
      seconds,
      peakRssMiB: maxRssMiB,
      rows: rows.map((r) => ({ ...r, gflops: gflops(r), samplesPerSecond: samplesPerSecond(r) })),
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${file}`);
threaded?.dispose();
