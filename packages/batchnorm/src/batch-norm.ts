import {
  defineOp,
  getKernels,
  maxPool2dGeometry,
  type OpContext,
  type Pool2dOptions,
  Tensor,
  ValueError,
} from '@hw3/core';
import { allocateIndices, allocateOutputLike, type Pool2dGeometry } from '@hw3/core/kernels';
import { batchNormBackward } from './batch-norm-backward';
import type { BatchNormCache } from './batch-norm-cache';
import { forwardWithPool, type PoolEpilogue, updateRunningStatistics } from './batch-norm-forward';
import { channelLayout, checkOptionsObject, describe } from './validate';

/** Options of the `batchNorm` autograd op (PyTorch `F.batch_norm` arguments, channels-last). */
export interface BatchNormOptions {
  /** Running mean [C], updated in place when training (and used instead of μ_B when not training). */
  runningMean?: Tensor | null;
  /** Running variance [C], updated in place with the unbiased batch variance when training. */
  runningVar?: Tensor | null;
  /** γ [C]; null or omitted = no scaling. */
  weight?: Tensor | null;
  /** β [C]; null or omitted = no shift. */
  bias?: Tensor | null;
  /** Use batch statistics (true) or the running statistics (false). Default false, as torch.nn.functional.batch_norm. */
  training?: boolean;
  /** Weight of the new batch in the running statistics: running = (1 − momentum)·running + momentum·batch. Default 0.1. */
  momentum?: number;
  /** ε added to the variance. Default 1e-5. */
  eps?: number;
  /**
   * Fused ReLU: returns relu(batchNorm(x)) in one op (one pass and, on the WebAssembly path, no separate ReLU kernel
   * calls with their copies in and out of wasm memory, forward and backward). Same values as `relu(batchNorm(x))`
   * bit for bit. Default false.
   */
  relu?: boolean;
  /**
   * Fused max pool: returns maxPool2d(·, maxPool2d) of the result (after the ReLU when `relu`) in the same op, with
   * @hw3/core's `maxPool2d` options (x must be [N, H, W, C]; `returnIndices` is not supported). Same values as
   * `maxPool2d(batchNorm(x, …), options)` bit for bit, forward and backward. On the WebAssembly path a 2×2 stride-2
   * pool of tensors in the kernels' memory (inside `tidy`, at least 1,024 pooled values) reads x once and never writes
   * the normalized tensor (one pass and H·W·C floats fewer), and with `relu` the backward needs no ReLU mask; any
   * other case runs batch norm then @hw3/core's max-pool kernel inside the op. Default: none.
   */
  maxPool2d?: Pool2dOptions;
}

interface OpConfig {
  readonly training: boolean;
  readonly eps: number;
  readonly momentum: number;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  /** Positions of weight and bias in `inputs` (−1 when absent). */
  readonly weightIndex: number;
  readonly biasIndex: number;
  readonly relu: boolean;
  /** The fused max pool's geometry, or null. */
  readonly pool: Pool2dGeometry | null;
}

/**
 * The fused batch-norm op. Forward: batch (or running) statistics and normalization in two passes over x, and
 * the running-statistics update. Backward: the fused dx formula; dγ and dβ from the same reductions. Saved for
 * backward: the cache (μ, invStd, a reference to x's data) and γ's data (read at backward time, as the
 * optimizer step comes after backward).
 */
