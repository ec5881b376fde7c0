/**
 * The training loop of mnist-cnn-bn, environment-neutral (no node: imports): the CLI and the web worker
 * both drive it one step at a time. Everything that decides the result (weights incl. BatchNorm running
 * statistics, optimizer state, RNG state, epoch / step and the data order) is in its checkpoint, so a
 * resumed run ends bitwise-identical to an uninterrupted one.
 */
import { loadSafetensors, noGrad, Rng, saveSafetensors, Tensor } from '@hw3/core';
import { crossEntropy } from '@hw3/losses';
import type { OptimizerStateDict } from '@hw3/optim';
import {
  CLASSES,
  fillBatch,
  fillShiftedBatch,
  HELD_OUT_COUNT,
  type MnistData,
  PIXELS,
  SPLIT_SEED,
  splitIndices,
  TRAIN_COUNT,
} from '../data/mnist-data.js';
import { createMnistCnnBn } from './model.js';
import type { OptimizerName } from './optimizers.js';
import { createOptimizer, type TrainingOptimizer } from './optimizers.js';
import { packState, unpackState } from './state-pack.js';

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  lr: number;
  seed: number;
  /** Train on the first N digits of the training split only (tests, quick demos). */
  limitTrain?: number | null;
  /** Evaluate on the first N held-out digits only. */
  limitHeldOut?: number | null;
  /** Data augmentation: random shifts of up to this many pixels per training digit (default 0 = none). */
  maxShift?: number;
  /** Learning-rate schedule over the whole run: 'constant' (default) or 'cosine' decay to 0. */
  schedule?: LrSchedule;
}

export type LrSchedule = 'constant' | 'cosine';
export const LR_SCHEDULES: readonly LrSchedule[] = ['constant', 'cosine'];

export interface EpochMetrics {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  heldOutAccuracy: number;
  samplesPerSecond: number;
  trainSeconds: number;
}

export interface StepResult {
  epoch: number;
  stepInEpoch: number;
  globalStep: number;
  loss: number;
  correct: number;
  count: number;
}

/** The loss (or, after an update, a weight) became NaN or ±∞: training cannot continue from this state. */
export class NonFiniteLossError extends Error {
  readonly code = 'E_NON_FINITE_LOSS';
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly loss: number,
    readonly parameter: string | null = null,
  ) {
    super(
      parameter === null
        ? `loss became ${loss} at epoch ${epoch + 1}, step ${step + 1}: training stopped (the learning rate is probably too high)`
        : `weights of ${parameter} became non-finite in the update of epoch ${epoch + 1}, step ${step + 1} (loss was ${loss}): ` +
            'training stopped (the learning rate is probably too high)',
    );
    this.name = 'NonFiniteLossError';
  }
}

export class CheckpointError extends Error {
  readonly code = 'E_CHECKPOINT';
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export const CHECKPOINT_FORMAT = 'hw3-playground-checkpoint/1';
const EVAL_BATCH = 100;

/** Index of the largest of `classes` values starting at `offset`. */
export function argmax(values: ArrayLike<number>, offset: number, classes: number): number {
  let best = 0;
  let bestValue = values[offset];
  for (let c = 1; c < classes; c++) {
    const v = values[offset + c];
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}

export function validateConfig(config: TrainConfig): void {
  const checkInt = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
    }
  };
  checkInt('epochs', config.epochs, 1, 100000);
  checkInt('batchSize', config.batchSize, 1, TRAIN_COUNT);
  checkInt('seed', config.seed, 0, 2 ** 32 - 1);
  if (!(Number.isFinite(config.lr) && config.lr > 0))
    throw new RangeError(`lr must be a finite number > 0, got ${config.lr}`);
  if (config.limitTrain != null) checkInt('limitTrain', config.limitTrain, 2, TRAIN_COUNT);
  if (config.limitHeldOut != null) checkInt('limitHeldOut', config.limitHeldOut, 1, HELD_OUT_COUNT);
  if (config.maxShift != null) checkInt('maxShift', config.maxShift, 0, 4);
  if (config.schedule != null && !LR_SCHEDULES.includes(config.schedule)) {
    throw new RangeError(
      `schedule must be one of ${LR_SCHEDULES.join(', ')}, got ${JSON.stringify(config.schedule)}`,
    );
  }
}

