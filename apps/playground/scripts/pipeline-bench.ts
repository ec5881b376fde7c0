/**
 * The demo's data pipeline against its training step, in one process: batch assembly (fillBatch), with shift
 * augmentation (fillShiftedBatch, --shift 1), held-out evaluation (2000 digits, batch 100) and the training step,
 * each timed over the same epoch of the default run. Prints ms per batch and shares of the step. Then the
 * playground's Trainer.trainStep against the bench's step (apps/bench/src/mnist-cnn-bn.ts, the same net, batch and
 * optimizer built from functional ops), interleaved in blocks of 10 steps, to show where a samples/s gap goes.
 * Usage: node --conditions=@hw3/source --experimental-wasm-relaxed-simd --import tsx \
 *          scripts/pipeline-bench.ts [--steps=125] [--threads=1|2]
 */
import { getKernels, Rng } from '@hw3/core';
// Measurement only (not part of the app): the bench's model, for the side-by-side step comparison.
import { Hw3MnistCnnBn, syntheticBatch } from '../../bench/src/mnist-cnn-bn.js';
import { selectKernels } from '../src/cli/kernels.js';
import { loadMnist } from '../src/data/mnist-cache.node.js';
import { fillBatch, fillShiftedBatch, PIXELS } from '../src/data/mnist-data.js';
import { Trainer } from '../src/train/loop.js';

const arg = (name: string, fallback: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : fallback;
};
const steps = arg('steps', 125);
const threads = arg('threads', 1) as 1 | 2;
const kernels = await selectKernels(threads);
const data = loadMnist();
const trainer = new Trainer(data, {
  epochs: 12,
  batchSize: 64,
  optimizer: 'adam',
  lr: 1e-3,
  seed: 0,
  schedule: 'cosine',
  maxShift: 1,
});

const median = (t: number[]) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)];
const x = new Float32Array(64 * PIXELS);
const y = new Int32Array(64);
const order = trainer.trainIndices.slice();
new Rng(1).shuffle(order);
const rng = new Rng(2);
const time = (fn: (i: number) => void, n: number) => {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    if (trainer.epochComplete) trainer.finishEpoch(); // not timed (it evaluates)
    const s = performance.now();
    fn(i);
    t.push(performance.now() - s);
  }
  return t;
};
const batches = Math.floor(order.length / 64);
// Warm up the fill functions, then time one epoch's worth of each.
time((i) => fillBatch(data, order, (i % batches) * 64, 64, x, y), 50);
time((i) => fillShiftedBatch(data, order, (i % batches) * 64, 64, x, y, 1, rng), 50);
const plain = time((i) => fillBatch(data, order, (i % batches) * 64, 64, x, y), batches);
const shifted = time((i) => fillShiftedBatch(data, order, (i % batches) * 64, 64, x, y, 1, rng), batches);
for (let i = 0; i < 5; i++) trainer.trainStep();
const step = time(() => trainer.trainStep(), steps);
trainer.evaluate(); // warm-up
const evals = time(() => trainer.evaluate(), 3);
const stepMs = median(step);
const pct = (ms: number) => `${((100 * ms) / stepMs).toFixed(2)} %`;
console.log(`kernels ${getKernels().name}; ${steps} training steps, batch 64`);
console.log(`train step (incl. its shifted fill)   ${stepMs.toFixed(3)} ms median`);
console.log(
  `fillBatch (64 digits)                 ${median(plain).toFixed(4)} ms  = ${pct(median(plain))} of a step`,
);
console.log(
  `fillShiftedBatch (64 digits, shift 1) ${median(shifted).toFixed(4)} ms  = ${pct(median(shifted))} of a step`,
);
const evalMs = median(evals);
const epochTrainMs = stepMs * trainer.stepsPerEpoch;
console.log(
  `held-out evaluation (${trainer.heldOutIndices.length} digits) ${evalMs.toFixed(1)} ms = ` +
    `${((100 * evalMs) / epochTrainMs).toFixed(2)} % of an epoch's ${trainer.stepsPerEpoch} steps (${epochTrainMs.toFixed(0)} ms)`,
);

// Trainer.trainStep (real digits, shifts, lr schedule, argmax, finite check: what npm start runs) vs the bench's step
// (as `npm run bench` runs it), interleaved in blocks.
const benchModel = new Hw3MnistCnnBn(1);
const batch = syntheticBatch(64, 21);
for (let i = 0; i < 3; i++) benchModel.trainStep(batch);
const variants: Array<[string, () => void]> = [
  ['Trainer.trainStep (npm start)', () => trainer.trainStep()],
  ['bench step (npm run bench)', () => benchModel.trainStep(batch)],
];
const wall = variants.map(() => [] as number[]);
const cpu = variants.map(() => 0);
const faults = variants.map(() => 0);
const rounds = arg('rounds', 10);
for (let round = 0; round < rounds; round++) {
  variants.forEach(([, fn], v) => {
    const c = process.cpuUsage();
    const f = process.resourceUsage().minorPageFault;
    wall[v].push(...time(fn, 10));
    const d = process.cpuUsage(c);
    cpu[v] += (d.user + d.system) / 1000;
    faults[v] += process.resourceUsage().minorPageFault - f;
  });
}
console.log(
  `A/B, ${rounds} rounds × 10 steps each (wall ms median / mean, CPU ms per step incl. the worker, page faults per step):`,
);
const mean = (t: number[]) => t.reduce((x, y) => x + y, 0) / t.length;
variants.forEach(([name], v) => {
  const n = wall[v].length;
  console.log(
    `  ${name.padEnd(42)} ${median(wall[v]).toFixed(3)} / ${mean(wall[v]).toFixed(3)} ms  cpu ${(cpu[v] / n).toFixed(2)} ms  faults ${(faults[v] / n).toFixed(0)}` +
      `  → median ${((100 * median(wall[1])) / median(wall[v])).toFixed(1)} % of the bench's samples/s`,
  );
});
kernels.restore();
