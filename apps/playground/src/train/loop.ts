/**
 * The training loop of mnist-cnn-bn, environment-neutral (no node: imports): the CLI and the web worker
 * both drive it one step at a time. Its configuration is in config.ts; everything else that decides the
 * result (weights incl. BatchNorm running statistics, optimizer state, and the loop's `progress()`: RNG states,
 * epoch / step and the data order) goes into a checkpoint (checkpoint.ts), so a resumed run ends
 * bitwise-identical to an uninterrupted one.
 */
import { noGrad, Rng, Tensor, tidy } from '@hw3/core';
import { crossEntropy } from '@hw3/losses';
import {
  CLASSES,
  fillBatch,
  fillShiftedBatch,
  type MnistData,
  PIXELS,
  SPLIT_SEED,
  splitIndices,
  TRAIN_COUNT,
} from '../data/mnist-data.js';
import { PipelineTimings } from '../data/pipeline-timings.js';
import { scheduledLr, stepsPerEpoch, type TrainConfig, validateConfig } from './config.js';
import { createMnistCnnBn } from './model.js';
import { createOptimizer, type TrainingOptimizer } from './optimizers.js';

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

/** The loop's own state besides the model and the optimizer: what a checkpoint needs to continue exactly. */
export interface TrainerProgress {
  epoch: number;
  stepInEpoch: number;
  globalStep: number;
  orderEpoch: number;
  order: number[];
  rng: number[];
  augmentRng: number[];
  lossSum: number;
  correct: number;
  seen: number;
  trainSeconds: number;
  lossCurve: number[];
  history: EpochMetrics[];
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

/**
 * Held-out evaluation batch. Any size gives the same logits bit for bit (every op of the eval forward is per-sample;
 * tested in loop.test.ts). 200 since evaluation runs in tidy scopes on the kernel v2 path (2026-12-04, quiet 2-core
 * EPYC, 2,000 digits, medians of 5 interleaved rounds ×2 runs): two threads 92–118 ms at batch 50, 70–79 at 100,
 * 70–71 at 200, 67–72 at 250; one thread 105–114 ms at 50, 90–113 at 200 (no clear difference). The earlier choice
 * of 50 (activations in cache) was measured when every op allocated fresh output arrays.
 */
export const EVAL_BATCH = 200;

/** How many of the n rows of `logits` (n × CLASSES) have their largest value at `targets[row]`. */
function countCorrect(logits: ArrayLike<number>, targets: ArrayLike<number>, n: number): number {
  let right = 0;
  for (let b = 0; b < n; b++) if (argmax(logits, b * CLASSES, CLASSES) === targets[b]) right++;
  return right;
}

/**
 * The name of the first parameter holding a NaN or ±∞, or null. (Its own small function, like countCorrect: the
 * step's loops do not make V8 compile the whole step twice, on-stack and then whole.)
 */
function firstNonFinite(params: ReadonlyArray<readonly [string, Tensor]>): string | null {
  for (let k = 0; k < params.length; k++) {
    const d = params[k][1].data;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return params[k][0];
  }
  return null;
}

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
  /** Time spent assembling batches and evaluating (timing only, not in checkpoints). */
  readonly pipeline = new PipelineTimings();

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
    this.stepsPerEpoch = stepsPerEpoch(this.trainIndices.length, config.batchSize);
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
    const fillStarted = performance.now();
    if (maxShift > 0)
      fillShiftedBatch(this.data, this.order, start, n, this.x, this.y, maxShift, this.augmentRng);
    else fillBatch(this.data, this.order, start, n, this.x, this.y);
    this.pipeline.batchSeconds += (performance.now() - fillStarted) / 1000;
    this.pipeline.batches++;
    this.pipeline.shifted ||= maxShift > 0;
    const lr = scheduledLr(this.config, this.globalStep, this.config.epochs * this.stepsPerEpoch);
    if (lr !== null) for (const group of this.optimizer.paramGroups) group.lr = lr;
    const targets = this.y.subarray(0, n);
    this.model.train();
    // One tidy scope per step: activations and gradients live in the WebAssembly kernels' memory (used in place,
    // reused by the next step); only the loss and the count of correct predictions leave the scope.
    const { lossValue, correct } = tidy(() => {
      this.optimizer.zeroGrad();
      const logits = this.model.call(new Tensor(this.x.subarray(0, n * PIXELS), [n, 28, 28, 1]));
      const loss = crossEntropy(logits, targets);
      const value = loss.item();
      if (!Number.isFinite(value)) throw new NonFiniteLossError(this.epoch, this.stepInEpoch, value);
      const right = countCorrect(logits.data, targets, n);
      loss.backward();
      this.optimizer.step();
      return { lossValue: value, correct: right };
    });
    const bad = firstNonFinite(this.namedParameters);
    if (bad !== null) throw new NonFiniteLossError(this.epoch, this.stepInEpoch, lossValue, bad);
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

  /** `batchSize` other than EVAL_BATCH is for tests (it allocates its own batch buffers). */
  evaluateDetailed(
    indices: Int32Array = this.heldOutIndices,
    batchSize = EVAL_BATCH,
  ): {
    accuracy: number;
    correct: number;
    count: number;
  } {
    const evalX = batchSize === EVAL_BATCH ? this.evalX : new Float32Array(batchSize * PIXELS);
    const evalY = batchSize === EVAL_BATCH ? this.evalY : new Int32Array(batchSize);
    let correct = 0;
    const evalStarted = performance.now();
    this.model.eval();
    try {
      noGrad(() => {
        for (let start = 0; start < indices.length; start += batchSize) {
          const n = Math.min(batchSize, indices.length - start);
          const fillStarted = performance.now();
          fillBatch(this.data, indices, start, n, evalX, evalY);
          this.pipeline.evalFillSeconds += (performance.now() - fillStarted) / 1000;
          correct += tidy(() => {
            const logits = this.model.call(new Tensor(evalX.subarray(0, n * PIXELS), [n, 28, 28, 1])).data;
            let right = 0;
            for (let b = 0; b < n; b++) if (argmax(logits, b * CLASSES, CLASSES) === evalY[b]) right++;
            return right;
          });
          this.afterBatch?.();
        }
      });
    } finally {
      this.model.train();
      this.pipeline.evalSeconds += (performance.now() - evalStarted) / 1000;
      this.pipeline.evaluations++;
      this.pipeline.evalDigits += indices.length;
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

  /** The loop's state besides model and optimizer, as plain JSON-able data (saved in checkpoints). */
  progress(): TrainerProgress {
    return {
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
      lossCurve: this.lossCurve.slice(),
      history: this.history.slice(),
    };
  }

  /** Continues from `progress()` of a trainer with the same config (the model and optimizer are restored apart). */
  restore(progress: TrainerProgress): void {
    if (progress.order.length !== this.order.length) {
      throw new RangeError(
        `progress.order has ${progress.order.length} digits, this run has ${this.order.length}`,
      );
    }
    this.order.set(progress.order);
    this.rng.setState(progress.rng);
    this.augmentRng.setState(progress.augmentRng);
    this.orderEpoch = progress.orderEpoch;
    this.epoch = progress.epoch;
    this.stepInEpoch = progress.stepInEpoch;
    this.globalStep = progress.globalStep;
    this.lossSum = progress.lossSum;
    this.correct = progress.correct;
    this.seen = progress.seen;
    this.trainSeconds = progress.trainSeconds;
    this.lossCurve.length = 0;
    this.lossCurve.push(...progress.lossCurve);
    this.history.length = 0;
    this.history.push(...progress.history);
  }
}
