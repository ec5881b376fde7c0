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

  it('linearWarmup: init + (peak − init)·min(t − 1, W)/W (step 1 uses init, peak from step W + 1)', () => {
    expect(at(linearWarmupSchedule({ peak: 1, warmupSteps: 4 }), [1, 2, 3, 4, 5, 6, 9])).toEqual([
      0, 0.25, 0.5, 0.75, 1, 1, 1,
    ]);
    expect(linearWarmupSchedule({ init: 0.5, peak: 1, warmupSteps: 2 })(1)).toBe(0.5);
    expect(linearWarmupSchedule({ init: 0.5, peak: 1, warmupSteps: 2 })(2)).toBe(0.75);
  });

  it('warmupCosine: warmup to the peak at step W + 1, then cosine down to `end` at step totalSteps + 1', () => {
    const s = warmupCosineSchedule({ peak: 1, warmupSteps: 5, totalSteps: 15, end: 0.01 });
    expect(s(1)).toBe(0);
    expect(s(2)).toBe(0.2);
    expect(s(5)).toBeCloseTo(0.8, 15);
    expect(s(6)).toBe(1);
    expect(s(7)).toBeCloseTo(0.01 + (0.99 * (1 + Math.cos(Math.PI / 10))) / 2, 15);
    expect(s(11)).toBeCloseTo(0.505, 15);
    expect(s(16)).toBeCloseTo(0.01, 15);
    expect(s(100)).toBeCloseTo(0.01, 15);
    for (let t = 6; t < 16; t++) expect(s(t + 1)).toBeLessThan(s(t));
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
    expect(at(s, [1, 2, 3, 4, 5, 6])).toEqual([0, 0.5, 1, 0.5, 7, 7]);
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

/**
 * PyTorch's values, pasted as literals. Produced with PyTorch 1.13 (`/usr/bin/python3`; these schedulers are
 * unchanged in 2.x) by: p = torch.nn.Parameter(torch.zeros(1)); opt = SGD([p], lr=base, momentum=m);
 * sched = Scheduler(opt, ...); then n times { record opt.param_groups[0]['lr']; opt.step(); sched.step() }.
 * Entry k (0-based, PyTorch's last_epoch) is the lr of the (k+1)-th optimizer step, so it must equal value(t = k + 1).
 */
describe("every schedule matches PyTorch's scheduler at last_epoch = t − 1", () => {
  const expectPyTorch = (s: (t: number) => number, torchValues: number[]) => {
    torchValues.forEach((v, k) => {
      const got = s(k + 1);
      // PyTorch 1.13 computes LinearLR / ExponentialLR / CosineAnnealingLR recursively (chainable form), so
      // the last bits differ from the closed form: compare to 1e-13 relative.
      expect(Math.abs(got - v)).toBeLessThanOrEqual(1e-13 * Math.abs(v) + 1e-300);
    });
  };

  it('LinearLR(lr=0.1, start_factor=1/3, total_iters=5) = linearWarmupSchedule({ init: 0.1/3, peak: 0.1, warmupSteps: 5 })', () => {
    const torchValues = [
      0.03333333333333333, 0.04666666666666667, 0.060000000000000005, 0.07333333333333335,
      0.08666666666666668, 0.1, 0.1, 0.1,
    ];
    expectPyTorch(linearWarmupSchedule({ init: 0.1 / 3, peak: 0.1, warmupSteps: 5 }), torchValues);
    // the numbers: the first value is 0.0333 (it was 0.0467, one step ahead, before)
    expect(linearWarmupSchedule({ init: 0.1 / 3, peak: 0.1, warmupSteps: 5 })(1)).toBeCloseTo(0.0333, 4);
  });

  it('LinearLR(lr=1, start_factor=0.25, end_factor=1, total_iters=4)', () => {
    expectPyTorch(
      linearWarmupSchedule({ init: 0.25, peak: 1, warmupSteps: 4 }),
      [0.25, 0.4375, 0.625, 0.8125, 1, 1],
    );
  });

  it('StepLR(lr=0.1, step_size=3, gamma=0.5)', () => {
    const torchValues = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125];
    expectPyTorch(stepSchedule({ init: 0.1, stepSize: 3, gamma: 0.5 }), torchValues);
  });

  it('MultiStepLR(lr=1, milestones=[2, 4], gamma=0.1)', () => {
    const torchValues = [1, 1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002];
    expectPyTorch(multiStepSchedule({ init: 1, milestones: [2, 4], gamma: 0.1 }), torchValues);
  });

  it('ExponentialLR(lr=0.1, gamma=0.9)', () => {
    const torchValues = [
      0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.06561000000000002,
      0.05904900000000002,
    ];
    expectPyTorch(exponentialSchedule({ init: 0.1, gamma: 0.9 }), torchValues);
  });

  it('CosineAnnealingLR(lr=0.1, T_max=10, eta_min=0.001), within T_max', () => {
    const torchValues = [
      0.1, 0.09757729755661011, 0.0905463412215599, 0.07959536998847742, 0.0657963412215599, 0.0505,
      0.03520365877844011, 0.02140463001152259, 0.010453658778440109, 0.0034227024433899004, 0.001,
    ];
    expectPyTorch(cosineSchedule({ init: 0.1, decaySteps: 10, min: 0.001 }), torchValues);
  });

  it('SequentialLR([LinearLR(start_factor=0.2, total_iters=5), CosineAnnealingLR(T_max=10, eta_min=0.001)], milestones=[5]) = warmupCosineSchedule', () => {
    const torchValues = [
      0.020000000000000004, 0.03600000000000001, 0.05200000000000002, 0.06800000000000002,
      0.08400000000000003, 0.1, 0.09757729755661011, 0.0905463412215599, 0.07959536998847742,
      0.0657963412215599, 0.0505, 0.03520365877844011, 0.02140463001152259, 0.010453658778440109,
      0.0034227024433899004, 0.001,
    ];
    expectPyTorch(
      warmupCosineSchedule({ init: 0.02, peak: 0.1, warmupSteps: 5, totalSteps: 15, end: 0.001 }),
      torchValues,
    );
  });

  it('OneCycleLR(max_lr=0.1, total_steps=20) with its defaults (pct_start 0.3, cos, div 25, final_div 1e4, two phases)', () => {
    const torchValues = [
      0.0040000000000000036, 0.013167184270002533, 0.037167184270002526, 0.06683281572999747,
      0.09083281572999748, 0.1, 0.09874640062350874, 0.09504846320134738, 0.089091617757105,
      0.0811745653949763, 0.07169430017913009, 0.06112620219362893, 0.0500002, 0.03887419780637107,
      0.028306099820869922, 0.0188258346050237, 0.010908782242895003, 0.004951936798652629,
      0.0012539993764912555, 4e-7,
    ];
    expectPyTorch(oneCycleSchedule({ maxLr: 0.1, totalSteps: 20 }), torchValues);
  });

  it("OneCycleLR(max_lr=0.1, total_steps=20, anneal_strategy='linear')", () => {
    const torchValues = [
      0.004, 0.023200000000000002, 0.04240000000000001, 0.0616, 0.08080000000000001, 0.1, 0.09285717142857143,
      0.08571434285714286, 0.0785715142857143, 0.07142868571428572, 0.06428585714285714, 0.05714302857142858,
      0.0500002, 0.042857371428571434, 0.03571454285714286, 0.028571714285714284, 0.02142888571428571,
      0.014286057142857148, 0.007143228571428573, 3.999999999976245e-7,
    ];
    const s = oneCycleSchedule({ maxLr: 0.1, totalSteps: 20, annealStrategy: 'linear' });
    // the last value is a difference of nearly equal numbers in PyTorch's linear anneal: absolute 1e-17 there
    torchValues.forEach((v, k) => {
      expect(Math.abs(s(k + 1) - v)).toBeLessThanOrEqual(1e-13 * Math.abs(v) + 1e-17);
    });
  });

  it('OneCycleLR(max_lr=0.1, total_steps=20, pct_start=0.25, three_phase=True)', () => {
    const torchValues = [
      0.0040000000000000036, 0.018058874503045733, 0.052000000000000005, 0.08594112549695429, 0.1,
      0.08594112549695428, 0.052000000000000005, 0.018058874503045722, 0.004, 0.003918994048634272,
      0.003682538814955796, 0.003309790495743781, 0.0028309469430011724, 0.0022848012135789158,
      0.0017155987864210845, 0.0011694530569988277, 0.000690609504256219, 0.0003178611850442036,
      8.140595136572838e-5, 4e-7,
    ];
    expectPyTorch(
      oneCycleSchedule({ maxLr: 0.1, totalSteps: 20, pctStart: 0.25, threePhase: true }),
      torchValues,
    );
  });
});
