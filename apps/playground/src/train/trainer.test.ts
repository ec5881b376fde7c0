import { loadSafetensors } from '@hw3/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../data/mnist-cache.node.js';
import type { MnistData } from '../data/mnist-data.js';
import { NonFiniteLossError, type TrainConfig, Trainer } from './trainer.js';

let data: MnistData;
beforeAll(() => {
  data = loadMnist();
});

const tiny: TrainConfig = {
  epochs: 2,
  batchSize: 32,
  optimizer: 'adam',
  lr: 3e-3,
  seed: 3,
  limitTrain: 160,
  limitHeldOut: 100,
};

function bitsEqual(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function runSteps(t: Trainer, steps: number): void {
  for (let i = 0; i < steps && !t.done; i++) {
    if (t.epochComplete) t.finishEpoch();
    else t.trainStep();
  }
}

function runToEnd(t: Trainer): void {
  while (!t.done) {
    if (t.epochComplete) t.finishEpoch();
    else t.trainStep();
  }
}

/** Model weights and buffers plus optimizer state of a checkpoint, as comparable arrays. */
function stateOf(t: Trainer): Record<string, ArrayLike<number>> {
  const out: Record<string, ArrayLike<number>> = {};
  for (const [k, v] of Object.entries(t.model.stateDict())) out[k] = v.data;
  out.optimizer = Float64Array.from(JSON.stringify(t.optimizer.stateDict()), (c) => c.charCodeAt(0));
  return out;
}

describe('Trainer', () => {
  it('same seed → bitwise-identical loss curve; another seed → a different one', () => {
    const a = new Trainer(data, tiny);
    const b = new Trainer(data, tiny);
    const c = new Trainer(data, { ...tiny, seed: 4 });
    runSteps(a, 4);
    runSteps(b, 4);
    runSteps(c, 4);
    expect(a.lossCurve.length).toBe(4);
    expect(bitsEqual(a.lossCurve, b.lossCurve)).toBe(true);
    expect(bitsEqual(a.lossCurve, c.lossCurve)).toBe(false);
    for (const l of a.lossCurve) expect(Number.isFinite(l)).toBe(true);
  });

  it.each([
    ['at an epoch boundary', 6],
    ['in the middle of an epoch', 3],
    ['(adam-as-adagrad, scheduled lr) mid-epoch', 7],
  ])('resume from a checkpoint %s ends bitwise-identical to an uninterrupted run', (name, cut) => {
    const config: TrainConfig = name.startsWith('(adam-as')
      ? { ...tiny, optimizer: 'adam-as-adagrad', lr: 0.02 }
      : tiny;
    const straight = new Trainer(data, config);
    runToEnd(straight);

    const first = new Trainer(data, config);
    runSteps(first, cut);
    const bytes = first.saveCheckpoint();
    const resumed = Trainer.fromCheckpoint(data, bytes);
    expect(resumed.globalStep).toBe(first.globalStep);
    runToEnd(resumed);

    expect(bitsEqual(resumed.lossCurve, straight.lossCurve)).toBe(true);
    const s1 = stateOf(straight);
    const s2 = stateOf(resumed);
    expect(Object.keys(s2).sort()).toEqual(Object.keys(s1).sort());
    for (const k of Object.keys(s1)) expect(bitsEqual(s1[k], s2[k]), k).toBe(true);
    expect(resumed.history.map((h) => h.heldOutAccuracy)).toEqual(
      straight.history.map((h) => h.heldOutAccuracy),
    );
    expect(resumed.history.map((h) => h.loss)).toEqual(straight.history.map((h) => h.loss));
  });

  it('checkpoints hold the weights, BatchNorm running statistics and training state', () => {
    const t = new Trainer(data, tiny);
    runSteps(t, 2);
    const { tensors, metadata } = loadSafetensors(t.saveCheckpoint());
    const names = Object.keys(tensors);
    expect(names.some((n) => /running_?mean|runningMean/i.test(n))).toBe(true);
    expect(names.some((n) => /running_?var|runningVar/i.test(n))).toBe(true);
    expect(metadata.format).toBe('hw3-playground-checkpoint/1');
    const state = JSON.parse(metadata.trainer);
    expect(state.globalStep).toBe(2);
    expect(state.order.length).toBe(160);
    expect(state.rng.length).toBeGreaterThan(0);
  });

  it('a restarted run from the same checkpoint but a changed lr diverges (the override is used)', () => {
    const a = new Trainer(data, tiny);
    runSteps(a, 2);
    const bytes = a.saveCheckpoint();
    const same = Trainer.fromCheckpoint(data, bytes);
    const changed = Trainer.fromCheckpoint(data, bytes, { lr: 0.1 });
    runSteps(same, 2);
    runSteps(changed, 2);
    expect(changed.optimizer.paramGroups[0].lr).toBe(0.1);
    expect(bitsEqual(same.lossCurve, changed.lossCurve)).toBe(false);
  });

  it.each([
    ['sgd', 1e30],
    ['adam', 1e30],
  ] as const)('stops with NonFiniteLossError on a non-finite loss or weight (%s, lr %d)', (optimizer, lr) => {
    const t = new Trainer(data, { ...tiny, optimizer, lr, epochs: 50 });
    let error: unknown = null;
    try {
      runSteps(t, 200);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as Error).message).toMatch(
      /^(loss became (NaN|-?Infinity) at|weights of \S+ became non-finite in the update of) epoch \d+, step \d+/,
    );
    expect((error as Error).message).toContain('the learning rate is probably too high');
  });

  it('an epsilon-0 optimizer does not turn never-seen gradients (0/0) into NaN', () => {
    const t = new Trainer(data, { ...tiny, optimizer: 'adam-as-adagrad', lr: 0.02 });
    runSteps(t, 3);
    for (const p of t.model.parameters()) for (const v of p.data) expect(Number.isFinite(v)).toBe(true);
  });

  it('learns: 40 steps on 1,280 digits reach well above chance (10%) on held-out digits', () => {
    const t = new Trainer(data, {
      ...tiny,
      batchSize: 64,
      limitTrain: 1280,
      limitHeldOut: 500,
      schedule: 'cosine',
    });
    runToEnd(t);
    expect(t.globalStep).toBe(40);
    expect(t.history[1].heldOutAccuracy).toBeGreaterThan(0.7);
    expect(t.history[1].loss).toBeLessThan(t.history[0].loss);
  });

  it('a limited run trains on a random subset of every class, not the first digits', () => {
    const t = new Trainer(data, { ...tiny, limitTrain: 500, limitHeldOut: 300 });
    for (const indices of [t.trainIndices, t.heldOutIndices]) {
      const classes = new Set(Array.from(indices, (i) => data.labels[i]));
      expect(classes.size).toBe(10);
    }
    expect(t.trainIndices.length).toBe(500);
    expect(t.heldOutIndices.length).toBe(300);
  });

  it('rejects bad configurations with the name, value and range', () => {
    expect(() => new Trainer(data, { ...tiny, batchSize: 0 })).toThrow(
      /batchSize must be an integer in \[1, 8000\], got 0/,
    );
    expect(() => new Trainer(data, { ...tiny, lr: -1 })).toThrow(/lr must be a finite number > 0, got -1/);
  });
});
