import { describe, expect, it } from 'vitest';
import { batchNormBackward } from './batch-norm-backward';
import { batchNormForward, batchNormInference } from './batch-norm-forward';
import { maxRelativeError, numericGradient, randomArray } from './test-utils';

// An independent float64 re-implementation of the handout's forward, written from μ and σ² so that they can be
// perturbed as independent variables: l = Σ_i,c w_ic · y_ic with y = γ (x − μ) / √(σ² + ε) + β, hence ∂l/∂y = w.
const EPS = 1e-5;

function referenceMean(x: Float64Array, m: number, channels: number): Float64Array {
  const mu = new Float64Array(channels);
  for (let i = 0; i < m; i++) for (let c = 0; c < channels; c++) mu[c] += x[i * channels + c] / m;
  return mu;
}

/** σ²(μ) = (1/m) Σ (x_i − μ)², as a function of μ (the handout's mini-batch variance). */
function referenceVariance(x: Float64Array, m: number, channels: number, mu: Float64Array): Float64Array {
  const v = new Float64Array(channels);
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < channels; c++) {
      const d = x[i * channels + c] - mu[c];
      v[c] += (d * d) / m;
    }
  }
  return v;
}

function lossFromXHat(xHat: Float64Array, gamma: Float64Array, beta: Float64Array, w: Float64Array): number {
  const channels = gamma.length;
  let l = 0;
  for (let k = 0; k < xHat.length; k++) l += w[k] * (gamma[k % channels] * xHat[k] + beta[k % channels]);
  return l;
}

function xHatFrom(x: Float64Array, channels: number, mu: Float64Array, variance: Float64Array): Float64Array {
  const xHat = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const c = k % channels;
    xHat[k] = (x[k] - mu[c]) / Math.sqrt(variance[c] + EPS);
  }
  return xHat;
}

function lossFromStatistics(
  x: Float64Array,
  mu: Float64Array,
  variance: Float64Array,
  gamma: Float64Array,
  beta: Float64Array,
  w: Float64Array,
): number {
  return lossFromXHat(xHatFrom(x, gamma.length, mu, variance), gamma, beta, w);
}

function fullLoss(
  x: Float64Array,
  m: number,
  gamma: Float64Array,
  beta: Float64Array,
  w: Float64Array,
): number {
  const channels = gamma.length;
  const mu = referenceMean(x, m, channels);
  return lossFromStatistics(x, mu, referenceVariance(x, m, channels, mu), gamma, beta, w);
}

const SHAPES: readonly (readonly number[])[] = [
  [6, 3],
  [3, 4, 2],
  [2, 3, 2, 3],
];

function problem(shape: readonly number[], seed: number) {
  const channels = shape[shape.length - 1];
  const size = shape.reduce((a, b) => a * b, 1);
  const m = size / channels;
  const x = randomArray(size, seed, 0.7, 1.3);
  const gamma = randomArray(channels, seed + 1, 1, 0.5);
  const beta = randomArray(channels, seed + 2, 0, 0.5);
  const w = randomArray(size, seed + 3); // ∂l/∂y
  const { cache } = batchNormForward(x, shape, { gamma, beta, eps: EPS });
  const grads = batchNormBackward(w, cache, { gamma, intermediates: true });
  return { channels, m, x, gamma, beta, w, cache, grads };
}

