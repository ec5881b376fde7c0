/** What the training tests share: MNIST, a tiny config, running a trainer, comparing bits. */
import type { TrainConfig } from './config.js';
import type { Trainer } from './loop.js';

export const tiny: TrainConfig = {
  epochs: 2,
  batchSize: 32,
  optimizer: 'adam',
  lr: 3e-3,
  seed: 3,
  limitTrain: 160,
  limitHeldOut: 100,
};

export function bitsEqual(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

export function runSteps(t: Trainer, steps: number): void {
  for (let i = 0; i < steps && !t.done; i++) {
    if (t.epochComplete) t.finishEpoch();
    else t.trainStep();
  }
}

export function runToEnd(t: Trainer): void {
  while (!t.done) {
    if (t.epochComplete) t.finishEpoch();
    else t.trainStep();
  }
}

/** Model weights and buffers plus optimizer state of a checkpoint, as comparable arrays. */
export function stateOf(t: Trainer): Record<string, ArrayLike<number>> {
  const out: Record<string, ArrayLike<number>> = {};
  for (const [k, v] of Object.entries(t.model.stateDict())) out[k] = v.data;
  out.optimizer = Float64Array.from(JSON.stringify(t.optimizer.stateDict()), (c) => c.charCodeAt(0));
  return out;
}
