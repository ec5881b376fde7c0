/**
 * The training worker: runs the CLI's Trainer (src/train/loop.ts) step by step, posting progress, and
 * answers predictions and the optimizer race. Yields between steps so pause / reset / predict get through.
 */
import { getKernels, Rng, setKernels } from '@hw3/core';
import { saveTorchSafetensors } from '@hw3/core/safetensors';
import { createThreadedWasmKernels } from '@hw3/core/threads';
import { decodeMnistBinary, type MnistData } from '../src/data/mnist-data.js';
import { DEFAULTS } from '../src/train/defaults.js';
import { Trainer } from '../src/train/loop.js';
import { Race } from '../src/train/race.js';
import type { FromWorker, ToWorker } from './protocol.js';

const scope = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
const post = (m: FromWorker) => scope.postMessage(m);

/** Evaluate on this many held-out digits every EVAL_EVERY steps (all 2,000 at the end of an epoch). */
const EVAL_SUBSET = 500;
const EVAL_EVERY = 20;

let data: MnistData | null = null;

/**
 * Both cores where the platform allows it: in a cross-origin isolated page `@hw3/core/threads` starts a nested
 * worker sharing the WebAssembly memory (this worker blocks in Atomics.wait while it works; the page's main thread
 * never does). Bitwise the same results as one thread. Otherwise (no COOP/COEP headers, no SharedArrayBuffer, no
 * nested workers) the one-thread kernels stay.
 */
async function selectKernels(): Promise<{ threads: 1 | 2; kernels: string; threadsNote: string | null }> {
  const threaded = createThreadedWasmKernels();
  if (threaded !== null && (await threaded.ready()) && threaded.parallel) {
    setKernels(threaded);
    return { threads: 2, kernels: threaded.name, threadsNote: null };
  }
  threaded?.dispose();
  return {
    threads: 1,
    kernels: getKernels().name,
    threadsNote: oneThreadReason(),
  };
}

function oneThreadReason(): string {
  if (typeof SharedArrayBuffer !== 'function' || !self.crossOriginIsolated) {
    return 'one thread: the page is not cross-origin isolated (served without COOP: same-origin and COEP: require-corp), so there is no shared memory';
  }
  return 'one thread: the helper worker did not start';
}
let quickSubset: { of: Trainer; indices: Int32Array } | null = null;

/**
 * A fixed random sample of EVAL_SUBSET held-out digits for the frequent quick evaluations (the digits are
 * stored class by class, so the first 500 would be almost all zeros and ones).
 */
function quickEvalSubset(t: Trainer): Int32Array {
  if (quickSubset === null || quickSubset.of !== t) {
    const indices = t.heldOutIndices.slice();
    new Rng(1).shuffle(indices);
    quickSubset = { of: t, indices: indices.slice(0, EVAL_SUBSET) };
  }
  return quickSubset.indices;
}
let trainer: Trainer | null = null;
let running = false;
let generation = 0;
let raceRunning = false;

// A macrotask yield that is not clamped like nested setTimeout(0).
const channel = new MessageChannel();
const waiters: Array<() => void> = [];
channel.port1.onmessage = () => waiters.shift()?.();
const yieldNow = () =>
  new Promise<void>((resolve) => {
    waiters.push(resolve);
    channel.port2.postMessage(0);
  });

