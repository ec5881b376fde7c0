import { getKernels, ValueError } from '@hw3/core';
import { allocateOutputLike, type Pool2dGeometry } from '@hw3/core/kernels';
import { BatchNormCache } from './batch-norm-cache';
import { computeStatistics, normalize } from './batch-norm-statistics';
import type { FloatArray } from './channel-blocks';
import {
  channelLayout,
  checkEps,
  checkLength,
  checkOptionsObject,
  checkTrainingCount,
  describe,
} from './validate';
import { activeBatchNormWasm, type FusedMaxPool2x2 } from './wasm/batch-norm-wasm';

/** Options of `batchNormForward` (training mode: normalise with the batch statistics). */
export interface BatchNormForwardOptions {
  /** γ, one per channel; null or omitted = 1 (affine = false). */
  gamma?: FloatArray | null;
  /** β, one per channel; null or omitted = 0. */
  beta?: FloatArray | null;
  /**
   * Fused ReLU: the output is max(y, 0) (NaN kept, −0 → +0, as @hw3/core's `relu`), one pass less than a separate
   * ReLU; `batchNormBackward` then applies ReLU's backward itself. Default false.
   */
  relu?: boolean;
  /** ε added to the variance, default 1e-5 (PyTorch). */
  eps?: number;
  /**
   * Output buffer of x.length elements (same type as x is usual); allocated when omitted. May be x itself for
   * inference, but then x is overwritten and `batchNormBackward` rejects the cache (it needs x).
   */
  out?: FloatArray;
  /** A cache from an earlier call with the same channel count, reused instead of allocating. */
  cache?: BatchNormCache;
}

/** What `batchNormForward` returns: y, and the cache (batch statistics) that `batchNormBackward` reads. */
export interface BatchNormForwardResult {
  /** y, same shape and layout as x. */
  readonly output: FloatArray;
  /** μ_B, σ²_B, invStd and a reference to x, for `batchNormBackward` and `updateRunningStatistics`. */
  readonly cache: BatchNormCache;
}

/**
 * A max pool applied to the output inside the same op (`batchNorm`'s `maxPool2d` option): its geometry (from
 * @hw3/core's `maxPool2dGeometry`) and its outputs, as @hw3/core's max-pool kernels take them.
 */
export interface PoolEpilogue {
  readonly geometry: Pool2dGeometry;
  /** The pooled output [N, outH, outW, C]. */
  readonly out: FloatArray;
  /**
   * The argmax of every pooled output (flat index into x); −1 (no gradient) where the one-pass loop with ReLU found
   * the window's maximum not > 0, the ReLU's backward folded in (the cache then has relu false).
   */
  readonly argmax: Int32Array;
}

interface Prepared {
  count: number;
  channels: number;
  eps: number;
  /** The normalized output; null when a pool epilogue writes the op's output instead. */
  out: FloatArray | null;
  cache: BatchNormCache;
}

function prepare(
  x: FloatArray,
  shape: readonly number[],
  options: BatchNormForwardOptions,
  pooled: boolean,
): Prepared {
  checkOptionsObject('options', options);
  const { count, channels } = channelLayout('x', shape);
  checkLength('x', x, count * channels, `the product of shape [${shape.join(', ')}]`, 'shape-mismatch');
  const eps = options.eps ?? 1e-5;
  checkEps(eps);
  const gamma = options.gamma ?? null;
  const beta = options.beta ?? null;
  if (gamma !== null) checkLength('gamma', gamma, channels, 'one γ per channel, the last dimension of x');
  if (beta !== null) checkLength('beta', beta, channels, 'one β per channel, the last dimension of x');
  const out = pooled ? null : (options.out ?? allocateOutputLike(x, x.length));
  if (out !== null) checkLength('out', out, x.length, 'the same length as x', 'shape-mismatch');
  let cache = options.cache;
  if (cache === undefined) cache = new BatchNormCache(channels);
  else if (!(cache instanceof BatchNormCache) || cache.channels !== channels) {
    throw new ValueError(
      `cache must be a BatchNormCache for ${channels} channels (the last dimension of x), got one for ${describe(cache.channels)}`,
      'BATCHNORM_CACHE',
    );
  }
  return { count, channels, eps, out, cache };
}

