import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../data/mnist-cache.node.js';
import type { MnistData } from '../data/mnist-data.js';
import { NonFiniteLossError, Trainer } from './loop.js';
import { bitsEqual, runSteps, runToEnd, tiny } from './test-helpers.js';

let data: MnistData;
beforeAll(() => {
  data = loadMnist();
});

describe('Trainer (the loop)', () => {
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