const batchNormOp = defineOp<[OpConfig]>({
  name: 'batchNorm',
  forward(ctx: OpContext, inputs: readonly Tensor[], config: OpConfig): Tensor {
    const x = inputs[0];
    const gamma = config.weightIndex >= 0 ? inputs[config.weightIndex].data : null;
    const beta = config.biasIndex >= 0 ? inputs[config.biasIndex].data : null;
    const { runningMean, runningVar } = config;
    const g = config.pool;
    const pooledSize = g === null ? 0 : g.batch * g.outH * g.outW * g.channels;
    const pool: PoolEpilogue | null =
      g === null
        ? null
        : { geometry: g, out: allocateOutputLike(x.data, pooledSize), argmax: allocateIndices(pooledSize) };
    const options = { gamma, beta, eps: config.eps, relu: config.relu };
    let result: { output: Float32Array | Float64Array; cache: BatchNormCache };
    if (config.training) {
      result = forwardWithPool(x.data, x.shape, options, true, pool);
      if (runningMean !== null && runningVar !== null) {
        updateRunningStatistics(runningMean.data, runningVar.data, result.cache, config.momentum);
      }
    } else {
      // Validated by the caller: both running statistics are present when not training.
      const running = { runningMean: runningMean!.data, runningVar: runningVar!.data };
      result = forwardWithPool(x.data, x.shape, { ...options, ...running }, false, pool);
    }
    ctx.save(result.cache, gamma, pool);
    return new Tensor(result.output, g === null ? x.shape : [g.batch, g.outH, g.outW, g.channels]);
  },
  backward(ctx: OpContext, gradOutput: Tensor): readonly (Tensor | null)[] {
    const cache = ctx.saved[0] as BatchNormCache;
    const gamma = ctx.saved[1] as Float32Array | Float64Array | null;
    const pool = ctx.saved[2] as PoolEpilogue | null;
    const needs = ctx.needsInputGrad;
    let dy = gradOutput.data;
    if (pool !== null) {
      // The max pool's backward (@hw3/core's kernel) into a full-size buffer, which dx then overwrites in place.
      const full = allocateOutputLike(dy, cache.x.length);
      getKernels().maxPool2dBackward(pool.argmax, dy, full, pool.geometry);
      dy = full;
    }
    const { dx, dGamma, dBeta } = batchNormBackward(dy, cache, {
      gamma,
      inputGradient: needs[0],
      dx: pool !== null && needs[0] ? dy : undefined,
    });
    const grads: (Tensor | null)[] = [dx === null ? null : new Tensor(dx, cache.shape)];
    for (let i = 1; i < needs.length; i++) {
      const isWeight = gamma !== null && i === 1;
      grads.push(needs[i] ? new Tensor(isWeight ? dGamma : dBeta, [cache.channels]) : null);
    }
    return grads;
  },
});

function checkPerChannel(name: string, t: Tensor | null, channels: number, x: Tensor): void {
  if (t === null) return;
  if (!(t instanceof Tensor)) {
    throw new ValueError(`${name} must be a Tensor or null, got ${describe(t)}`, 'INVALID_INPUT');
  }
  if (t.ndim !== 1 || t.shape[0] !== channels) {
    throw new ValueError(
      `${name} must have shape [${channels}] (one value per channel, the last dimension of x of shape [${x.shape.join(', ')}]), got [${t.shape.join(', ')}]`,
      'BATCHNORM_CHANNELS',
    );
  }
  if (t.dtype !== x.dtype) {
    throw new ValueError(`${name} must have the dtype of x (${x.dtype}), got ${t.dtype}`, 'DTYPE_MISMATCH');
  }
}

/**
 * Batch normalization of channels-last x ([N, C], [N, L, C] or [N, H, W, C]) with autograd, like
 * torch.nn.functional.batch_norm: statistics per channel over all other axes; in training mode the batch
 * statistics normalise (biased variance) and the running statistics, when given, are updated in place
 * (unbiased variance); otherwise the running statistics normalise.
 */
export function batchNorm(x: Tensor, options: BatchNormOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`x must be a Tensor, got ${describe(x)}`, 'INVALID_INPUT');
  checkOptionsObject('options', options);
  const { channels } = channelLayout('x', x.shape);
  const training = options.training ?? false;
  const eps = options.eps ?? 1e-5;
  const momentum = options.momentum ?? 0.1;
  const runningMean = options.runningMean ?? null;
  const runningVar = options.runningVar ?? null;
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  const relu = options.relu ?? false;
  if (typeof relu !== 'boolean') {
    throw new ValueError(`options.relu must be a boolean, got ${String(relu)}`, 'INVALID_OPTION');
  }
  const pool = options.maxPool2d === undefined ? null : maxPool2dGeometry(x, options.maxPool2d);
  checkPerChannel('runningMean', runningMean, channels, x);
  checkPerChannel('runningVar', runningVar, channels, x);
  checkPerChannel('weight', weight, channels, x);
  checkPerChannel('bias', bias, channels, x);
  if ((runningMean === null) !== (runningVar === null)) {
    throw new ValueError(
      `runningMean and runningVar must be given together, got runningMean ${runningMean === null ? 'null' : 'a Tensor'} and runningVar ${runningVar === null ? 'null' : 'a Tensor'}`,
      'BATCHNORM_RUNNING_STATS',
    );
  }
  if (!training && runningMean === null) {
    throw new ValueError(
      'runningMean and runningVar are required when training is false (they replace the batch statistics)',
      'BATCHNORM_RUNNING_STATS',
    );
  }
  const inputs: Tensor[] = [x];
  const weightIndex = weight === null ? -1 : inputs.push(weight) - 1;
  const biasIndex = bias === null ? -1 : inputs.push(bias) - 1;
  return batchNormOp(inputs, {
    training,
    eps,
    momentum,
    runningMean,
    runningVar,
    weightIndex,
    biasIndex,
    relu,
    pool,
  });
}