/** The 2×2 stride-2 max pool without padding whose windows tile x (the case the WebAssembly loops fuse). */
function plain2x2(g: Pool2dGeometry): boolean {
  return (
    g.kH === 2 &&
    g.kW === 2 &&
    g.strideH === 2 &&
    g.strideW === 2 &&
    g.padTop === 0 &&
    g.padLeft === 0 &&
    g.dilationH === 1 &&
    g.dilationW === 1 &&
    g.outH === g.inH >> 1 &&
    g.outW === g.inW >> 1
  );
}

/**
 * Training: the batch statistics into the cache; then y = γ (x − mean) · invStd + β; records x and the shape for
 * backward. Runs this package's WebAssembly SIMD loops (float32, the same float64 arithmetic) when the active @hw3/core
 * kernels are a WebAssembly set and the loops accept the call, else the TypeScript kernels of this package. With a
 * pool epilogue, the op's output is the max pool of y (of relu(y) with `relu`): one pass over x without y when the
 * loops fuse it (2×2 stride 2), else y in a temporary buffer and @hw3/core's max-pool kernel — the same values.
 */
function finish(
  x: FloatArray,
  shape: readonly number[],
  options: BatchNormForwardOptions,
  { count, channels, eps, out, cache }: Prepared,
  training: boolean,
  pool: PoolEpilogue | null,
): BatchNormForwardResult {
  const gamma = options.gamma ?? null;
  const beta = options.beta ?? null;
  const { mean, variance, invStd } = cache;
  const relu = options.relu ?? false;
  if (typeof relu !== 'boolean') {
    throw new ValueError(`options.relu must be a boolean, got ${String(relu)}`, 'INVALID_OPTION');
  }
  const wasm = activeBatchNormWasm();
  const g = pool?.geometry;
  const fused: FusedMaxPool2x2 | null =
    pool !== null && g !== undefined && plain2x2(g)
      ? { batch: g.batch, height: g.inH, width: g.inW, argmax: pool.argmax }
      : null;
  // The WebAssembly loops writing `target` (the pooled output with `fused`); false when they decline.
  const loops = (target: FloatArray, fusedPool: FusedMaxPool2x2 | null) =>
    wasm?.forward(
      x,
      count,
      channels,
      eps,
      gamma,
      beta,
      training,
      mean,
      variance,
      invStd,
      target,
      relu,
      fusedPool,
    ) === true;
  const done = pool !== null && fused !== null && loops(pool.out, fused);
  if (!done) {
    const y = out ?? allocateOutputLike(x, x.length);
    if (!loops(y, null)) {
      if (training) computeStatistics(x, count, channels, eps, mean, variance, invStd, cache.scratch[3]);
      normalize(x, count, channels, mean, invStd, gamma, beta, y);
      if (relu) reluInPlace(y, count * channels);
    }
    if (pool !== null) getKernels().maxPool2dForward(pool.geometry, y, pool.out, pool.argmax);
  }
  // The one-pass loop folds the ReLU's backward into the argmax (−1 where the window's maximum is not > 0), so the
  // batch-norm backward of this cache runs without the mask (the same bits; see bnNormalizePool2x2).
  cache.relu = relu && !done;
  cache.beta = beta;
  cache.x = x;
  cache.shape = shape.slice();
  cache.count = count;
  cache.eps = eps;
  cache.training = training;
  cache.inPlace = out === x;
  return { output: pool !== null ? pool.out : (out as FloatArray), cache };
}

/**
 * Training-mode batch normalization (the handout's algorithm) on channels-last data: per channel c, over the
 * m = N (or N·L, N·H·W) values of that channel,
 *   μ_B = (1/m) Σ x_i,   σ²_B = (1/m) Σ (x_i − μ_B)²,   x̂_i = (x_i − μ_B) / √(σ²_B + ε),   y_i = γ x̂_i + β.
 * Two passes over x (statistics, then normalization); sums accumulate in float64. Throws a ValueError when
 * m = 1 ("Expected more than 1 value per channel when training", as PyTorch).
 */
export function batchNormForward(
  x: FloatArray,
  shape: readonly number[],
  options: BatchNormForwardOptions = {},
): BatchNormForwardResult {
  return forwardWithPool(x, shape, options, true, null);
}

