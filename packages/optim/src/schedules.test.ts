import { describe, expect, it } from 'vitest';
import { OptimError } from './errors';
import {
  constantSchedule,
  cosineSchedule,
  exponentialSchedule,
  inverseSqrtSchedule,
  joinSchedules,
  linearWarmupSchedule,
  multiStepSchedule,
  oneCycleSchedule,
  stepSchedule,
  warmupCosineSchedule,
} from './schedules';

const at = (s: (t: number) => number, ts: number[]) => ts.map(s);

describe('schedules are pure functions of the 1-based step t', () => {
  it('constant', () => {
    expect(at(constantSchedule(0.3), [1, 2, 1000])).toEqual([0.3, 0.3, 0.3]);
  });

  it("inverseSqrt is the handout's η = η0·t^(−1/2)", () => {
    const s = inverseSqrtSchedule(0.5);
    for (const t of [1, 2, 3, 4, 100]) expect(s(t)).toBeCloseTo(0.5 * t ** -0.5, 15);
    expect(s(4)).toBe(0.25);
  });

  it('step: init·γ^floor((t − 1)/stepSize) (StepLR)', () => {
    expect(at(stepSchedule({ init: 1, stepSize: 2, gamma: 0.5 }), [1, 2, 3, 4, 5])).toEqual([
      1, 1, 0.5, 0.5, 0.25,
    ]);
  });

  it('multiStep: γ once per milestone passed (milestone m changes the value from step m + 1)', () => {
    expect(at(multiStepSchedule({ init: 1, milestones: [2, 4], gamma: 0.1 }), [1, 2, 3, 4, 5])).toEqual([
      1,
      1,
      0.1,
      0.1,
      0.1 ** 2,
    ]);
    expect(() => multiStepSchedule({ init: 1, milestones: [3, 3] })).toThrow(/strictly increasing/);
  });

  it('exponential: init·γ^(t − 1)', () => {
    expect(at(exponentialSchedule({ init: 2, gamma: 0.5 }), [1, 2, 3])).toEqual([2, 1, 0.5]);
  });

  it('cosine: min + (init − min)(1 + cos(π(t − 1)/T))/2, then the floor', () => {
    const s = cosineSchedule({ init: 1, decaySteps: 10, min: 0.1 });
    expect(s(1)).toBe(1);
    expect(s(6)).toBeCloseTo(0.55, 15);
    expect(s(11)).toBeCloseTo(0.1, 15);
    expect(s(50)).toBeCloseTo(0.1, 15);
    for (let t = 1; t < 11; t++) expect(s(t + 1)).toBeLessThan(s(t));
  });

  it('linearWarmup: init + (peak − init)·min(t, W)/W', () => {
    expect(at(linearWarmupSchedule({ peak: 1, warmupSteps: 4 }), [1, 2, 3, 4, 5, 9])).toEqual([
      0.25, 0.5, 0.75, 1, 1, 1,
    ]);
    expect(linearWarmupSchedule({ init: 0.5, peak: 1, warmupSteps: 2 })(1)).toBe(0.75);
  });

  it('warmupCosine: warmup to the peak, then cosine from the peak at warmupSteps down to `end` at totalSteps', () => {
    const s = warmupCosineSchedule({ peak: 1, warmupSteps: 5, totalSteps: 15, end: 0.01 });
    expect(s(1)).toBe(0.2);
    expect(s(5)).toBe(1);
    expect(s(6)).toBeCloseTo(0.01 + (0.99 * (1 + Math.cos(Math.PI / 10))) / 2, 15);
    expect(s(10)).toBeCloseTo(0.505, 15);
    expect(s(15)).toBeCloseTo(0.01, 15);
    expect(s(100)).toBeCloseTo(0.01, 15);
    expect(() => warmupCosineSchedule({ peak: 1, warmupSteps: 5, totalSteps: 5 })).toThrow(
      /totalSteps = 5 is invalid/,
    );
  });

  it("oneCycle follows PyTorch's OneCycleLR: maxLr/25 at step 1, maxLr at pctStart·T, maxLr/25/1e4 at T", () => {
    const s = oneCycleSchedule({ maxLr: 1, totalSteps: 100 });
    expect(s(1)).toBeCloseTo(1 / 25, 15);
    expect(s(30)).toBeCloseTo(1, 15); // PyTorch's phase-1 end_step = 0.3·100 − 1 = 29 = t − 1
    expect(s(100)).toBeCloseTo(1 / 25 / 1e4, 15);
    expect(s(200)).toBeCloseTo(1 / 25 / 1e4, 15);
    for (let t = 1; t < 30; t++) expect(s(t + 1)).toBeGreaterThan(s(t));
    for (let t = 30; t < 100; t++) expect(s(t + 1)).toBeLessThan(s(t));
    // halfway through phase 1 (step_num 14.5 of 29) the cosine anneal is at the midpoint
    const lin = oneCycleSchedule({ maxLr: 1, totalSteps: 100, annealStrategy: 'linear' });
    expect(lin(2) - lin(1)).toBeCloseTo((1 - 1 / 25) / 29, 14);
    const three = oneCycleSchedule({ maxLr: 1, totalSteps: 100, threePhase: true });
    expect(three(30)).toBeCloseTo(1, 15);
    expect(three(59)).toBeCloseTo(1 / 25, 15); // end of phase 2: 2·0.3·100 − 2 = 58 = t − 1
    expect(three(100)).toBeCloseTo(1 / 25 / 1e4, 15);
  });

  it('joinSchedules restarts each schedule at its own step 1 after each boundary', () => {
    const s = joinSchedules(
      [
        linearWarmupSchedule({ peak: 1, warmupSteps: 2 }),
        exponentialSchedule({ init: 1, gamma: 0.5 }),
        constantSchedule(7),
      ],
      [2, 4],
    );
    expect(at(s, [1, 2, 3, 4, 5, 6])).toEqual([0.5, 1, 1, 0.5, 7, 7]);
    expect(() => joinSchedules([constantSchedule(1)], [3])).toThrow(/one boundary fewer/);
    expect(() =>
      joinSchedules([constantSchedule(1), constantSchedule(2), constantSchedule(3)], [3, 2]),
    ).toThrow(/strictly increasing/);
  });

  it('rejects bad schedule arguments with typed errors', () => {
    expect(() => stepSchedule({ init: 1, stepSize: 0 })).toThrow(OptimError);
    expect(() => stepSchedule({ init: 1, stepSize: 1.5 })).toThrow(
      /stepSize = 1\.5 is invalid; expected an integer >= 1/,
    );
    expect(() => inverseSqrtSchedule(-1)).toThrow(
      /inverseSqrtSchedule: init = -1 is invalid; expected a finite number >= 0/,
    );
    expect(() => cosineSchedule({ init: Number.NaN, decaySteps: 3 })).toThrow(/init = NaN is invalid/);
    expect(() => oneCycleSchedule({ maxLr: 1, totalSteps: 10, pctStart: 2 })).toThrow(
      /pctStart = 2 is invalid; expected a number in \[0, 1\]/,
    );
  });
});
