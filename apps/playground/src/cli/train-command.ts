/** `npm start` (train): trains mnist-cnn-bn, prints progress and a table, saves the run folder. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { loadMnist } from '../data/mnist-cache.node.js';
import { HELD_OUT_COUNT, TRAIN_COUNT } from '../data/mnist-data.js';
import { loadCheckpoint, saveCheckpoint } from '../train/checkpoint.js';
import { NonFiniteLossError, Trainer } from '../train/loop.js';
import { countParameters } from '../train/model.js';
import type { TrainOptions } from './args.js';
import { defaultRunDir, makeRunDir, writeFileAtomic } from './files.js';
import type { CliIo } from './io.js';
import { type KernelChoice, selectKernels } from './kernels.js';
import { metricsCsv, metricsJson, tableHeader, tableRow } from './metrics.js';
import { createProgress, type Progress } from './progress.js';

export const CHECKPOINT_FILE = 'model.safetensors';

function resolveCheckpoint(cwd: string, path: string): string {
  const full = resolve(cwd, path);
  if (!existsSync(full)) throw new Error(`--resume ${path}: no such file or folder`);
  return statSync(full).isDirectory() ? join(full, CHECKPOINT_FILE) : full;
}

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

export async function runTrain(options: TrainOptions, io: CliIo): Promise<number> {
  const started = performance.now();
  const kernels = await selectKernels(options.threads);
  if (kernels.note !== null) io.stderr.write(`note: ${kernels.note}\n`);
  try {
    return await train(options, io, kernels, started);
  } finally {
    kernels.restore(); // stops the worker thread, so nothing keeps the process alive
  }
}

/**
 * The steps of one epoch with the progress bar, yielding to the event loop after each (a small function of its own:
 * the per-step loop is what V8 optimizes, and the rest of `train` runs once per epoch or once).
 */
async function runEpochSteps(trainer: Trainer, progress: Progress): Promise<void> {
  let seen = 0;
  let correct = 0;
  const epochStart = performance.now();
  while (!trainer.epochComplete) {
    const step = trainer.trainStep();
    seen += step.count;
    correct += step.correct;
    const speed = seen / Math.max((performance.now() - epochStart) / 1000, 1e-9);
    progress.update(
      trainer.stepInEpoch,
      `loss ${step.loss.toFixed(4)}, train acc ${((correct / seen) * 100).toFixed(1)}%, ${Math.round(speed)} samples/s`,
    );
    await yieldToEventLoop();
  }
}