describe.each(SHAPES.map((s) => [`[${s.join(', ')}]`, s] as const))(
  'handout gradients, x of shape %s',
  (_, shape) => {
    const p = problem(shape, 11 * shape.length);
    const inter = p.grads.intermediates!;

    it('∂l/∂x̂_i = ∂l/∂y_i · γ (finite differences in x̂)', () => {
      const mu = referenceMean(p.x, p.m, p.channels);
      const xHat = xHatFrom(p.x, p.channels, mu, referenceVariance(p.x, p.m, p.channels, mu));
      const numeric = numericGradient(() => lossFromXHat(xHat, p.gamma, p.beta, p.w), xHat);
      expect(maxRelativeError(inter.dXHat, numeric)).toBeLessThan(1e-8);
    });

    it('∂l/∂σ²_B = Σ ∂l/∂x̂_i · (x_i − μ_B) · −1/2 (σ²_B + ε)^(−3/2) (σ² perturbed as an independent variable)', () => {
      const mu = referenceMean(p.x, p.m, p.channels);
      const variance = referenceVariance(p.x, p.m, p.channels, mu);
      const numeric = numericGradient(
        () => lossFromStatistics(p.x, mu, variance, p.gamma, p.beta, p.w),
        variance,
      );
      expect(maxRelativeError(inter.dVariance, numeric)).toBeLessThan(1e-6);
    });

    it('∂l/∂μ_B = (Σ ∂l/∂x̂_i · −1/√(σ²_B + ε)) + ∂l/∂σ²_B · Σ −2(x_i − μ_B)/m (μ perturbed, σ²_B = σ²(μ))', () => {
      const mu = referenceMean(p.x, p.m, p.channels);
      // Total derivative through both paths of the graph: x̂(μ, σ²(μ)).
      const total = numericGradient(
        () => lossFromStatistics(p.x, mu, referenceVariance(p.x, p.m, p.channels, mu), p.gamma, p.beta, p.w),
        mu,
      );
      expect(maxRelativeError(inter.dMean, total)).toBeLessThan(1e-6);
      // Direct path only (σ² held fixed) equals the first term.
      const variance = referenceVariance(p.x, p.m, p.channels, mu);
      const direct = numericGradient(() => lossFromStatistics(p.x, mu, variance, p.gamma, p.beta, p.w), mu);
      expect(maxRelativeError(inter.dMeanFromXHat, direct)).toBeLessThan(1e-6);
    });

    it('the second term of ∂l/∂μ_B, ∂l/∂σ²_B · Σ −2(x_i − μ_B)/m, vanishes (Σ (x_i − μ_B) = 0)', () => {
      for (let c = 0; c < p.channels; c++) {
        // Scale of the term if the deviations did not cancel: |∂l/∂σ²| · 2 · Σ|x_i − μ| / m.
        let absDeviation = 0;
        for (let i = 0; i < p.m; i++) absDeviation += Math.abs(p.x[i * p.channels + c] - p.cache.mean[c]);
        const scale = (Math.abs(inter.dVariance[c]) * 2 * absDeviation) / p.m;
        expect(scale).toBeGreaterThan(1e-3); // the check is not vacuous
        expect(Math.abs(inter.dMeanFromVariance[c]) / scale).toBeLessThan(1e-12);
      }
    });

    it('∂l/∂x_i = ∂l/∂x̂_i /√(σ²_B + ε) + ∂l/∂σ²_B · 2(x_i − μ_B)/m + ∂l/∂μ_B /m (finite differences in x)', () => {
      const x = p.x.slice();
      const numeric = numericGradient(() => fullLoss(x, p.m, p.gamma, p.beta, p.w), x);
      expect(maxRelativeError(p.grads.dx!, numeric)).toBeLessThan(1e-6);
    });

    it('∂l/∂γ = Σ ∂l/∂y_i · x̂_i (finite differences in γ)', () => {
      const gamma = p.gamma.slice();
      const numeric = numericGradient(() => fullLoss(p.x, p.m, gamma, p.beta, p.w), gamma);
      expect(maxRelativeError(p.grads.dGamma, numeric)).toBeLessThan(1e-7);
    });

    it('∂l/∂β = Σ ∂l/∂y_i (finite differences in β)', () => {
      const beta = p.beta.slice();
      const numeric = numericGradient(() => fullLoss(p.x, p.m, p.gamma, beta, p.w), beta);
      expect(maxRelativeError(p.grads.dBeta, numeric)).toBeLessThan(1e-7);
    });

    it('fused dx = (γ·invStd/m)·(m·dy − Σdy − x̂·Σ(dy·x̂)) agrees with the handout path', () => {
      const fused = batchNormBackward(p.w, p.cache, { gamma: p.gamma });
      expect(fused.intermediates).toBeNull();
      expect(maxRelativeError(fused.dx!, p.grads.dx!)).toBeLessThan(1e-12);
      expect(maxRelativeError(fused.dGamma, p.grads.dGamma)).toBe(0);
      expect(maxRelativeError(fused.dBeta, p.grads.dBeta)).toBe(0);
    });
  },
);

