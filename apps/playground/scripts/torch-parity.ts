/**
 * hw3 side of the PyTorch parity check (driven by torch-parity.py; see packages/core/README.md,
 * "PyTorch-layout state dicts"). Run from apps/playground with the @hw3/source condition:
 *
 *   npx tsx --conditions=@hw3/source scripts/torch-parity.ts export <dir>
 *     trains mnist-cnn-bn with hw3 on real MNIST for a few Adam steps, writes <dir>/hw3-model.safetensors
 *     (saveTorchSafetensors: PyTorch names and layouts) and <dir>/hw3-io.safetensors (held-out digits as NCHW
 *     `x`, hw3's eval-mode `logits`, and `logits64` of the same weights run in float64)
 *   npx tsx --conditions=@hw3/source scripts/torch-parity.ts import <dir>
 *     loads <dir>/torch-model.safetensors (a PyTorch state_dict) with loadTorchSafetensors into a fresh
 *     mnist-cnn-bn (float32, and float64 with the same weights) and compares its logits on
 *     <dir>/torch-io.safetensors's `x` (NCHW) with PyTorch's `logits` / `logits64`
 *
 * Each command prints one JSON line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad, Rng, Tensor } from '@hw3/core';
import {
  loadSafetensors,
  loadTorchSafetensors,
  nchwToNhwc,
  nhwcToNchw,
  saveSafetensors,
  saveTorchSafetensors,
} from '@hw3/core/safetensors';
import { loadMnist } from '../src/data/mnist-cache.node.js';
import { fillBatch, PIXELS } from '../src/data/mnist-data.js';
import { Trainer } from '../src/train/loop.js';
import { createMnistCnnBn } from '../src/train/model.js';

/** The same function in float64: an mnist-cnn-bn whose weights are `model`'s, converted exactly. */
function float64Copy(model: ReturnType<typeof createMnistCnnBn>): ReturnType<typeof createMnistCnnBn> {
  const m = createMnistCnnBn(new Rng(0), 'float64');
  m.loadStateDict(model.stateDict());
  return m.eval();
}

function float64(x: Tensor): Tensor {
  return new Tensor(Float64Array.from(x.data), x.shape);
}

const INPUT_SHAPE = [1, 28, 28, 1];
const [command, dir] = process.argv.slice(2);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function argmaxAgreement(a: ArrayLike<number>, b: ArrayLike<number>, classes: number): number {
  let same = 0;
  const rows = a.length / classes;
  for (let r = 0; r < rows; r++) {
    let ia = 0;
    let ib = 0;
    for (let c = 1; c < classes; c++) {
      if (a[r * classes + c] > a[r * classes + ia]) ia = c;
      if (b[r * classes + c] > b[r * classes + ib]) ib = c;
    }
    if (ia === ib) same++;
  }
  return same / rows;
}

if (command === 'export' && dir !== undefined) {
  const data = loadMnist();
  const steps = 40;
  const t = new Trainer(data, {
    epochs: 1,
    batchSize: 64,
    optimizer: 'adam',
    lr: 3e-3,
    seed: 2026,
    limitHeldOut: 256,
  });
  for (let i = 0; i < steps; i++) t.trainStep();
  const model = t.model;
  const heldOutAccuracy = t.evaluate(); // eval mode
  model.eval();
  const n = 64;
  const xData = new Float32Array(n * PIXELS);
  fillBatch(data, t.heldOutIndices, 0, n, xData, new Int32Array(n));
  const x = new Tensor(xData, [n, 28, 28, 1]);
  const logits = noGrad(() => model.forward(x));
  const logits64 = noGrad(() => float64Copy(model).forward(float64(x)));
  writeFileSync(join(dir, 'hw3-model.safetensors'), saveTorchSafetensors(model, { inputShape: INPUT_SHAPE }));
  writeFileSync(join(dir, 'hw3-io.safetensors'), saveSafetensors({ x: nhwcToNchw(x), logits, logits64 }));
  console.log(JSON.stringify({ command, trainSteps: steps, heldOutAccuracy, samples: n }));
} else if (command === 'import' && dir !== undefined) {
  const model = createMnistCnnBn(new Rng(7));
  const result = loadTorchSafetensors(
    model,
    new Uint8Array(readFileSync(join(dir, 'torch-model.safetensors'))),
    {
      inputShape: INPUT_SHAPE,
    },
  );
  model.eval();
  const io = loadSafetensors(new Uint8Array(readFileSync(join(dir, 'torch-io.safetensors')))).tensors;
  const x = nchwToNhwc(io.x);
  const logits = noGrad(() => model.forward(x));
  const logits64 = noGrad(() => float64Copy(model).forward(float64(x)));
  const numBatchesTracked = model.stateDict()['1.num_batches_tracked'].data[0];
  console.log(
    JSON.stringify({
      command,
      ...result,
      numBatchesTracked,
      samples: io.x.shape[0],
      maxAbsDiff: maxAbsDiff(logits.data, io.logits.data),
      maxAbsDiff64: maxAbsDiff(logits64.data, io.logits64.data),
      maxAbsLogit: maxAbsDiff(io.logits.data, new Float32Array(io.logits.size)),
      argmaxAgreement: argmaxAgreement(logits.data, io.logits.data, 10),
    }),
  );
} else {
  console.error('usage: torch-parity.ts export|import <dir>');
  process.exit(2);
}
