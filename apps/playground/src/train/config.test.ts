import { describe, expect, it } from 'vitest';
import { scheduledLr, stepsPerEpoch, type TrainConfig, validateConfig } from './config.js';
import { tiny } from './test-helpers.js';

describe('TrainConfig', () => {
  it('accepts a valid config and names the field, value and range of an invalid one', () => {
    expect(() => validateConfig(tiny)).not.toThrow();
    expect(() => validateConfig({ ...tiny, epochs: 1.5 })).toThrow(
      'epochs must be an integer in [1, 100000], got 1.5',
    );
    expect(() => validateConfig({ ...tiny, seed: -1 })).toThrow(
      'seed must be an integer in [0, 4294967295], got -1',
    );
    expect(() => validateConfig({ ...tiny, lr: Number.NaN })).toThrow(
      'lr must be a finite number > 0, got NaN',
    );
    expect(() => validateConfig({ ...tiny, limitTrain: 1 })).toThrow(
      'limitTrain must be an integer in [2, 8000], got 1',
    );
    expect(() => validateConfig({ ...tiny, maxShift: 5 })).toThrow(
      'maxShift must be an integer in [0, 4], got 5',
    );
    expect(() => validateConfig({ ...tiny, schedule: 'linear' as TrainConfig['schedule'] })).toThrow(
      'schedule must be one of constant, cosine, got "linear"',
    );
  });

  it('drops a trailing batch of one digit (it cannot be batch-normalized), keeps any larger one', () => {
    expect(stepsPerEpoch(160, 32)).toBe(5);
    expect(stepsPerEpoch(161, 32)).toBe(5);
    expect(stepsPerEpoch(162, 32)).toBe(6);
  });

  it('cosine: lr_t = lr · (1 + cos(π·t/T)) / 2; constant leaves the optimizer its lr', () => {
    const cosine: TrainConfig = { ...tiny, lr: 0.1, schedule: 'cosine' };
    expect(scheduledLr(cosine, 0, 10)).toBe(0.1);
    expect(scheduledLr(cosine, 5, 10)).toBeCloseTo(0.05, 15);
    expect(scheduledLr(cosine, 10, 10)).toBe(0);
    expect(scheduledLr(tiny, 3, 10)).toBeNull();
  });
});
