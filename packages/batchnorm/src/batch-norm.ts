import { defineOp, type OpContext, Tensor, ValueError } from '@hw3/core';
import { batchNormBackward } from './batch-norm-backward';
import type { BatchNormCache } from './batch-norm-cache';
import { batchNormForward, batchNormInference, updateRunningStatistics } from './batch-norm-forward';
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
    let result: { output: Float32Array | Float64Array; cache: BatchNormCache };
    if (config.training) {
      result = batchNormForward(x.data, x.shape, { gamma, beta, eps: config.eps, relu: config.relu });
      if (runningMean !== null && runningVar !== null) {
        updateRunningStatistics(runningMean.data, runningVar.data, result.cache, config.momentum);
      }
    } else {
      // Validated by the caller: both running statistics are present when not training.
      result = batchNormInference(x.data, x.shape, {
        gamma,
        beta,
        eps: config.eps,
        relu: config.relu,
        runningMean: runningMean!.data,
        runningVar: runningVar!.data,
      });
    }
    ctx.save(result.cache, gamma);
    return new Tensor(result.output, x.shape);
  },
  backward(ctx: OpContext, gradOutput: Tensor): readonly (Tensor | null)[] {
    const cache = ctx.saved[0] as BatchNormCache;
    const gamma = ctx.saved[1] as Float32Array | Float64Array | null;
    const needs = ctx.needsInputGrad;
    const { dx, dGamma, dBeta } = batchNormBackward(gradOutput.data, cache, {
      gamma,
      inputGradient: needs[0],
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
  });
}
