import { describe, expect, it } from 'vitest';
import { scaleByAdagrad } from './adagrad';
import { Adam, scaleByAdam } from './adam';
import { OptimError } from './errors';
import {
  addDecayedWeights,
  applyUpdates,
  chain,
  scale,
  scaleByLearningRate,
  trace,
} from './gradient-transformation';
import { scaleByRms } from './rmsprop';
import { exponentialSchedule } from './schedules';
import { restoreState, stateToJSON } from './state-json';
import { bytesOf, makeParam, randomSequence } from './test-utils';

describe('gradient transformations (optax style: init/update, explicit plain state, chain)', () => {
  it('chain(scaleByAdam, scaleByLearningRate) + applyUpdates is the Adam optimizer, bitwise', () => {
    const grads = randomSequence(21, 15, 3);
    const w = new Float32Array([0.1, 0.2, 0.3]);
    const tx = chain(scaleByAdam(), scaleByLearningRate(1e-2));
    const state = tx.init([w]);
    const p = makeParam([0.1, 0.2, 0.3], 'float32');
    const opt = new Adam([p], { lr: 1e-2 });
    const u = new Float32Array(3);
    for (const g of grads) {
      u.set(g);
      tx.update([u], state, [w]);
      applyUpdates([w], [u]);
      p.grad!.set(g);
      opt.step();
    }
    expect(bytesOf(w)).toEqual(bytesOf(p.data));
  });

  it('updates in place and keeps the same state arrays (no per-step allocation)', () => {
    const w = new Float64Array([1, 2]);
    const tx = chain(
      addDecayedWeights(0.1),
      scaleByRms({ centered: true }),
      trace({ momentum: 0.9 }),
      scaleByLearningRate(0.1),
    );
    const state = tx.init([w]) as { squareAvg?: Float64Array[] }[];
    const sq = state[1].squareAvg![0];
    const u = new Float64Array([1, -1]);
    tx.update([u], state, [w]);
    tx.update([u], state, [w]);
    expect(state[1].squareAvg![0]).toBe(sq);
  });

  it('hyperparameters may be schedules evaluated at t = 1, 2, ... (count in the state)', () => {
    const tx = scaleByLearningRate(exponentialSchedule({ init: 1, gamma: 0.5 }));
    const state = tx.init([]);
    const u = new Float64Array([1]);
    const seen: number[] = [];
    for (let t = 0; t < 3; t++) {
      u[0] = 1;
      tx.update([u], state, []);
      seen.push(u[0]);
    }
    expect(seen).toEqual([-1, -0.5, -0.25]);
    expect(state.count).toBe(3);
  });

  it('state survives JSON.stringify/parse through stateToJSON/restoreState bitwise, NaN and ±Infinity included', () => {
    const w = new Float32Array([1, 2, 3]);
    const tx = chain(scale(-1), scaleByAdagrad({ initialAccumulatorValue: 0.1 }), scaleByLearningRate(0.3));
    const state = tx.init([w]);
    const u = new Float32Array([0.1, -7, 1e-20]);
    tx.update([u], state, [w]);
    (state[1] as { sum: Float32Array[] }).sum[0][2] = Number.NaN;
    const json = JSON.stringify(stateToJSON(state));
    const fresh = tx.init([w]);
    restoreState(fresh, JSON.parse(json));
    expect(JSON.stringify(stateToJSON(fresh))).toBe(json);
    expect((fresh[1] as { sum: Float32Array[] }).sum[0][2]).toBeNaN();
    expect(JSON.parse(JSON.stringify(stateToJSON([Number.NEGATIVE_INFINITY])))).toEqual(['-Infinity']);
  });

  it('stateToJSON({ typedArrays: true }) keeps typed-array copies; restoreState accepts them', () => {
    const w = new Float32Array([1, 2]);
    const tx = scaleByAdam();
    const state = tx.init([w]);
    tx.update([new Float32Array([0.5, -1])], state, [w]);
    const typed = stateToJSON(state, { typedArrays: true }) as { mu: Float32Array[] };
    expect(typed.mu[0]).toBeInstanceOf(Float32Array);
    expect(typed.mu[0]).not.toBe(state.mu[0]);
    const fresh = tx.init([w]);
    restoreState(fresh, typed);
    expect(bytesOf(fresh.mu[0])).toEqual(bytesOf(state.mu[0]));
    expect(bytesOf(fresh.nu[0])).toEqual(bytesOf(state.nu[0]));
  });

  it('restoreState reports the path of a mismatched shape or key', () => {
    const w = new Float64Array(3);
    const tx = scaleByAdam();
    const state = tx.init([w]);
    const plain = stateToJSON(state) as { mu: number[][] };
    plain.mu[0] = [1, 2];
    expect(() => restoreState(tx.init([w]), plain)).toThrow(
      /state\.mu\[0\] is an array of length 2; expected an array of 3 numbers/,
    );
    expect(() => restoreState(tx.init([w]), { ...(stateToJSON(state) as object), extra: 1 })).toThrow(
      /state\.extra is unknown/,
    );
  });

  it('applyUpdates and the rules check lengths', () => {
    expect(() => applyUpdates([new Float64Array(2)], [new Float64Array(3)])).toThrow(OptimError);
    const tx = scaleByAdam();
    const s = tx.init([new Float64Array(2)]);
    expect(() => tx.update([new Float64Array(3)], s, [new Float64Array(3)])).toThrow(
      /update 0 has 3 elements; expected 2/,
    );
  });

  it('standalone transformations validate hyperparameters (also scheduled ones) with typed errors', () => {
    expect(() => scaleByAdam({ beta1: 1 })).toThrow(
      /scaleByAdam: beta1 = 1 is invalid; expected a number in \[0, 1\)/,
    );
    expect(() => scaleByLearningRate(-1)).toThrow(/scaleByLearningRate: lr = -1 is invalid/);
    expect(() => trace({ momentum: 0, nesterov: true })).toThrow(/nesterov = true needs momentum > 0/);
    const tx = scaleByLearningRate(() => Number.NaN);
    expect(() => tx.update([new Float64Array(1)], tx.init([]), [])).toThrow(/lr = NaN is invalid/);
  });
});