describe('batchNormBackward', () => {
  it('fused and handout paths agree in float32 too, and match float64 to float32 precision', () => {
    const shape = [8, 5, 5, 4];
    const p = problem(shape, 5);
    const x32 = Float32Array.from(p.x);
    const w32 = Float32Array.from(p.w);
    const g32 = Float32Array.from(p.gamma);
    const { cache } = batchNormForward(x32, shape, { gamma: g32 });
    const fused = batchNormBackward(w32, cache, { gamma: g32 });
    const handout = batchNormBackward(w32, cache, { gamma: g32, intermediates: true });
    expect(fused.dx).toBeInstanceOf(Float32Array);
    expect(maxRelativeError(fused.dx!, handout.dx!)).toBeLessThan(1e-6);
    // float64 reference on the float32-rounded inputs
    const cache64 = batchNormForward(Float64Array.from(x32), shape, { gamma: Float64Array.from(g32) }).cache;
    const ref = batchNormBackward(Float64Array.from(w32), cache64, { gamma: Float64Array.from(g32) });
    expect(maxRelativeError(fused.dx!, ref.dx!)).toBeLessThan(1e-6);
    expect(maxRelativeError(fused.dGamma, ref.dGamma)).toBeLessThan(1e-6);
  });

  it.each([
    [[3, 700, 7]], // several cache blocks of rows and a ragged last block
    [[9, 1100]], // many channels: blocks of 4 rows
    [[2, 3, 5, 13]],
  ])(
    'blocked fast path (forward statistics, fused dx) matches the row-major handout path for %j',
    (shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const channels = shape[shape.length - 1];
      const m = size / channels;
      const x = randomArray(size, 31, 2, 3);
      const w = randomArray(size, 32);
      const gamma = randomArray(channels, 33, 1, 0.5);
      const { cache } = batchNormForward(x, shape, { gamma });
      const mu = referenceMean(x, m, channels);
      expect(maxRelativeError(cache.mean, mu)).toBeLessThan(1e-13);
      expect(maxRelativeError(cache.variance, referenceVariance(x, m, channels, mu))).toBeLessThan(1e-12);
      const fused = batchNormBackward(w, cache, { gamma });
      const handout = batchNormBackward(w, cache, { gamma, intermediates: true });
      expect(maxRelativeError(fused.dx!, handout.dx!)).toBeLessThan(1e-11);
      // dβ against a plain sum
      const sumDy = new Float64Array(channels);
      for (let k = 0; k < size; k++) sumDy[k % channels] += w[k];
      expect(maxRelativeError(fused.dBeta, sumDy)).toBeLessThan(1e-13);
    },
  );

  it('affine = false (γ omitted) uses γ = 1', () => {
    const shape = [5, 3];
    const p = problem(shape, 3);
    const ones = new Float64Array(3).fill(1);
    const { cache } = batchNormForward(p.x, shape);
    const a = batchNormBackward(p.w, cache);
    const b = batchNormBackward(p.w, batchNormForward(p.x, shape, { gamma: ones }).cache, { gamma: ones });
    expect(Array.from(a.dx!)).toEqual(Array.from(b.dx!));
  });

  it('reuses output buffers, allows dx to alias dy, and skips dx on request', () => {
    const shape = [4, 2];
    const p = problem(shape, 9);
    const expected = batchNormBackward(p.w, p.cache, { gamma: p.gamma });
    const dy = p.w.slice();
    const dGamma = new Float64Array(2);
    const r = batchNormBackward(dy, p.cache, { gamma: p.gamma, dx: dy, dGamma });
    expect(r.dx).toBe(dy);
    expect(r.dGamma).toBe(dGamma);
    expect(maxRelativeError(dy, expected.dx!)).toBe(0);
    const noDx = batchNormBackward(p.w, p.cache, { gamma: p.gamma, inputGradient: false });
    expect(noDx.dx).toBeNull();
    expect(Array.from(noDx.dBeta)).toEqual(Array.from(expected.dBeta));
  });

  it('constant input (σ² = 0) gives finite gradients', () => {
    const shape = [4, 3, 3, 2];
    const x = new Float32Array(72).fill(3.25);
    const w = Float32Array.from(randomArray(72, 4));
    const { output, cache } = batchNormForward(x, shape);
    expect(Array.from(cache.variance)).toEqual([0, 0]);
    expect(output.every((v) => v === 0)).toBe(true);
    const g = batchNormBackward(w, cache, { intermediates: true });
    for (const a of [g.dx!, g.dGamma, g.dBeta, g.intermediates!.dMean, g.intermediates!.dVariance]) {
      expect(a.every(Number.isFinite)).toBe(true);
    }
    // x̂ = 0, so dx = invStd · (dy − mean(dy)) per channel
    const invStd = 1 / Math.sqrt(1e-5);
    const meanDy0 = w.filter((_, k) => k % 2 === 0).reduce((a, b) => a + b, 0) / 36;
    expect(g.dx![0]).toBeCloseTo(invStd * (w[0] - meanDy0), 2);
  });

  it('eval mode: ∂l/∂x = γ · ∂l/∂y / √(running_var + ε) (finite differences)', () => {
    const shape = [3, 2, 2, 2];
    const x = randomArray(24, 21);
    const w = randomArray(24, 22);
    const gamma = Float64Array.of(0.5, -2);
    const beta = Float64Array.of(0.1, 0.2);
    const runningMean = Float64Array.of(0.3, -0.4);
    const runningVar = Float64Array.of(1.7, 0.2);
    const loss = (xs: Float64Array, g: Float64Array) => {
      const y = batchNormInference(xs, shape, { runningMean, runningVar, gamma: g, beta }).output;
      let l = 0;
      for (let k = 0; k < y.length; k++) l += y[k] * w[k];
      return l;
    };
    const { cache } = batchNormInference(x, shape, { runningMean, runningVar, gamma, beta });
    const r = batchNormBackward(w, cache, { gamma });
    const xs = x.slice();
    expect(
      maxRelativeError(
        r.dx!,
        numericGradient(() => loss(xs, gamma), xs),
      ),
    ).toBeLessThan(1e-8);
    const gs = gamma.slice();
    expect(
      maxRelativeError(
        r.dGamma,
        numericGradient(() => loss(x, gs), gs),
      ),
    ).toBeLessThan(1e-8);
    expect(r.dx![1]).toBeCloseTo((-2 * w[1]) / Math.sqrt(0.2 + 1e-5), 12);
  });

  it('rejects dy of the wrong length, naming the argument', () => {
    const p = problem([4, 2], 1);
    expect(() => batchNormBackward(new Float64Array(7), p.cache)).toThrow(
      /dy must have length 8.*got length 7/,
    );
  });
});

describe('junk arguments are typed errors, not TypeErrors (found by apps/fuzz)', () => {
  it('a cache that is not a BatchNormCache, options that are not an object', () => {
    const dy = new Float64Array(6);
    expect(() => batchNormBackward(dy, undefined as never)).toThrow(/cache must be a BatchNormCache/);
    const { cache } = batchNormForward(Float64Array.from([1, 2, 3, 4, 5, 7]), [2, 3]);
    expect(() => batchNormBackward(dy, cache, null as never)).toThrow(/options must be an object, got null/);
  });
});
