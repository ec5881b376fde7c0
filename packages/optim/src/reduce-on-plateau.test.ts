import { describe, expect, it } from 'vitest';
import { OptimError } from './errors';
import { ReduceOnPlateau } from './reduce-on-plateau';
import { SGD } from './sgd';
import { makeParam } from './test-utils';

describe("ReduceOnPlateau (PyTorch's ReduceLROnPlateau)", () => {
  it('mode min: reduces lr by factor after more than `patience` non-improving steps, then waits `cooldown`', () => {
    const opt = new SGD([makeParam([1])], { lr: 1 });
    const plateau = new ReduceOnPlateau(opt, { patience: 2, factor: 0.5, cooldown: 1 });
    const metrics = [10, 9, 9, 9, 9, 9, 9, 9, 9];
    const reduced = metrics.map((m) => plateau.step(m));
    // bad steps: t3 (1), t4 (2), t5 (3 > 2: reduce, cooldown 1), t6 cooldown, t7 (1), t8 (2), t9 (3: reduce)
    expect(reduced).toEqual([false, false, false, false, true, false, false, false, true]);
    expect(opt.paramGroups[0].lr).toBe(0.25);
  });

  it("mode max with threshold 'rel': improvements smaller than best·threshold do not count", () => {
    const opt = new SGD([makeParam([1])], { lr: 1 });
    const plateau = new ReduceOnPlateau(opt, { mode: 'max', patience: 0, threshold: 0.1 });
    expect(plateau.step(1)).toBe(false);
    expect(plateau.step(1.05)).toBe(true); // not > 1·1.1
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.1, 15);
    expect(plateau.step(1.2)).toBe(false);
    expect(plateau.best).toBe(1.2);
  });

  it("threshold 'abs' and minLr per group", () => {
    const opt = new SGD([
      { params: [makeParam([1])], lr: 1 },
      { params: [makeParam([1])], lr: 1 },
    ]);
    const plateau = new ReduceOnPlateau(opt, {
      patience: 0,
      thresholdMode: 'abs',
      threshold: 1,
      minLr: [0.5, 0],
    });
    expect(plateau.step(10)).toBe(false);
    expect(plateau.step(9.5)).toBe(true); // 9.5 is not < 10 − 1: reduce (group 0 to its floor 0.5)
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.5, 0.1]);
    expect(plateau.step(8)).toBe(false); // 8 < 10 − 1 improves
    expect(plateau.step(7.5)).toBe(true); // 7.5 is not < 8 − 1
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.5, 0.1 * 0.1]);
  });

  it('state save/restore through JSON continues identically', () => {
    const make = () => {
      const opt = new SGD([makeParam([1])], { lr: 1 });
      return { opt, plateau: new ReduceOnPlateau(opt, { patience: 1 }) };
    };
    const metrics = [5, 4, 4, 4, 3, 3, 3, 3];
    const a = make();
    const la = metrics.map((m) => a.plateau.step(m));
    const b = make();
    for (const m of metrics.slice(0, 3)) b.plateau.step(m);
    const saved = JSON.parse(JSON.stringify({ opt: b.opt.stateDict(), plateau: b.plateau.stateDict() }));
    const c = make();
    c.opt.loadStateDict(saved.opt);
    c.plateau.loadStateDict(saved.plateau);
    const lc = [...la.slice(0, 3), ...metrics.slice(3).map((m) => c.plateau.step(m))];
    expect(lc).toEqual(la);
    expect(c.opt.paramGroups[0].lr).toBe(a.opt.paramGroups[0].lr);
    expect(c.plateau.stateDict()).toEqual(a.plateau.stateDict());
    // the initial best (Infinity) survives JSON
    const fresh = make().plateau;
    const restored = make().plateau;
    restored.loadStateDict(JSON.parse(JSON.stringify(fresh.stateDict())));
    expect(restored.best).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects bad options and bad state with typed errors', () => {
    const opt = new SGD([makeParam([1])]);
    expect(() => new ReduceOnPlateau(opt, { factor: 1 })).toThrow(
      /factor = 1 is invalid; expected a number in \[0, 1\)/,
    );
    expect(() => new ReduceOnPlateau(opt, { patience: -1 })).toThrow(/patience = -1 is invalid/);
    expect(() => new ReduceOnPlateau(opt, { minLr: [0, 0] })).toThrow(/minLr has 2 entries/);
    expect(() => new ReduceOnPlateau(opt, { mode: 'up' as 'min' })).toThrow(OptimError);
    const p = new ReduceOnPlateau(opt);
    expect(() => p.step(Number.NaN)).toThrow(/metric = NaN is invalid/);
    expect(() => p.loadStateDict({ best: 'x', numBadSteps: 0, cooldownCounter: 0, lastStep: 0 })).toThrow(
      /STATE|expected/,
    );
  });
});