export class Trainer {
  readonly data: MnistData;
  readonly config: TrainConfig;
  readonly model: ReturnType<typeof createMnistCnnBn>;
  readonly optimizer: TrainingOptimizer;
  readonly trainIndices: Int32Array;
  readonly heldOutIndices: Int32Array;
  /** The current epoch's order of training digits (a permutation of trainIndices). */
  readonly order: Int32Array;
  readonly stepsPerEpoch: number;
  /** Batch order RNG (the model's init used its own Rng seeded with the same seed). */
  private readonly rng: Rng;
  /** Shift augmentation RNG (separate so turning augmentation on does not change the batch order). */
  private readonly augmentRng: Rng;
  private orderEpoch = -1;
  epoch = 0;
  stepInEpoch = 0;
  globalStep = 0;
  /** Per-step training loss, in order. */
  readonly lossCurve: number[] = [];
  readonly history: EpochMetrics[] = [];
  private lossSum = 0;
  private correct = 0;
  private seen = 0;
  private trainSeconds = 0;
  private readonly x: Float32Array;
  private readonly y: Int32Array;
  private readonly evalX = new Float32Array(EVAL_BATCH * PIXELS);
  private readonly evalY = new Int32Array(EVAL_BATCH);
  private readonly clock: () => number;
  private readonly namedParameters: Array<[string, Tensor]>;

  /**
   * Called after every training step and every evaluation batch. The CLI uses it to run a minor garbage
   * collection (each step frees ~16 MB of activations at once; see src/cli/train-command.ts).
   */
  afterBatch: (() => void) | null = null;

  constructor(data: MnistData, config: TrainConfig, clock: () => number = () => performance.now()) {
    validateConfig(config);
    this.data = data;
    this.config = { ...config };
    this.clock = clock;
    const split = splitIndices(data.count, TRAIN_COUNT, new Rng(SPLIT_SEED));
    // The digits are stored class by class, so a limited run takes a seeded random subset (not the first N).
    const subset = (all: Int32Array, n: number | null | undefined, seed: number) => {
      if (n == null) return all;
      const shuffled = all.slice();
      new Rng(seed).shuffle(shuffled);
      return shuffled.slice(0, n).sort();
    };
    this.trainIndices = subset(split.train, config.limitTrain, SPLIT_SEED + 1);
    this.heldOutIndices = subset(split.heldOut, config.limitHeldOut, SPLIT_SEED + 2);
    this.order = this.trainIndices.slice();
    const n = this.trainIndices.length;
    // A trailing batch of one digit cannot be batch-normalized in training mode: it is dropped.
    this.stepsPerEpoch =
      n % config.batchSize === 1 ? Math.floor(n / config.batchSize) : Math.ceil(n / config.batchSize);
    this.model = createMnistCnnBn(new Rng(config.seed));
    this.rng = new Rng(config.seed ^ 0x5eed);
    this.augmentRng = new Rng(config.seed ^ 0xa067);
    this.optimizer = createOptimizer(config.optimizer, this.model.parameters(), config.lr);
    this.namedParameters = this.model.namedParameters();
    this.x = new Float32Array(config.batchSize * PIXELS);
    this.y = new Int32Array(config.batchSize);
  }

  get done(): boolean {
    return this.epoch >= this.config.epochs;
  }

  /** True when every step of the current epoch ran and finishEpoch() is due. */
  get epochComplete(): boolean {
    return this.stepInEpoch >= this.stepsPerEpoch;
  }

