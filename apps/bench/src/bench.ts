/**
 * hw3 against TensorFlow.js (cpu and wasm backends), side by side in one process run.
 * Usage: npm run bench [-- --only=gemm,conv,pool,bn,train,infer] [--no-torch] [--baseline[=<git-ref>]]
 *        [--baseline-rounds=N]
 * Prints a table (ratios = TensorFlow.js / PyTorch / baseline time ÷ hw3 time) and writes results/bench-results.json.
 * PyTorch rows (GEMM, train step, inference at 1 and 2 threads) come from python/torch_bench.py when a Python can
 * import torch (src/torch.ts); --baseline adds A/B rows of an earlier commit (src/baseline.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWasmKernels, type Kernels, tsKernels } from '@hw3/core/kernels';
import { createThreadedWasmKernels } from '@hw3/core/threads';
import { BaselineError, benchBaseline, DEFAULT_BASELINE_REF, prepareBaseline } from './baseline';
import { benchBatchNorm, benchConv, benchGemm, benchMaxPool, gemmTask } from './kernel-benches';
import { BATCH } from './mnist-cnn-bn';
import {
  benchInference,
  benchTrainStep,
  INFER_BATCH,
  inferFlops,
  inferTask,
  trainFlops,
  trainTask,
} from './model-benches';
import { formatTable, gflops, type Row, samplesPerSecond } from './report';
import { registerTfGradients, tfBackendInfo, useTfBackend } from './tfjs';
import { benchTorch, findTorchPython, type TorchRequest } from './torch';

const SECTIONS = ['gemm', 'conv', 'pool', 'bn', 'train', 'infer'];
const args = process.argv.slice(2);
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;
for (const s of only ?? []) {
  if (!SECTIONS.includes(s)) {
    console.error(`--only: unknown section ${JSON.stringify(s)}; sections: ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
}
const want = (section: string) => only === null || only.has(section);
const withTorch = !args.includes('--no-torch');
const baselineArg = args.find((a) => a === '--baseline' || a.startsWith('--baseline='));
const baselineRef = baselineArg?.includes('=')
  ? baselineArg.slice('--baseline='.length)
  : DEFAULT_BASELINE_REF;
const roundsArg = args.find((a) => a.startsWith('--baseline-rounds='));
const baselineRounds = roundsArg ? Number(roundsArg.slice('--baseline-rounds='.length)) : 20;
if (!Number.isInteger(baselineRounds) || baselineRounds < 1 || baselineRounds > 1000) {
  console.error(`--baseline-rounds must be an integer in [1, 1000], got ${roundsArg?.split('=')[1]}`);
  process.exit(2);
}
// Resolve and prepare the baseline first: a bad ref fails in seconds, not after the whole bench.
let baseline: ReturnType<typeof prepareBaseline> | null = null;
if (baselineArg !== undefined) {
  try {
    baseline = prepareBaseline(baselineRef);
  } catch (error) {
    if (!(error instanceof BaselineError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}
const GEMM_SIZES = [256, 512, 1024];

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
let torchInfo: unknown = null;
/** PyTorch at 1 and 2 threads, in its own process, right after the section's hw3 and tfjs rows. */
const torch = (request: Omit<TorchRequest, 'threads'>): Row[] => {
  if (!withTorch) return [];
  const r = benchTorch(
    { threads: [1, 2], ...request },
    (t) =>
      t.task === 'train' ? trainTask(t.batch) : t.task === 'infer' ? inferTask(t.batch) : gemmTask(t.n ?? 0),
    (t) =>
      t.task === 'train'
        ? trainFlops(t.batch)
        : t.task === 'infer'
          ? inferFlops(t.batch)
          : 2 * (t.n ?? 0) ** 3,
    (t) => (t.task === 'train' || t.task === 'infer' ? (t.batch ?? null) : null),
  );
  torchInfo ??= r.info;
  return r.rows;
};
const sections: Array<[string, () => Promise<Row[]>]> = [
  ['gemm', async () => [...(await benchGemm(kernels, GEMM_SIZES)), ...torch({ gemm: GEMM_SIZES })]],
  ['conv', () => benchConv(kernels)],
  ['pool', () => benchMaxPool(kernels.filter((k) => !k.name.endsWith('threads')))],
  ['bn', () => benchBatchNorm(kernels.filter((k) => k.wasmVariant !== undefined))],
  ['train', async () => [...(await benchTrainStep(kernels)), ...torch({ train: { batch: BATCH } })]],
  ['infer', async () => [...(await benchInference(kernels)), ...torch({ infer: { batch: INFER_BATCH } })]],
];
for (const [name, run] of sections) {
  if (!want(name)) continue;
  const t = performance.now();
  rows.push(...(await run()));
  console.error(`[${name}] ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
if (baseline !== null) {
  const t = performance.now();
  try {
    rows.push(
      ...(await benchBaseline(baseline, {
        rounds: baselineRounds,
        torchPython: withTorch ? findTorchPython() : null,
      })),
    );
  } catch (error) {
    // The other sections' rows still get printed and saved.
    if (!(error instanceof BaselineError)) throw error;
    console.error(`--baseline rows skipped: ${error.message}`);
    process.exitCode = 1;
  }
  console.error(`[baseline ${baseline.short}] ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const seconds = (performance.now() - started) / 1000;
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
console.log('');
console.log(formatTable(rows));
console.log('');
console.log(
  'ratios: other median time / hw3 median time (higher = hw3 faster); vs torch = PyTorch with the same thread count; ' +
    `vs base = the baseline commit, measured A/B in this run. Total ${seconds.toFixed(1)} s, peak RSS ${maxRssMiB.toFixed(0)} MiB.`,
);

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, 'bench-results.json');
writeFileSync(
  file,
  `${JSON.stringify(
    {
      env: { ...env, torch: torchInfo, baseline },
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