describe('Optimizer.loadStateDict rejects state dicts that do not fit, before changing anything', () => {
  const setup = () => {
    const p = makeParam([1, 2, 3]);
    const q = makeParam([4]);
    const opt = new Adam([{ params: [p] }, { params: [q], lr: 0.5 }]);
    p.grad!.fill(1);
    q.grad!.fill(1);
    opt.step();
    return { opt, sd: JSON.parse(JSON.stringify(opt.stateDict())) };
  };
  const expectMismatch = (f: () => void, message: RegExp) => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OptimError);
    expect((err as OptimError).code).toMatch(/STATE_MISMATCH|INVALID_HYPERPARAMETER/);
    expect((err as Error).message).toMatch(message);
  };

  it('unknown group, unknown parameter, wrong optimizer, wrong shape, bad hyperparameter, structural change', () => {
    const { opt, sd } = setup();
    const before = JSON.stringify(opt.stateDict());
    expectMismatch(
      () => opt.loadStateDict({ ...sd, paramGroups: [...sd.paramGroups, sd.paramGroups[0]] }),
      /has 3 parameter groups; this optimizer has 2/,
    );
    const unknownParam = structuredClone(sd);
    unknownParam.paramGroups[1].params = [7];
    expectMismatch(
      () => opt.loadStateDict(unknownParam),
      /paramGroups\[1\]\.params\[0\] is parameter 7, unknown to this group/,
    );
    expectMismatch(
      () => opt.loadStateDict({ ...sd, optimizer: 'SGD' }),
      /stateDict\.optimizer is "SGD"; expected "Adam"/,
    );
    const shape = structuredClone(sd);
    shape.paramGroups[0].state[2].nu[0] = [1, 2];
    expectMismatch(
      () => opt.loadStateDict(shape),
      /paramGroups\[0\]\.state\[2\]\.nu\[0\] is an array of length 2; expected an array of 3 numbers/,
    );
    const hyper = structuredClone(sd);
    hyper.paramGroups[1].hyperparams.lr = -1;
    expectMismatch(() => opt.loadStateDict(hyper), /paramGroups\[1\]\.lr = -1 is invalid/);
    const structural = structuredClone(sd);
    structural.paramGroups[0].hyperparams.amsgrad = true;
    expectMismatch(
      () => opt.loadStateDict(structural),
      /amsgrad is true; this optimizer was built with false/,
    );
    const unknownKey = structuredClone(sd);
    unknownKey.paramGroups[0].hyperparams.momentum = 0.9;
    expectMismatch(() => opt.loadStateDict(unknownKey), /hyperparams\.momentum is unknown/);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });

  it('restores per-group hyperparameters changed between steps', () => {
    const { opt, sd } = setup();
    sd.paramGroups[1].hyperparams.lr = 0.25;
    opt.loadStateDict(sd);
    expect(opt.paramGroups[1].lr).toBe(0.25);
    expect(opt.paramGroups[0].lr).toBe(1e-3);
  });
});