  /**
   * One optimizer step on the next mini-batch. Throws NonFiniteLossError on a NaN/∞ loss (before the
   * optimizer update) or weight (after it); the trainer must then be discarded (BatchNorm's running
   * statistics already saw the batch), the last checkpoint is the state to go back to.
   */
  trainStep(): StepResult {
    if (this.done) throw new RangeError(`training is done (${this.config.epochs} epochs)`);
    if (this.epochComplete) throw new RangeError('the epoch is complete: call finishEpoch() first');
    const started = this.clock();
    if (this.orderEpoch !== this.epoch) {
      this.rng.shuffle(this.order);
      this.orderEpoch = this.epoch;
    }
    const bs = this.config.batchSize;
    const start = this.stepInEpoch * bs;
    const n = Math.min(bs, this.order.length - start);
    const maxShift = this.config.maxShift ?? 0;
    if (maxShift > 0)
      fillShiftedBatch(this.data, this.order, start, n, this.x, this.y, maxShift, this.augmentRng);
    else fillBatch(this.data, this.order, start, n, this.x, this.y);
    if (this.config.schedule === 'cosine') {
      // lr_t = lr · (1 + cos(π·t/T)) / 2 over the T steps of the whole run (t = 0 for the first step).
      const total = this.config.epochs * this.stepsPerEpoch;
      const lr = (this.config.lr * (1 + Math.cos((Math.PI * this.globalStep) / total))) / 2;
      for (const group of this.optimizer.paramGroups) group.lr = lr;
    }
    const targets = this.y.subarray(0, n);
    this.model.train();
    this.optimizer.zeroGrad();
    const logits = this.model.call(new Tensor(this.x.subarray(0, n * PIXELS), [n, 28, 28, 1]));
    const loss = crossEntropy(logits, targets);
    const lossValue = loss.item();
    if (!Number.isFinite(lossValue)) throw new NonFiniteLossError(this.epoch, this.stepInEpoch, lossValue);
    let correct = 0;
    const out = logits.data;
    for (let b = 0; b < n; b++) if (argmax(out, b * CLASSES, CLASSES) === targets[b]) correct++;
    loss.backward();
    this.optimizer.step();
    for (const [name, p] of this.namedParameters) {
      const d = p.data;
      for (let i = 0; i < d.length; i++) {
        if (!Number.isFinite(d[i]))
          throw new NonFiniteLossError(this.epoch, this.stepInEpoch, lossValue, name);
      }
    }
    const result: StepResult = {
      epoch: this.epoch,
      stepInEpoch: this.stepInEpoch,
      globalStep: this.globalStep,
      loss: lossValue,
      correct,
      count: n,
    };
    this.lossCurve.push(lossValue);
    this.lossSum += lossValue * n;
    this.correct += correct;
    this.seen += n;
    this.stepInEpoch++;
    this.globalStep++;
    this.trainSeconds += (this.clock() - started) / 1000;
    this.afterBatch?.();
    return result;
  }

  /** Evaluation-mode accuracy (running BatchNorm statistics) on `indices` (default: the held-out digits). */
  evaluate(indices: Int32Array = this.heldOutIndices): number {
    return this.evaluateDetailed(indices).accuracy;
  }

  evaluateDetailed(indices: Int32Array = this.heldOutIndices): {
    accuracy: number;
    correct: number;
    count: number;
  } {
    let correct = 0;
    this.model.eval();
    try {
      noGrad(() => {
        for (let start = 0; start < indices.length; start += EVAL_BATCH) {
          const n = Math.min(EVAL_BATCH, indices.length - start);
          fillBatch(this.data, indices, start, n, this.evalX, this.evalY);
          const logits = this.model.call(new Tensor(this.evalX.subarray(0, n * PIXELS), [n, 28, 28, 1])).data;
          for (let b = 0; b < n; b++) if (argmax(logits, b * CLASSES, CLASSES) === this.evalY[b]) correct++;
          this.afterBatch?.();
        }
      });
    } finally {
      this.model.train();
    }
    return { accuracy: indices.length === 0 ? 0 : correct / indices.length, correct, count: indices.length };
  }

  /** Probabilities of the 10 classes for one 28×28 image (eval mode). */
  predict(pixels: Float32Array): Float32Array {
    if (pixels.length !== PIXELS)
      throw new RangeError(`pixels must have ${PIXELS} values, got ${pixels.length}`);
    this.model.eval();
    try {
      return noGrad(() => {
        const logits = this.model.call(new Tensor(pixels.slice(), [1, 28, 28, 1])).data;
        let max = -Infinity;
        for (let c = 0; c < CLASSES; c++) max = Math.max(max, logits[c]);
        const p = new Float32Array(CLASSES);
        let sum = 0;
        for (let c = 0; c < CLASSES; c++) sum += p[c] = Math.exp(logits[c] - max);
        for (let c = 0; c < CLASSES; c++) p[c] /= sum;
        return p;
      });
    } finally {
      this.model.train();
    }
  }

