/**
 * A training run's configuration: what it is, which values are valid, and the learning rate it asks for at
 * each step. Everything here is plain data (it is saved as JSON in every checkpoint).
 */
import { HELD_OUT_COUNT, TRAIN_COUNT } from '../data/mnist-data.js';
import type { OptimizerName } from './optimizers.js';

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

/** Throws a RangeError naming the field, the value and the valid range for the first invalid field. */
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

/**
 * Steps per epoch for `count` training digits. A trailing batch of one digit cannot be batch-normalized in
 * training mode: it is dropped.
 */
export function stepsPerEpoch(count: number, batchSize: number): number {
  return count % batchSize === 1 ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

/**
 * The learning rate the schedule asks for at `globalStep` (0 = the first step) of a run of `totalSteps`, or null
 * for 'constant' (the optimizer keeps its own lr, which its own schedule may still change):
 * cosine: lr_t = lr · (1 + cos(π·t/T)) / 2.
 */
export function scheduledLr(config: TrainConfig, globalStep: number, totalSteps: number): number | null {
  if (config.schedule !== 'cosine') return null;
  return (config.lr * (1 + Math.cos((Math.PI * globalStep) / totalSteps))) / 2;
}
