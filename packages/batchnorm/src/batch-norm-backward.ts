import { ValueError } from '@hw3/core';
import { allocateOutputLike } from '@hw3/core/kernels';
import { BatchNormCache } from './batch-norm-cache';
import {
  inputGradientAffine,
  inputGradientFused,
  inputGradientHandout,
  reduceGradient,
} from './batch-norm-gradients';
import type { FloatArray } from './channel-blocks';
import { checkLength, checkOptionsObject, describe } from './validate';
import { activeBatchNormWasm } from './wasm/batch-norm-wasm';

/** Options of `batchNormBackward`: the forward's γ, which gradients to compute, reusable output buffers. */
export interface BatchNormBackwardOptions {
  /** The γ used in the forward (null or omitted = 1). */
  gamma?: FloatArray | null;
  /** Also return the handout's intermediates ∂l/∂x̂, ∂l/∂σ², ∂l/∂μ (slower: the term-by-term path). */
  intermediates?: boolean;
  /** Compute dx (default true); false skips the input-gradient pass (dγ, dβ only). */
  inputGradient?: boolean;
  /** Output buffers, reused when given (dx may alias dy). */
  dx?: FloatArray;
  dGamma?: FloatArray;
  dBeta?: FloatArray;
  /** Buffer for ∂l/∂x̂ (x.length elements) when `intermediates` is true. */
  dXHat?: FloatArray;
}

/** The handout's intermediate gradients (training mode only). */
export interface BatchNormIntermediates {
  /** ∂l/∂x̂_i = ∂l/∂y_i · γ, same layout as x. */
  readonly dXHat: FloatArray;
  /** ∂l/∂σ²_B = Σ ∂l/∂x̂_i (x_i − μ_B) · (−1/2)(σ²_B + ε)^(−3/2), per channel. */
  readonly dVariance: Float64Array;
  /** ∂l/∂μ_B, per channel: the sum of the two terms below. */
  readonly dMean: Float64Array;
  /** First term of ∂l/∂μ_B: Σ ∂l/∂x̂_i · −1/√(σ²_B + ε). */
  readonly dMeanFromXHat: Float64Array;
  /** Second term of ∂l/∂μ_B: ∂l/∂σ²_B · Σ −2(x_i − μ_B) / m, zero up to rounding since Σ (x_i − μ_B) = 0. */
  readonly dMeanFromVariance: Float64Array;
}

/** The gradients `batchNormBackward` returns: ∂l/∂x, ∂l/∂γ, ∂l/∂β and, on request, the intermediates. */
export interface BatchNormGradients {
  /** ∂l/∂x, same layout as x; null when `inputGradient: false`. */
  readonly dx: FloatArray | null;
  /** ∂l/∂γ = Σ ∂l/∂y_i · x̂_i, per channel. */
  readonly dGamma: FloatArray;
  /** ∂l/∂β = Σ ∂l/∂y_i, per channel. */
  readonly dBeta: FloatArray;
  /** Present when `intermediates: true` and the cache is from training mode. */
  readonly intermediates: BatchNormIntermediates | null;
}

function like(array: FloatArray, length: number): FloatArray {
  return array instanceof Float32Array ? new Float32Array(length) : new Float64Array(length);
}

/**
 * Backward pass of `batchNormForward` / `batchNormInference` given dy = ∂l/∂y (same layout as x).
 *
 * Training mode, fast path (default): one pass for Σ dy and Σ dy·(x − μ) per channel, one pass for
 *   ∂l/∂x_i = (γ · invStd / m) · (m · ∂l/∂y_i − Σ_j ∂l/∂y_j − x̂_i · Σ_j ∂l/∂y_j x̂_j),
 *   ∂l/∂γ = Σ ∂l/∂y_i x̂_i,   ∂l/∂β = Σ ∂l/∂y_i.
 * With `intermediates: true` it follows the handout term by term (∂l/∂x̂, ∂l/∂σ², ∂l/∂μ, then ∂l/∂x) and
 * returns those too. Eval mode: ∂l/∂x = γ · invStd · ∂l/∂y (running statistics are constants).
 */
