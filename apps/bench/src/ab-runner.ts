/**
 * Child process of `npm run bench -- --baseline`: measures this tree's mnist-cnn-bn training step / inference on
 * request, so the parent can interleave it with a baseline commit's (A/B/A/B) in the same minutes.
 *
 * src/baseline.ts copies this file into the baseline's checkout (apps/bench/src/ab-runner.ts there), so its imports
 * resolve to that tree's packages and model: keep it to the API that both trees have (createWasmKernels from
 * @hw3/core/kernels or the root, setKernels, @hw3/core/threads createThreadedWasmKernels, ./mnist-cnn-bn Hw3MnistCnnBn / syntheticBatch / BATCH),
 * which is why it only imports and does not share code with the rest of src/.
 *
 * Protocol (one JSON object per line): prints {"ready": true, "kernels": {"1": name, "2": name | null}}; then for each
 * request line {"task": "train" | "infer", "threads": 1 | 2, "budgetMs": number} prints {"times": [ms, ...]} (every
 * timed call: at least 2, until the budget is spent; a model's first request starts with 2 warm-up calls), or
 * {"error": message}. Exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import { setKernels } from '@hw3/core';
import type { Kernels } from '@hw3/core/kernels';
import { createThreadedWasmKernels } from '@hw3/core/threads';
import { BATCH, Hw3MnistCnnBn, syntheticBatch } from './mnist-cnn-bn';

// createWasmKernels lives in @hw3/core/kernels since the subpath split; trees before it (the default baseline
// 35d62e4 among them) export it from the root and have no such subpath.
type KernelsEntry = Pick<typeof import('@hw3/core/kernels'), 'createWasmKernels'>;
const { createWasmKernels } = (await import('@hw3/core/kernels').catch(
  () => import('@hw3/core'),
)) as unknown as KernelsEntry;

const INFER_BATCH = 256;

const one = createWasmKernels('relaxed-simd') ?? createWasmKernels('simd');
const threaded = createThreadedWasmKernels();
const two = threaded && (await threaded.ready()) ? threaded : null;
const kernelsOf = (threads: number): Kernels | null => (threads === 2 ? two : one);

const trainBatch = syntheticBatch(BATCH, 21);
const inferX = syntheticBatch(INFER_BATCH, 22).x;
const models = new Map<string, Hw3MnistCnnBn>();

function run(task: string, threads: number, budgetMs: number): number[] {
  const kernels = kernelsOf(threads);
  if (kernels === null) throw new Error(`no ${threads}-thread wasm kernels in this tree`);
  setKernels(kernels);
  const key = `${task}/${threads}`;
  let model = models.get(key);
  const isNew = model === undefined;
  if (model === undefined) {
    model = new Hw3MnistCnnBn(1);
    models.set(key, model);
  }
  const m = model;
  const call =
    task === 'train'
      ? () => {
          m.trainStep(trainBatch);
        }
      : () => {
          m.predict(inferX, INFER_BATCH);
        };
  // Warm-up (excluded) on a model's first request, as src/timing.ts does: two calls.
  if (isNew) for (let i = 0; i < 2; i++) call();
  const times: number[] = [];
  const start = performance.now();
  while (performance.now() - start < budgetMs || times.length < 2) {
    const t = performance.now();
    call();
    times.push(performance.now() - t);
    if (times.length >= 200) break;
  }
  return times;
}

const write = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
write({ ready: true, kernels: { 1: one?.name ?? null, 2: two?.name ?? null } });
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === '') continue;
  try {
    const request = JSON.parse(line) as { task: string; threads: number; budgetMs: number };
    write({ times: run(request.task, request.threads, request.budgetMs) });
  } catch (error) {
    write({ error: (error as Error).message });
  }
}
threaded?.dispose();
