import { loadSafetensors, saveSafetensors } from '@hw3/core/safetensors';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../data/mnist-cache.node.js';
import type { MnistData } from '../data/mnist-data.js';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import { Trainer } from './loop.js';
import { bitsEqual, runSteps, runToEnd, stateOf, tiny } from './test-helpers.js';

let data: MnistData;
beforeAll(() => {
  data = loadMnist();
});

describe('checkpoints', () => {
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
    const bytes = saveCheckpoint(first);
    const resumed = loadCheckpoint(data, bytes);
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
    const { tensors, metadata } = loadSafetensors(saveCheckpoint(t));
    const names = Object.keys(tensors);
    expect(names.some((n) => /running_?mean|runningMean/i.test(n))).toBe(true);
    expect(names.some((n) => /running_?var|runningVar/i.test(n))).toBe(true);
    expect(metadata.format).toBe('hw3-playground-checkpoint/1');
    const state = JSON.parse(metadata.trainer);
    expect(state.globalStep).toBe(2);
    expect(state.order.length).toBe(160);
    expect(state.rng.length).toBeGreaterThan(0);
  });

  it('stores the optimizer moments as tensors; checkpoints with them as JSON numbers (before 2026-12-04) still resume bitwise', () => {
    const straight = new Trainer(data, tiny);
    runToEnd(straight);
    const first = new Trainer(data, tiny);
    runSteps(first, 3);
    const { tensors, metadata } = loadSafetensors(saveCheckpoint(first));
    // Every typed array of Adam's state (moments of the 10 parameters), binary next to the model's tensors; the
    // metadata keeps the rest.
    let arrays = 0;
    const count = (v: unknown): void => {
      if (v instanceof Float32Array || v instanceof Float64Array) arrays++;
      else if (typeof v === 'object' && v !== null) for (const item of Object.values(v)) count(item);
    };
    count(first.optimizer.stateDict({ typedArrays: true }));
    expect(arrays).toBeGreaterThanOrEqual(20);
    expect(Object.keys(tensors).filter((n) => n.startsWith('optim.')).length).toBe(arrays);
    expect(metadata.optimizer.length).toBeLessThan(2000);
    // The earlier form: stateDict() without typed arrays, every moment a JSON number array in the metadata.
    const optimizer = first.optimizer;
    const typed = optimizer.stateDict.bind(optimizer);
    optimizer.stateDict = () => typed();
    const old = saveCheckpoint(first);
    optimizer.stateDict = typed;
    const oldMeta = loadSafetensors(old).metadata;
    expect(Object.keys(loadSafetensors(old).tensors).some((n) => n.startsWith('optim.'))).toBe(false);
    expect(oldMeta.optimizer.length).toBeGreaterThan(100_000);
    const resumed = loadCheckpoint(data, old);
    runToEnd(resumed);
    expect(bitsEqual(resumed.lossCurve, straight.lossCurve)).toBe(true);
    const s1 = stateOf(straight);
    const s2 = stateOf(resumed);
    for (const k of Object.keys(s1)) expect(bitsEqual(s1[k], s2[k]), k).toBe(true);
  });

  it('a restarted run from the same checkpoint but a changed lr diverges (the override is used)', () => {
    const a = new Trainer(data, tiny);
    runSteps(a, 2);
    const bytes = saveCheckpoint(a);
    const same = loadCheckpoint(data, bytes);
    const changed = loadCheckpoint(data, bytes, { lr: 0.1 });
    runSteps(same, 2);
    runSteps(changed, 2);
    expect(changed.optimizer.paramGroups[0].lr).toBe(0.1);
    expect(bitsEqual(same.lossCurve, changed.lossCurve)).toBe(false);
  });

  it('rejects bytes that are not a playground checkpoint, naming the format found', () => {
    const t = new Trainer(data, tiny);
    const bytes = saveSafetensors({ w: t.model.parameters()[0] }, { format: 'something-else' });
    expect(() => loadCheckpoint(data, bytes)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(data, bytes)).toThrow(
      'not a playground checkpoint: metadata format is "something-else", expected "hw3-playground-checkpoint/1"',
    );
  });

  it('rejects a checkpoint whose data order does not fit the run', () => {
    const t = new Trainer(data, tiny);
    const bytes = saveCheckpoint(t);
    const { tensors, metadata } = loadSafetensors(bytes);
    const progress = JSON.parse(metadata.trainer);
    progress.order = progress.order.slice(1);
    const edited = saveSafetensors(tensors, { ...metadata, trainer: JSON.stringify(progress) });
    expect(() => loadCheckpoint(data, edited)).toThrow(
      'checkpoint data order has 159 digits, this run has 160',
    );
  });
});
