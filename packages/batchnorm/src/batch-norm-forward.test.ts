import { ShapeError, ValueError } from '@hw3/core';
import { describe, expect, it } from 'vitest';
import { batchNormBackward } from './batch-norm-backward';
import { BatchNormCache } from './batch-norm-cache';
import { batchNormForward, batchNormInference, updateRunningStatistics } from './batch-norm-forward';
import { maxRelativeError, randomArray } from './test-utils';

describe('batchNormForward', () => {
  it('μ_B = (1/m) Σ x_i, σ²_B = (1/m) Σ (x_i − μ_B)², x̂ = (x − μ_B)/√(σ²_B + ε), y = γ x̂ + β (hand computation)', () => {
    // Two channels, m = 4. Channel 0: 1, 2, 3, 4 → μ = 2.5, σ² = 1.25. Channel 1: 10, 10, 10, 14 → μ = 11, σ² = 3.
    const x = Float64Array.of(1, 10, 2, 10, 3, 10, 4, 14);
    const { output, cache } = batchNormForward(x, [4, 2], {
      gamma: Float64Array.of(2, 1),
      beta: Float64Array.of(0.5, -1),
      eps: 1e-5,
    });
    expect(Array.from(cache.mean)).toEqual([2.5, 11]);
    expect(cache.variance[0]).toBeCloseTo(1.25, 14);
    expect(cache.variance[1]).toBeCloseTo(3, 14);
    expect(cache.invStd[0]).toBeCloseTo(1 / Math.sqrt(1.25 + 1e-5), 14);
    const s0 = Math.sqrt(1.25 + 1e-5);
    const s1 = Math.sqrt(3 + 1e-5);
    const expected = [
      (2 * -1.5) / s0 + 0.5,
      -1 / s1 - 1,
      (2 * -0.5) / s0 + 0.5,
      -1 / s1 - 1,
      (2 * 0.5) / s0 + 0.5,
      -1 / s1 - 1,
      (2 * 1.5) / s0 + 0.5,
      3 / s1 - 1,
    ];
    expect(maxRelativeError(output, expected)).toBeLessThan(1e-14);
  });

  it('statistics are per channel over all other axes for [N, L, C] and [N, H, W, C]', () => {
    const shape = [3, 4, 5, 2];
    const x = randomArray(120, 7, 3, 2);
    const { output, cache } = batchNormForward(x, shape);
    const { cache: cache3 } = batchNormForward(x, [12, 5, 2]);
    const { cache: cache2 } = batchNormForward(x, [60, 2]);
    for (let c = 0; c < 2; c++) {
      let sum = 0;
      for (let k = c; k < 120; k += 2) sum += x[k];
      expect(cache.mean[c]).toBeCloseTo(sum / 60, 13);
      expect(cache3.mean[c]).toBe(cache.mean[c]);
      expect(cache2.variance[c]).toBe(cache.variance[c]);
      // normalised output has mean 0 and biased variance σ²/(σ² + ε) per channel
      let mean = 0;
      let sq = 0;
      for (let k = c; k < 120; k += 2) {
        mean += output[k] / 60;
        sq += (output[k] * output[k]) / 60;
      }
      expect(Math.abs(mean)).toBeLessThan(1e-14);
      expect(sq).toBeCloseTo(cache.variance[c] / (cache.variance[c] + 1e-5), 12);
    }
  });

  it('one-pass statistics are accurate when |μ| ≫ σ (float32 input, float64 sums)', () => {
    const x = Float32Array.from(randomArray(4096, 3, 1e4, 0.01));
    const { cache } = batchNormForward(x, [1024, 4]);
    for (let c = 0; c < 4; c++) {
      let mu = 0;
      for (let k = c; k < x.length; k += 4) mu += x[k];
      mu /= 1024;
      let v = 0;
      for (let k = c; k < x.length; k += 4) v += (x[k] - mu) ** 2;
      v /= 1024;
      expect(Math.abs(cache.mean[c] - mu)).toBeLessThan(1e-9);
      expect(Math.abs(cache.variance[c] - v) / v).toBeLessThan(1e-9);
    }
  });

  it('float32 input gives float32 output equal to the float64 computation rounded', () => {
    const x = Float32Array.from(randomArray(60, 1));
    const gamma = Float32Array.of(1.5, -0.5, 2);
    const { output } = batchNormForward(x, [4, 5, 3], { gamma });
    const ref = batchNormForward(Float64Array.from(x), [4, 5, 3], { gamma: Float64Array.from(gamma) }).output;
    expect(output).toBeInstanceOf(Float32Array);
    expect(maxRelativeError(output, ref)).toBeLessThan(2e-7);
  });

  it('reuses out and cache buffers across calls, and works in place', () => {
    const cache = new BatchNormCache(3);
    const out = new Float32Array(12);
    const a = Float32Array.from(randomArray(12, 2));
    const r1 = batchNormForward(a, [4, 3], { out, cache });
    expect(r1.output).toBe(out);
    expect(r1.cache).toBe(cache);
    const mean = cache.mean;
    const expected = out.slice();
    const inPlace = a.slice();
    batchNormForward(inPlace, [4, 3], { out: inPlace, cache });
    expect(cache.mean).toBe(mean);
    expect(Array.from(inPlace)).toEqual(Array.from(expected));
    // x was overwritten, so a backward from this cache would silently use y as x: it is refused instead.
    expect(() => batchNormBackward(new Float32Array(12), cache)).toThrow(ValueError);
    expect(() => batchNormBackward(new Float32Array(12), cache)).toThrow(
      /wrote its output over x \(out = x\)/,
    );
    batchNormForward(a, [4, 3], { out, cache });
    expect(batchNormBackward(new Float32Array(12), cache).dx).not.toBeNull(); // a separate out is fine again
  });

  it('constant input (σ² = 0) gives a finite output equal to β', () => {
    const x = new Float32Array(24).fill(-7.5);
    const { output, cache } = batchNormForward(x, [2, 2, 2, 3], { beta: Float32Array.of(1, 2, 3) });
    expect(Array.from(cache.variance)).toEqual([0, 0, 0]);
    expect(Array.from(output.slice(0, 3))).toEqual([1, 2, 3]);
    expect(output.every(Number.isFinite)).toBe(true);
  });

  it('m = 1 in training mode throws "Expected more than 1 value per channel when training"', () => {
    const call = () => batchNormForward(new Float32Array(4), [1, 4]);
    expect(call).toThrow(ValueError);
    expect(call).toThrow(/Expected more than 1 value per channel when training.*\[1, 4\]/);
    expect(() => batchNormForward(new Float32Array(4), [1, 1, 1, 4])).toThrow(/m = 1/);
  });

  it('rejects a wrong rank, size, channel count or eps with a typed error naming argument and value', () => {
    expect(() => batchNormForward(new Float32Array(4), [4])).toThrow(ShapeError);
    expect(() => batchNormForward(new Float32Array(4), [4])).toThrow(
      /x must have rank 2 or 3 or 4 \(\[N, C\], \[N, L, C\] or \[N, H, W, C\].*got rank 1/,
    );
    expect(() => batchNormForward(new Float32Array(64), [2, 2, 2, 2, 2, 2])).toThrow(/got rank 6/);
    expect(() => batchNormForward(new Float32Array(6), [2, 0, 3])).toThrow(
      /positive integer, got 0 at dimension 1/,
    );
    expect(() => batchNormForward(new Float32Array(5), [2, 3])).toThrow(/x must have length 6.*got length 5/);
    const gamma = () => batchNormForward(new Float32Array(6), [2, 3], { gamma: new Float32Array(2) });
    expect(gamma).toThrow(ShapeError);
    expect(gamma).toThrow(/gamma must have length 3 \(one γ per channel.*got length 2/);
    expect(() => batchNormForward(new Float32Array(6), [2, 3], { beta: new Float32Array(4) })).toThrow(
      /beta must have length 3.*got length 4/,
    );
    expect(() => batchNormForward(new Float32Array(6), [2, 3], { eps: 0 })).toThrow(
      /eps must be a finite number > 0.*got 0/,
    );
    expect(() => batchNormForward(new Float32Array(6), [2, 3], { cache: new BatchNormCache(2) })).toThrow(
      /cache must be a BatchNormCache for 3 channels/,
    );
  });

  it("error codes: data of the wrong length is 'shape-mismatch', a per-channel array 'channel-mismatch'", () => {
    const codeOf = (f: () => unknown): unknown => {
      try {
        f();
      } catch (error) {
        return (error as ShapeError).code;
      }
      return 'no error';
    };
    expect(codeOf(() => batchNormForward(new Float32Array(5), [2, 3]))).toBe('shape-mismatch');
    expect(codeOf(() => batchNormForward(new Float32Array(6), [2, 3], { out: new Float32Array(5) }))).toBe(
      'shape-mismatch',
    );
    expect(codeOf(() => batchNormForward(new Float32Array(6), [2, 3], { gamma: new Float32Array(2) }))).toBe(
      'channel-mismatch',
    );
  });
});

describe('batchNormInference', () => {
  it('y = γ (x − running_mean)/√(running_var + ε) + β, for any m including 1', () => {
    const runningMean = Float32Array.of(1, -2);
    const runningVar = Float32Array.of(4, 0.25);
    const { output, cache } = batchNormInference(Float32Array.of(3, -1), [1, 2], {
      runningMean,
      runningVar,
      gamma: Float32Array.of(2, 1),
      beta: Float32Array.of(0, 10),
      eps: 1e-5,
    });
    expect(cache.training).toBe(false);
    expect(output[0]).toBeCloseTo((2 * 2) / Math.sqrt(4 + 1e-5), 6);
    expect(output[1]).toBeCloseTo(1 / Math.sqrt(0.25 + 1e-5) + 10, 5);
  });

  it('rejects a negative running variance and running statistics of the wrong length', () => {
    const base = { runningMean: new Float32Array(2), runningVar: Float32Array.of(1, -1) };
    expect(() => batchNormInference(new Float32Array(4), [2, 2], base)).toThrow(
      /runningVar must be >= 0.*-1 in channel 1/,
    );
    expect(() =>
      batchNormInference(new Float32Array(4), [2, 2], { ...base, runningMean: new Float32Array(3) }),
    ).toThrow(/runningMean must have length 2/);
  });
});

describe('updateRunningStatistics', () => {
  // Channel values over two steps (m = 4):
  //   step 1: 1, 2, 3, 4 → μ = 2.5, biased σ² = 1.25, unbiased = 1.25 · 4/3 = 5/3
  //   step 2: 2, 4, 6, 8 → μ = 5,   biased σ² = 5,    unbiased = 20/3
  const step1 = Float64Array.of(1, 2, 3, 4);
  const step2 = Float64Array.of(2, 4, 6, 8);

  it('momentum 0.1: running = 0.9 · running + 0.1 · batch, with the unbiased batch variance', () => {
    const runningMean = Float64Array.of(0);
    const runningVar = Float64Array.of(1);
    updateRunningStatistics(runningMean, runningVar, batchNormForward(step1, [4, 1]).cache, 0.1);
    // 0.9·0 + 0.1·2.5 = 0.25;  0.9·1 + 0.1·5/3 = 1.0666…
    expect(runningMean[0]).toBeCloseTo(0.25, 14);
    expect(runningVar[0]).toBeCloseTo(0.9 + 0.5 / 3, 14);
    updateRunningStatistics(runningMean, runningVar, batchNormForward(step2, [4, 1]).cache, 0.1);
    // 0.9·0.25 + 0.1·5 = 0.725;  0.9·1.0666… + 0.1·20/3 = 0.96 + 0.6666… = 1.6266…
    expect(runningMean[0]).toBeCloseTo(0.725, 14);
    expect(runningVar[0]).toBeCloseTo(0.96 + 2 / 3, 14);
  });

  it('cumulative average (PyTorch momentum = None): weights 1/1, then 1/2', () => {
    const runningMean = Float64Array.of(0);
    const runningVar = Float64Array.of(1);
    updateRunningStatistics(runningMean, runningVar, batchNormForward(step1, [2, 2, 1]).cache, 1 / 1);
    expect(runningMean[0]).toBe(2.5);
    expect(runningVar[0]).toBeCloseTo(5 / 3, 14);
    updateRunningStatistics(runningMean, runningVar, batchNormForward(step2, [2, 2, 1]).cache, 1 / 2);
    // (2.5 + 5)/2 = 3.75;  (5/3 + 20/3)/2 = 25/6
    expect(runningMean[0]).toBe(3.75);
    expect(runningVar[0]).toBeCloseTo(25 / 6, 14);
  });

  it('rejects an eval-mode cache and a momentum outside [0, 1]', () => {
    const rm = new Float64Array(1);
    const rv = Float64Array.of(1);
    const evalCache = batchNormInference(step1, [4, 1], { runningMean: rm, runningVar: rv }).cache;
    expect(() => updateRunningStatistics(rm, rv, evalCache, 0.1)).toThrow(/training mode/);
    const cache = batchNormForward(step1, [4, 1]).cache;
    expect(() => updateRunningStatistics(rm, rv, cache, 1.5)).toThrow(
      /momentum must be a number in \[0, 1\], got 1.5/,
    );
  });
});

describe('junk arguments are typed errors, not TypeErrors (found by apps/fuzz)', () => {
  const x = Float64Array.from([1, 2, 3, 4, 5, 7]);
  it('options that are not an object', () => {
    expect(() => batchNormInference(x, [2, 3], undefined as never)).toThrow(
      /options must be an object, got undefined/,
    );
    expect(() => batchNormForward(x, [2, 3], null as never)).toThrow(ValueError);
  });
  it('updateRunningStatistics without a cache', () => {
    const r = new Float64Array(3);
    expect(() => updateRunningStatistics(r, r, undefined as never, 0.1)).toThrow(
      /cache must be a BatchNormCache/,
    );
    expect(() => updateRunningStatistics(r, r, {} as never, 0.1)).toThrow(ValueError);
  });
  it('BatchNormCache with a bad channel count', () => {
    for (const bad of [Number.NaN, 0, -1, 2.5, '3', 2 ** 40]) {
      expect(() => new BatchNormCache(bad as never)).toThrow(/BatchNormCache: channels must be an integer/);
    }
    expect(new BatchNormCache(3).mean.length).toBe(3);
  });
  it('values that String() cannot print (null-prototype objects) still give a typed error', () => {
    expect(() => batchNormForward(x, [2, Object.create(null)] as never)).toThrow(ShapeError);
  });
});