async function train(
  options: TrainOptions,
  io: CliIo,
  kernels: KernelChoice,
  started: number,
): Promise<number> {
  // With --json, stdout carries exactly one JSON line; everything human goes to stderr.
  const human = options.json ? io.stderr : io.stdout;
  const data = loadMnist(io.dataPath);
  let trainer: Trainer;
  let runDir: string;
  if (options.resume !== null) {
    const checkpoint = resolveCheckpoint(io.cwd, options.resume);
    if (!existsSync(checkpoint)) throw new Error(`--resume ${options.resume}: ${checkpoint} does not exist`);
    trainer = loadCheckpoint(data, new Uint8Array(readFileSync(checkpoint)), {
      epochs: options.epochsGiven ? options.epochs : undefined,
      lr: options.lrGiven ? options.lr : undefined,
    });
    runDir = options.out !== null ? resolve(io.cwd, options.out) : dirname(checkpoint);
  } else {
    trainer = new Trainer(data, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      optimizer: options.optimizer,
      lr: options.lr,
      seed: options.seed,
      schedule: options.schedule,
      maxShift: options.shift,
      limitTrain: options.limitTrain,
      limitHeldOut: options.limitHeldOut,
    });
    runDir = options.out !== null ? resolve(io.cwd, options.out) : defaultRunDir(io.cwd, io.now());
  }
  makeRunDir(runDir);
  const shownDir = relative(io.cwd, runDir) || '.';
  const c = trainer.config;
  human.write(
    `hw3 playground: mnist-cnn-bn (${countParameters(trainer.model).toLocaleString('en-US')} parameters) on ` +
      `${trainer.trainIndices.length.toLocaleString('en-US')} MNIST training digits, ` +
      `${trainer.heldOutIndices.length.toLocaleString('en-US')} held out` +
      (trainer.trainIndices.length !== TRAIN_COUNT || trainer.heldOutIndices.length !== HELD_OUT_COUNT
        ? ' (limited)'
        : '') +
      `\n${c.optimizer} lr ${c.lr} (${c.optimizer === 'adam-as-adagrad' ? 'η0/√t' : (c.schedule ?? 'constant')}), ` +
      `batch ${c.batchSize}, ${c.epochs} epochs, shift augmentation ${c.maxShift ?? 0} px, seed ${c.seed}` +
      (options.resume !== null ? `, resumed at epoch ${trainer.epoch + 1}` : '') +
      ` → ${shownDir}\n` +
      `kernels ${kernels.name}, ${kernels.threads} thread${kernels.threads === 1 ? '' : 's'}\n`,
  );
  const checkpointPath = join(runDir, CHECKPOINT_FILE);
  const saveAll = () => {
    writeFileAtomic(checkpointPath, saveCheckpoint(trainer));
    writeFileAtomic(join(runDir, 'metrics.csv'), metricsCsv(trainer.history));
    writeFileAtomic(
      join(runDir, 'metrics.json'),
      metricsJson(trainer.config, trainer.history, trainer.lossCurve),
    );
  };
  const progress = createProgress(io.interactive && !options.json, human);
  let tableStarted = false;
  let lastSaved = options.resume !== null ? trainer.epoch : 0;
  const firstEpoch = trainer.epoch; // the pipeline timings cover the epochs of this process only
  try {
    while (!trainer.done) {
      progress.start(`epoch ${trainer.epoch + 1}/${c.epochs}`, trainer.stepsPerEpoch);
      await runEpochSteps(trainer, progress);
      progress.stop();
      const metrics = trainer.finishEpoch();
      if (!tableStarted) {
        human.write(tableHeader());
        tableStarted = true;
      }
      human.write(tableRow(metrics));
      saveAll();
      lastSaved = trainer.epoch;
      if (options.stopAfterEpoch !== null && trainer.epoch >= options.stopAfterEpoch && !trainer.done) {
        human.write(`stopped after epoch ${trainer.epoch} as asked; resume with --resume ${shownDir}\n`);
        return 0;
      }
    }
  } catch (error) {
    progress.stop();
    if (error instanceof NonFiniteLossError) {
      io.stderr.write(
        `error: ${error.message}.\n` +
          (lastSaved > 0
            ? `The last good checkpoint (after epoch ${lastSaved}) is kept in ${join(shownDir, CHECKPOINT_FILE)}.\n`
            : 'No checkpoint was saved (the loss was non-finite before the first epoch ended).\n') +
          'Try a smaller --lr.\n',
      );
      return 1;
    }
    throw error;
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const final = trainer.history[trainer.history.length - 1];
  const totalSamples = trainer.history.reduce((s, m) => s + m.samplesPerSecond * m.trainSeconds, 0);
  const totalTrainSeconds = trainer.history.reduce((s, m) => s + m.trainSeconds, 0);
  const samplesPerSecond = totalSamples / totalTrainSeconds;
  human.write(
    `Final held-out accuracy: ${(final.heldOutAccuracy * 100).toFixed(2)}% ` +
      `(${Math.round(final.heldOutAccuracy * trainer.heldOutIndices.length)}/${trainer.heldOutIndices.length}) ` +
      `after ${trainer.history.length} epochs\n` +
      `Time: ${wallSeconds.toFixed(1)} s (${Math.round(samplesPerSecond)} training samples/s)\n` +
      `${trainer.pipeline.summary(trainer.history.slice(firstEpoch).reduce((s, m) => s + m.trainSeconds, 0))}\n` +
      `Saved run to ${shownDir}/ (${CHECKPOINT_FILE}, metrics.csv, metrics.json)\n`,
  );
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({
        heldOutAccuracy: final.heldOutAccuracy,
        epochs: trainer.history.length,
        samplesPerSecond,
        wallSeconds,
        runDir,
        kernels: kernels.name,
        threads: kernels.threads,
      })}\n`,
    );
  }
  return 0;
}