/**
 * batchNormForward (`training`) or batchNormInference (options: BatchNormInferenceOptions), optionally with a max
 * pool epilogue (batchNorm's `maxPool2d` option), whose `out` is then the result's output.
 */
export function forwardWithPool(
  x: FloatArray,
  shape: readonly number[],
  options: BatchNormForwardOptions | BatchNormInferenceOptions,
  training: boolean,
  pool: PoolEpilogue | null,
): BatchNormForwardResult {
  const p = prepare(x, shape, options, pool !== null);
  if (training) {
    checkTrainingCount('x', shape, p.count);
    return finish(x, shape, options, p, true, pool);
  }
  const { runningMean, runningVar } = options as BatchNormInferenceOptions;
  const { channels, eps, cache } = p;
  checkLength('runningMean', runningMean, channels, 'one value per channel, the last dimension of x');
  checkLength('runningVar', runningVar, channels, 'one value per channel, the last dimension of x');
  for (let c = 0; c < channels; c++) {
    const v = runningVar[c];
    if (!(v >= 0)) {
      throw new ValueError(
        `runningVar must be >= 0 in every channel, got ${v} in channel ${c}`,
        'BATCHNORM_VARIANCE',
      );
    }
    cache.mean[c] = runningMean[c];
    cache.variance[c] = v;
    cache.invStd[c] = 1 / Math.sqrt(v + eps);
  }
  return finish(x, shape, options, p, false, pool);
}

/** Options of `batchNormInference` (eval mode: normalise with the running statistics). */
export interface BatchNormInferenceOptions extends BatchNormForwardOptions {
  /** Per-channel running mean used instead of μ_B. */
  runningMean: FloatArray;
  /** Per-channel running variance used instead of σ²_B. */
  runningVar: FloatArray;
}

/**
 * Eval-mode batch normalization: y = γ (x − running_mean) / √(running_var + ε) + β, an affine map of x
 * (so its backward is dx = γ · dy / √(running_var + ε)). Works for any m, including 1.
 */
export function batchNormInference(
  x: FloatArray,
  shape: readonly number[],
  options: BatchNormInferenceOptions,
): BatchNormForwardResult {
  return forwardWithPool(x, shape, options, false, null);
}

/**
 * running ← (1 − momentum) · running + momentum · batch, per channel (PyTorch convention), where the batch
 * variance is the unbiased one, σ²_B · m / (m − 1), while the forward normalised with the biased σ²_B.
 * `momentum` is the weight of the new batch: 0.1 for PyTorch's default, 1 / numBatchesTracked for a
 * cumulative moving average (PyTorch momentum = None).
 */
export function updateRunningStatistics(
  runningMean: FloatArray,
  runningVar: FloatArray,
  cache: BatchNormCache,
  momentum: number,
): void {
  if (!(cache instanceof BatchNormCache)) {
    throw new ValueError(
      `cache must be a BatchNormCache from batchNormForward, got ${describe(cache)}`,
      'BATCHNORM_CACHE',
    );
  }
  if (!cache.training) {
    throw new ValueError(
      'cache must come from batchNormForward (training mode) to update running statistics, got an eval-mode cache',
      'BATCHNORM_CACHE',
    );
  }
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) {
    throw new ValueError(
      `momentum must be a number in [0, 1], got ${describe(momentum)}`,
      'BATCHNORM_MOMENTUM',
    );
  }
  const channels = cache.channels;
  checkLength('runningMean', runningMean, channels, 'one value per channel');
  checkLength('runningVar', runningVar, channels, 'one value per channel');
  const m = cache.count;
  const unbias = m / (m - 1);
  for (let c = 0; c < channels; c++) {
    runningMean[c] = (1 - momentum) * runningMean[c] + momentum * cache.mean[c];
    runningVar[c] = (1 - momentum) * runningVar[c] + momentum * cache.variance[c] * unbias;
  }
}

/** out[i] = max(out[i], 0) with NaN kept and −0 → +0 (@hw3/core's ReLU), in place. */
function reluInPlace(out: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = out[i];
    if (!(v > 0) && !Number.isNaN(v)) out[i] = 0;
  }
}