  /** Closes the epoch: evaluates on the held-out digits and records the epoch's metrics. */
  finishEpoch(): EpochMetrics {
    if (!this.epochComplete)
      throw new RangeError(`epoch ${this.epoch + 1} has ${this.stepsPerEpoch - this.stepInEpoch} steps left`);
    const metrics: EpochMetrics = {
      epoch: this.epoch + 1,
      loss: this.lossSum / this.seen,
      trainAccuracy: this.correct / this.seen,
      heldOutAccuracy: this.evaluate(),
      samplesPerSecond: this.seen / this.trainSeconds,
      trainSeconds: this.trainSeconds,
    };
    this.history.push(metrics);
    this.epoch++;
    this.stepInEpoch = 0;
    this.lossSum = 0;
    this.correct = 0;
    this.seen = 0;
    this.trainSeconds = 0;
    return metrics;
  }

  /** The whole training state as safetensors bytes (weights + buffers as tensors, the rest in metadata). */
  saveCheckpoint(): Uint8Array {
    const tensors: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(this.model.stateDict())) tensors[`model.${name}`] = t;
    const packed = packState(this.optimizer.stateDict());
    packed.arrays.forEach((a, i) => {
      tensors[`optim.${i}`] = new Tensor(a.slice(), [a.length]);
    });
    const trainer = {
      epoch: this.epoch,
      stepInEpoch: this.stepInEpoch,
      globalStep: this.globalStep,
      orderEpoch: this.orderEpoch,
      order: Array.from(this.order),
      rng: this.rng.getState(),
      augmentRng: this.augmentRng.getState(),
      lossSum: this.lossSum,
      correct: this.correct,
      seen: this.seen,
      trainSeconds: this.trainSeconds,
      lossCurve: this.lossCurve,
      history: this.history,
    };
    return saveSafetensors(tensors, {
      format: CHECKPOINT_FORMAT,
      config: JSON.stringify(this.config),
      trainer: JSON.stringify(trainer),
      optimizer: JSON.stringify({ json: packed.json, arrays: packed.arrays.length }),
      optimizerClass: this.optimizer.constructor.name,
    });
  }

  /**
   * Rebuilds a trainer from saveCheckpoint() bytes. `epochs` may extend the run; `lr` changes the learning
   * rate from the next step on (the result then differs from the uninterrupted run, by choice).
   */
  static fromCheckpoint(
    data: MnistData,
    bytes: Uint8Array,
    overrides: { epochs?: number; lr?: number } = {},
    clock?: () => number,
  ): Trainer {
    const { tensors, metadata } = loadSafetensors(bytes);
    if (metadata.format !== CHECKPOINT_FORMAT) {
      throw new CheckpointError(
        `not a playground checkpoint: metadata format is ${JSON.stringify(metadata.format)}, expected "${CHECKPOINT_FORMAT}"`,
      );
    }
    const config = JSON.parse(metadata.config) as TrainConfig;
    if (overrides.epochs !== undefined) config.epochs = overrides.epochs;
    if (overrides.lr !== undefined) config.lr = overrides.lr;
    const trainer = new Trainer(data, config, clock);
    const modelState: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(tensors))
      if (name.startsWith('model.')) modelState[name.slice(6)] = t;
    trainer.model.loadStateDict(modelState, { strict: true });
    const opt = JSON.parse(metadata.optimizer) as { json: unknown; arrays: number };
    const arrays: Array<Float32Array | Float64Array> = [];
    for (let i = 0; i < opt.arrays; i++) {
      const t = tensors[`optim.${i}`];
      if (t === undefined) throw new CheckpointError(`checkpoint is missing tensor optim.${i}`);
      arrays.push(t.data);
    }
    trainer.optimizer.loadStateDict(unpackState(opt.json, arrays) as OptimizerStateDict);
    if (overrides.lr !== undefined)
      for (const group of trainer.optimizer.paramGroups) group.lr = overrides.lr;
    const s = JSON.parse(metadata.trainer);
    if (s.order.length !== trainer.order.length) {
      throw new CheckpointError(
        `checkpoint data order has ${s.order.length} digits, this run has ${trainer.order.length}`,
      );
    }
    trainer.order.set(s.order);
    trainer.rng.setState(s.rng);
    trainer.augmentRng.setState(s.augmentRng);
    trainer.orderEpoch = s.orderEpoch;
    trainer.epoch = s.epoch;
    trainer.stepInEpoch = s.stepInEpoch;
    trainer.globalStep = s.globalStep;
    trainer.lossSum = s.lossSum;
    trainer.correct = s.correct;
    trainer.seen = s.seen;
    trainer.trainSeconds = s.trainSeconds;
    trainer.lossCurve.push(...s.lossCurve);
    trainer.history.push(...s.history);
    return trainer;
  }
}