async function trainLoop(gen: number): Promise<void> {
  const t = trainer!;
  let windowStart = performance.now();
  let windowSamples = 0;
  while (running && gen === generation && !t.done) {
    const r = t.trainStep();
    windowSamples += r.count;
    const elapsed = (performance.now() - windowStart) / 1000;
    post({
      type: 'step',
      step: t.globalStep,
      epoch: t.epoch + 1,
      loss: r.loss,
      accuracy: r.correct / r.count,
      samplesPerSecond: windowSamples / Math.max(elapsed, 1e-9),
    });
    if (elapsed > 3) {
      windowStart = performance.now();
      windowSamples = 0;
    }
    if (t.epochComplete) {
      const metrics = t.finishEpoch();
      post({ type: 'epoch', metrics });
      post({
        type: 'eval',
        step: t.globalStep,
        heldOutAccuracy: metrics.heldOutAccuracy,
        count: t.heldOutIndices.length,
      });
    } else if (t.globalStep % EVAL_EVERY === 0 || t.globalStep === 5) {
      const subset = quickEvalSubset(t);
      post({ type: 'eval', step: t.globalStep, heldOutAccuracy: t.evaluate(subset), count: subset.length });
    }
    await yieldNow();
  }
  if (gen === generation) {
    running = false;
    post({ type: 'state', running: false, step: t.globalStep, done: t.done });
  }
}

async function runRace(lr: number, steps: number, seed: number): Promise<void> {
  const race = new Race(data!, { steps, batchSize: 64, lr, seed });
  raceRunning = true;
  const started = performance.now();
  try {
    while (!race.done) {
      const losses = race.next();
      post({ type: 'race-step', step: race.step, losses, gap: race.gaps[race.step - 1] });
      await yieldNow();
    }
    post({
      type: 'race-done',
      maxGap: race.maxGap,
      weightGaps: race.weightGaps(),
      seconds: (performance.now() - started) / 1000,
    });
  } finally {
    raceRunning = false;
  }
}

function fail(error: unknown): void {
  running = false;
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}

scope.onmessage = (event) => {
  const m = event.data;
  try {
    switch (m.type) {
      case 'init':
        fetch(m.dataUrl)
          .then((r) => {
            if (!r.ok) throw new Error(`could not load ${m.dataUrl}: HTTP ${r.status}`);
            return r.arrayBuffer();
          })
          .then(async (buf) => {
            data = decodeMnistBinary(new Uint8Array(buf));
            const kernels = await selectKernels();
            post({ type: 'ready', trainCount: 8000, heldOutCount: 2000, ...kernels });
          })
          .catch(fail);
        return;
      case 'start':
        if (data === null) throw new Error('the digits are not loaded yet');
        if (raceRunning) throw new Error('the race is running; wait for it to finish');
        if (running) return;
        if (trainer === null) {
          // The CLI's default run: DEFAULTS.epochs epochs, cosine learning rate, shift augmentation.
          trainer = new Trainer(data, {
            epochs: DEFAULTS.epochs,
            batchSize: DEFAULTS.batchSize,
            optimizer: m.optimizer,
            lr: m.lr,
            seed: m.seed,
            schedule: DEFAULTS.schedule,
            maxShift: DEFAULTS.shift,
          });
        }
        running = true;
        post({ type: 'state', running: true, step: trainer.globalStep, done: false });
        trainLoop(generation).catch(fail);
        return;
      case 'pause':
        running = false;
        return;
      case 'reset':
        generation++;
        running = false;
        trainer = null;
        post({ type: 'state', running: false, step: 0, done: false });
        return;
      case 'predict':
        if (trainer === null) throw new Error('train the model first (press Start)');
        post({ type: 'prediction', probabilities: trainer.predict(m.pixels) });
        return;
      case 'export-torch': {
        if (trainer === null) throw new Error('train the model first (press Start)');
        // Between two training steps: the conversion's shape-finding forward pass runs in eval mode and
        // restores the training flags, so the run continues unchanged.
        const bytes = saveTorchSafetensors(trainer.model, {
          inputShape: [1, 28, 28, 1],
          metadata: { format: 'pt', model: 'mnist-cnn-bn', step: String(trainer.globalStep) },
        });
        post({ type: 'torch-weights', bytes, step: trainer.globalStep });
        return;
      }
      case 'race':
        if (data === null) throw new Error('the digits are not loaded yet');
        if (running) throw new Error('pause training before running the race');
        if (raceRunning) return;
        runRace(m.lr, m.steps, m.seed).catch(fail);
        return;
    }
  } catch (error) {
    fail(error);
  }
};