export function batchNormBackward(
  upstream: FloatArray,
  cache: BatchNormCache,
  options: BatchNormBackwardOptions = {},
): BatchNormGradients {
  if (!(cache instanceof BatchNormCache)) {
    throw new ValueError(
      `cache must be a BatchNormCache from batchNormForward, got ${describe(cache)}`,
      'BATCHNORM_CACHE',
    );
  }
  checkOptionsObject('options', options);
  let dy = upstream;
  const { count, channels, x, mean, invStd } = cache;
  if (cache.inPlace) {
    throw new ValueError(
      'cache comes from a forward that wrote its output over x (out = x), so x is lost and the gradients cannot be computed; pass a separate out buffer when you need the backward',
      'BATCHNORM_CACHE',
    );
  }
  checkLength(
    'dy',
    dy,
    x.length,
    `the length of x in the forward, shape [${cache.shape.join(', ')}]`,
    'shape-mismatch',
  );
  const gamma = options.gamma ?? null;
  if (gamma !== null) checkLength('gamma', gamma, channels, 'one γ per channel');
  const wantDx = options.inputGradient ?? true;
  const dx = wantDx ? (options.dx ?? allocateOutputLike(dy, dy.length)) : null;
  if (dx !== null) checkLength('dx', dx, dy.length, 'the length of dy', 'shape-mismatch');
  const dGamma = options.dGamma ?? like(dy, channels);
  const dBeta = options.dBeta ?? like(dy, channels);
  checkLength('dGamma', dGamma, channels, 'one value per channel');
  checkLength('dBeta', dBeta, channels, 'one value per channel');
  const [sumDy, sumDyXmu, sumXmu] = cache.scratch;

  // Training mode without intermediates (the autograd path): when the active @hw3/core kernels are a WebAssembly
  // set, this package's WebAssembly loops (SIMD for float32, the same float64 arithmetic) do the reductions and dx,
  // if they accept the call.
  const fast =
    cache.training &&
    !options.intermediates &&
    activeBatchNormWasm()?.backward(
      dy,
      x,
      count,
      channels,
      mean,
      invStd,
      gamma,
      sumDy,
      sumDyXmu,
      dx,
      cache.relu,
      cache.beta,
    ) === true;
  // Fused BN + ReLU (forward with `relu: true`) off the WebAssembly path: ReLU's backward first, on a copy of dy.
  if (!fast && cache.relu) dy = reluMaskedGradient(dy, cache, gamma);
  // dγ and dβ come from the same two reductions in every mode. They are computed before dx, so dx may alias dy.
  if (!fast) reduceGradient(dy, x, count, channels, mean, sumDy, sumDyXmu);
  for (let c = 0; c < channels; c++) {
    dGamma[c] = invStd[c] * sumDyXmu[c];
    dBeta[c] = sumDy[c];
  }

  let intermediates: BatchNormIntermediates | null = null;
  if (!fast && (dx !== null || options.intermediates)) {
    if (!cache.training) {
      if (dx !== null) inputGradientAffine(dy, count, channels, invStd, gamma, dx);
    } else if (options.intermediates) {
      const dXHat = options.dXHat ?? like(dy, dy.length);
      checkLength('dXHat', dXHat, dy.length, 'the length of dy', 'shape-mismatch');
      const result: BatchNormIntermediates = {
        dXHat,
        dVariance: new Float64Array(channels),
        dMean: new Float64Array(channels),
        dMeanFromXHat: new Float64Array(channels),
        dMeanFromVariance: new Float64Array(channels),
      };
      inputGradientHandout(
        dy,
        x,
        count,
        channels,
        mean,
        invStd,
        gamma,
        dXHat,
        result.dVariance,
        result.dMean,
        result.dMeanFromXHat,
        result.dMeanFromVariance,
        sumXmu,
        dx ?? like(dy, dy.length),
      );
      intermediates = result;
    } else if (dx !== null) {
      inputGradientFused(dy, x, count, channels, mean, invStd, gamma, sumDy, sumDyXmu, dx);
    }
  }
  return { dx, dGamma, dBeta, intermediates };
}

/**
 * dy where the fused forward's output was > 0, else +0 (ReLU's backward), as a new array. The output is recomputed
 * from x with the forward's expression, (x − mean)·(γ·invStd) + β rounded to x's type, so the mask is exact.
 */
function reluMaskedGradient(dy: FloatArray, cache: BatchNormCache, gamma: FloatArray | null): FloatArray {
  const { x, channels: C, mean, invStd, beta } = cache;
  const out = allocateOutputLike(dy, dy.length);
  const f32 = x instanceof Float32Array;
  for (let i = 0; i < dy.length; i++) {
    const c = i % C;
    const scale = gamma === null ? invStd[c] : gamma[c] * invStd[c];
    const v = (x[i] - mean[c]) * scale + (beta === null ? 0 : beta[c]);
    out[i] = (f32 ? Math.fround(v) : v) > 0 ? dy[i] : 0;
  }
  return out;
}
