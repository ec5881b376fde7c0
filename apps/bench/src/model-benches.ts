/** Training step and inference throughput of mnist-cnn-bn: hw3 (TS and wasm kernels) against TensorFlow.js. */
import { getKernels, setKernels } from '@hw3/core';
import type { Kernels } from '@hw3/core/kernels';
import { BATCH, Hw3MnistCnnBn, syntheticBatch, TfMnistCnnBn } from './mnist-cnn-bn';
import type { Row } from './report';
import { hasKernel, type TfBackend, useTfBackend } from './tfjs';
import { measure, type Timing } from './timing';

/** Multiply-adds per sample of mnist-cnn-bn (contract); a training step does about 3× the forward's work. */
export const MACS_PER_SAMPLE = 290_080;
export const INFER_BATCH = 256;
export const trainTask = (batch = BATCH) => `train step mnist-cnn-bn (batch ${batch}, Adam)`;
export const trainFlops = (batch = BATCH) => 3 * 2 * MACS_PER_SAMPLE * batch;
export const inferTask = (batch = INFER_BATCH) => `inference mnist-cnn-bn (batch ${batch}, eval)`;
export const inferFlops = (batch = INFER_BATCH) => 2 * MACS_PER_SAMPLE * batch;

function modelRow(
  task: string,
  impl: string,
  timing: Timing | null,
  samples: number,
  flops: number,
  note = '',
): Row {
  const ms = timing?.ms ?? null;
  return { task, impl, ms, bestMs: timing?.bestMs ?? null, reps: timing?.reps ?? 0, flops, samples, note };
}

export async function benchTrainStep(kernels: Kernels[]): Promise<Row[]> {
  const rows: Row[] = [];
  const task = trainTask();
  const flops = trainFlops();
  const batch = syntheticBatch(BATCH, 21);
  const saved = getKernels();
  for (const k of kernels) {
    setKernels(k);
    const model = new Hw3MnistCnnBn(1);
    const t = measure(() => model.trainStep(batch), { warmup: 2, budgetMs: 1500 });
    rows.push(modelRow(task, `hw3 ${k.name}`, t, BATCH, flops));
  }
  setKernels(saved);
  for (const backend of ['cpu', 'wasm'] as TfBackend[]) {
    await useTfBackend(backend);
    if (!hasKernel('Conv2DBackpropFilter')) {
      rows.push(
        modelRow(task, `tfjs ${backend}`, null, BATCH, flops, 'no Conv2DBackpropFilter kernel: cannot train'),
      );
      continue;
    }
    const model = new TfMnistCnnBn(1);
    const t = measure(() => model.trainStep(batch), { warmup: 1, budgetMs: 3000, minReps: 2 });
    rows.push(modelRow(task, `tfjs ${backend}`, t, BATCH, flops));
  }
  return rows;
}

export async function benchInference(kernels: Kernels[], batchSize = INFER_BATCH): Promise<Row[]> {
  const rows: Row[] = [];
  const task = inferTask(batchSize);
  const flops = inferFlops(batchSize);
  const { x } = syntheticBatch(batchSize, 22);
  const saved = getKernels();
  for (const k of kernels) {
    setKernels(k);
    const model = new Hw3MnistCnnBn(1);
    const t = measure(() => model.predict(x, batchSize));
    rows.push(modelRow(task, `hw3 ${k.name}`, t, batchSize, flops));
  }
  setKernels(saved);
  for (const backend of ['cpu', 'wasm'] as TfBackend[]) {
    await useTfBackend(backend);
    const model = new TfMnistCnnBn(1);
    const t = measure(() => model.predict(x, batchSize));
    rows.push(modelRow(task, `tfjs ${backend}`, t, batchSize, flops));
  }
  return rows;
}
