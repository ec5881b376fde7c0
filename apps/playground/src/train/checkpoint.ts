/**
 * Checkpoints of a training run as safetensors bytes: the model's weights and buffers (incl. BatchNorm running
 * statistics) and the optimizer's arrays as tensors; the config, the optimizer's JSON state and the loop's
 * progress (epoch / step, data order, RNG states, running sums, curves) in the metadata. Restoring one gives a
 * Trainer that continues bitwise-identically to the uninterrupted run.
 */
import { Tensor } from '@hw3/core';
import { loadSafetensors, saveSafetensors } from '@hw3/core/safetensors';
import type { OptimizerStateDict } from '@hw3/optim';
import type { MnistData } from '../data/mnist-data.js';
import type { TrainConfig } from './config.js';
import { Trainer, type TrainerProgress } from './loop.js';
import { packState, unpackState } from './state-pack.js';

export const CHECKPOINT_FORMAT = 'hw3-playground-checkpoint/1';

export class CheckpointError extends Error {
  readonly code = 'E_CHECKPOINT';
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** The whole training state of `trainer` as safetensors bytes (weights + buffers as tensors, the rest in metadata). */
export function saveCheckpoint(trainer: Trainer): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(trainer.model.stateDict())) tensors[`model.${name}`] = t;
  const packed = packState(trainer.optimizer.stateDict({ typedArrays: true }));
  packed.arrays.forEach((a, i) => {
    tensors[`optim.${i}`] = new Tensor(a.slice(), [a.length]);
  });
  return saveSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    config: JSON.stringify(trainer.config),
    trainer: JSON.stringify(trainer.progress()),
    optimizer: JSON.stringify({ json: packed.json, arrays: packed.arrays.length }),
    optimizerClass: trainer.optimizer.constructor.name,
  });
}

/**
 * Rebuilds a trainer from saveCheckpoint() bytes. `epochs` may extend the run; `lr` changes the learning
 * rate from the next step on (the result then differs from the uninterrupted run, by choice).
 */
export function loadCheckpoint(
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
  if (overrides.lr !== undefined) for (const group of trainer.optimizer.paramGroups) group.lr = overrides.lr;
  const progress = JSON.parse(metadata.trainer) as TrainerProgress;
  if (progress.order.length !== trainer.order.length) {
    throw new CheckpointError(
      `checkpoint data order has ${progress.order.length} digits, this run has ${trainer.order.length}`,
    );
  }
  trainer.restore(progress);
  return trainer;
}
