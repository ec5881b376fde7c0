import { describe, expect, it } from 'vitest';
import { Adam } from './adam';
import type { OptimizerStateDict } from './optimizer';
import type { ParamLike } from './param';
import { SGD } from './sgd';
import {
  type ContractOptimizer,
  checkMaximize,
  checkNanGuard,
  checkOptimizerContract,
  checkStateRoundTrip,
  checkZeroAllocationSteps,
  countTypedArrays,
  OptimizerContractError,
} from './testing';

/** A bare plain-SGD optimizer with no validation (p ← p − lr·g), to break one property at a time. */
function bare(params: ParamLike[], options: { lr?: number; maximize?: boolean; unguarded?: boolean } = {}) {
  const group = { lr: options.lr ?? 0.1, schedule: {} };
  const opt: ContractOptimizer & { allocate: boolean } = {
    allocate: false,
    paramGroups: [group],
    step() {
      if (opt.allocate) new Float64Array(1);
      for (const p of params) {
        const g = p.grad as Float64Array | null;
        if (g === null) continue;
        const d = p.data as Float64Array;
        for (let j = 0; j < d.length; j++) {
          const u = options.unguarded ? g[j] / Math.abs(g[j]) : g[j];
          d[j] -= (options.maximize ? -1 : 1) * group.lr * u;
        }
      }
    },
    stateDict: () => ({ optimizer: 'bare', version: 1, stepCount: 0, paramGroups: [] }),
    loadStateDict: (_: OptimizerStateDict) => {},
  };
  return opt;
}

function failure(fn: () => void): OptimizerContractError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OptimizerContractError) return e;
    throw e;
  }
  throw new Error('expected the contract to fail');
}

describe('@hw3/optim/testing: the optimizer contract', () => {
  it('passes a real optimizer (Adam, SGD with momentum)', () => {
    checkOptimizerContract((params, o) => new Adam(params, { lr: 0.01, ...o }));
    checkOptimizerContract((params, o) => new SGD(params, { lr: 0.01, momentum: 0.9, ...o }));
  });

  it('fails an optimizer whose state does not survive a round trip', () => {
    const e = failure(() =>
      checkStateRoundTrip((params, o) => {
        const opt = new Adam(params, { lr: 0.01, ...o });
        opt.loadStateDict = () => {}; // forgets the moments
        return opt;
      }),
    );
    expect(e.check).toBe('state round trip');
    expect(e.code).toBe('CONTRACT_FAILED');
    expect(e.message).toMatch(/^optimizer contract, state round trip: parameter 0 after save at step 9/);
  });

  it('fails an optimizer that ignores maximize', () => {
    const e = failure(() => checkMaximize((params) => bare(params)));
    expect(e.message).toMatch(/maximize: the first step with maximize: true took the objective from/);
    checkMaximize((params, o) => bare(params, o)); // the same optimizer honouring it passes
  });

  it('fails an optimizer that allocates in step()', () => {
    const e = failure(() =>
      checkZeroAllocationSteps((params) => Object.assign(bare(params), { allocate: true })),
    );
    expect(e.message).toBe(
      'optimizer contract, zero-allocation steps: 5 steps constructed 5 typed arrays; expected 0 (reuse the state and update buffers)',
    );
    checkZeroAllocationSteps((params) => bare(params));
  });

  it('fails an optimizer that turns 0/0 into NaN, and one that accepts a NaN hyperparameter', () => {
    const unguarded = failure(() => checkNanGuard((params) => bare(params, { unguarded: true })));
    expect(unguarded.message).toMatch(/3 steps with all-zero gradients made parameter element 0 NaN/);
    const unchecked = failure(() => checkNanGuard((params) => bare(params)));
    expect(unchecked.message).toBe(
      'optimizer contract, NaN guard: step() with lr = NaN did not throw; expected an OptimError INVALID_HYPERPARAMETER naming lr',
    );
  });
});

describe('a factory that is not an optimizer factory (found by apps/fuzz)', () => {
  it('is an OptimizerContractError naming make, not a TypeError inside the check', () => {
    for (const bad of [undefined, 3, () => 3, () => ({ step: 1 })]) {
      for (const check of [
        checkStateRoundTrip,
        checkMaximize,
        checkZeroAllocationSteps,
        checkNanGuard,
        checkOptimizerContract,
      ]) {
        expect(() => check(bad as never)).toThrow(OptimizerContractError);
        expect(() => check(bad as never)).toThrow(/make/);
      }
    }
    expect(() => countTypedArrays(undefined as never)).toThrow(/countTypedArrays: fn must be a function/);
  });
});
