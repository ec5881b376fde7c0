/**
 * Batch-norm gradient check: the handout's six gradients from @hw3/batchnorm (term-by-term path with its
 * intermediates) against central finite differences in float64, for l = Σ_i dy_i · y_i on a random batch
 * x of shape [m, C]. Environment-neutral (no DOM), so it is unit-tested too.
 */
import { batchNormBackward, batchNormForward } from '@hw3/batchnorm';
import { Rng } from '@hw3/core';

export interface GradRow {
  /** The handout's symbol. */
  name: string;
  analytic: Float64Array;
  numeric: Float64Array;
  maxAbsError: number;
  maxRelError: number;
}

const EPS = 1e-5;
const H = 1e-6;

function compare(name: string, analytic: ArrayLike<number>, numeric: Float64Array): GradRow {
  const a = Float64Array.from(analytic);
  let maxAbs = 0;
  let maxRel = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - numeric[i]);
    maxAbs = Math.max(maxAbs, d);
    maxRel = Math.max(maxRel, d / Math.max(1e-8, Math.abs(a[i]) + Math.abs(numeric[i])));
  }
  return { name, analytic: a, numeric, maxAbsError: maxAbs, maxRelError: maxRel };
}

function central(values: Float64Array, f: () => number): Float64Array {
  const g = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const old = values[i];
    values[i] = old + H;
    const up = f();
    values[i] = old - H;
    const down = f();
    values[i] = old;
    g[i] = (up - down) / (2 * H);
  }
  return g;
}

export function batchNormGradCheck(m: number, channels: number, seed: number): GradRow[] {
  if (!Number.isInteger(m) || m < 2) throw new RangeError(`m must be an integer ≥ 2, got ${m}`);
  if (!Number.isInteger(channels) || channels < 1)
    throw new RangeError(`channels must be an integer ≥ 1, got ${channels}`);
  const rng = new Rng(seed);
  const n = m * channels;
  const shape = [m, channels];
  const x = Float64Array.from({ length: n }, () => rng.normal(0.5, 2));
  const gamma = Float64Array.from({ length: channels }, () => rng.normal(1, 0.5));
  const beta = Float64Array.from({ length: channels }, () => rng.normal(0, 0.5));
  const dy = Float64Array.from({ length: n }, () => rng.normal(0, 1));

  const loss = () => {
    const { output } = batchNormForward(x, shape, { gamma, beta, eps: EPS });
    let l = 0;
    for (let i = 0; i < n; i++) l += dy[i] * output[i];
    return l;
  };
  const { cache } = batchNormForward(x, shape, { gamma, beta, eps: EPS });
  const mean = Float64Array.from(cache.mean);
  const variance = Float64Array.from(cache.variance);
  const grads = batchNormBackward(dy, cache, { gamma, intermediates: true });
  const inter = grads.intermediates!;

  // l as a function of x̂ (for ∂l/∂x̂), of σ²_B with μ_B fixed, and of μ_B with σ²_B = (1/m)Σ(x − μ_B)².
  const xHat = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < channels; c++) {
      xHat[i * channels + c] = (x[i * channels + c] - mean[c]) / Math.sqrt(variance[c] + EPS);
    }
  }
  const lossOfXHat = () => {
    let l = 0;
    for (let k = 0; k < n; k++) {
      const c = k % channels;
      l += dy[k] * (gamma[c] * xHat[k] + beta[c]);
    }
    return l;
  };
  const lossOf = (mu: Float64Array, varianceOf: (c: number) => number) => {
    let l = 0;
    for (let k = 0; k < n; k++) {
      const c = k % channels;
      l += dy[k] * ((gamma[c] * (x[k] - mu[c])) / Math.sqrt(varianceOf(c) + EPS) + beta[c]);
    }
    return l;
  };
  const muFixed = Float64Array.from(mean);
  const varianceFree = Float64Array.from(variance);
  const muFree = Float64Array.from(mean);
  const varianceOfMu = (c: number) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += (x[i * channels + c] - muFree[c]) ** 2;
    return s / m;
  };
  return [
    compare('∂l/∂x̂ᵢ', inter.dXHat, central(xHat, lossOfXHat)),
    compare(
      '∂l/∂σ²_B',
      inter.dVariance,
      central(varianceFree, () => lossOf(muFixed, (c) => varianceFree[c])),
    ),
    compare(
      '∂l/∂μ_B',
      inter.dMean,
      central(muFree, () => lossOf(muFree, varianceOfMu)),
    ),
    compare('∂l/∂xᵢ', grads.dx!, central(x, loss)),
    compare('∂l/∂γ', grads.dGamma, central(gamma, loss)),
    compare('∂l/∂β', grads.dBeta, central(beta, loss)),
  ];
}
