import {
  type DType,
  Module,
  maxPool2d,
  type Pool2dOptions,
  relu,
  ShapeError,
  Tensor,
  type TorchLayout,
  ValueError,
} from '@hw3/core';
import { batchNorm } from './batch-norm';
import { channelLayout, checkEps, checkOptionsObject, checkTrainingCount, describe } from './validate';

/** Options of the `BatchNorm1d` / `BatchNorm2d` layers (PyTorch names and defaults). */
export interface BatchNormLayerOptions {
  /** ε added to the variance. Default 1e-5 (PyTorch). */
  eps?: number;
  /**
   * Weight of the new batch in the running statistics: running = (1 − momentum)·running + momentum·batch.
   * Default 0.1 (PyTorch; Keras/TF.js momentum 0.99 would be 0.01 here). null = cumulative moving average
   * (weight 1 / numBatchesTracked), as PyTorch's momentum=None.
   */
  momentum?: number | null;
  /** Learnable γ (weight, init 1) and β (bias, init 0). Default true. */
  affine?: boolean;
  /** Keep running_mean / running_var / num_batches_tracked and use them in eval mode. Default true. */
  trackRunningStats?: boolean;
  /** dtype of parameters and running statistics. Default 'float32'. */
  dtype?: DType;
  /**
   * Fused ReLU: the layer returns relu(BN(x)) (`batchNorm`'s `relu` option: the same values bit for bit, one pass and
   * two kernel calls fewer). Not a PyTorch option; default false.
   */
  relu?: boolean;
}

/**
 * Shared implementation of BatchNorm1d and BatchNorm2d (PyTorch's _BatchNorm), channels last.
 * State dict names are PyTorch's: weight, bias, running_mean, running_var, num_batches_tracked.
 */
export abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  /** Whether a ReLU is fused after the normalization. */
  readonly relu: boolean;
  /** γ [numFeatures], init 1 (null when affine is false). */
  readonly weight: Tensor | null;
  /** β [numFeatures], init 0 (null when affine is false). */
  readonly bias: Tensor | null;
  /** Running mean [numFeatures], init 0 (null when trackRunningStats is false). */
  readonly runningMean: Tensor | null;
  /** Running (unbiased) variance [numFeatures], init 1 (null when trackRunningStats is false). */
  readonly runningVar: Tensor | null;
  /** Number of training batches seen, a float64 scalar (PyTorch: int64). Null when trackRunningStats is false. */
  readonly numBatchesTracked: Tensor | null;

  /** Layer name for messages, e.g. 'BatchNorm2d'. */
  protected abstract readonly layerName: string;
  /** Accepted input ranks. */
  protected abstract readonly validRanks: readonly number[];
  /** Accepted layouts for messages, e.g. '[N, H, W, C]'. */
  protected abstract readonly layouts: string;

  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1 || numFeatures > 2 ** 32 - 1) {
      throw new ValueError(
        `numFeatures must be a positive integer (the number of channels) at most 2^32 − 1, got ${describe(numFeatures)}`,
        'BATCHNORM_FEATURES',
      );
    }
    checkOptionsObject('options', options);
    const eps = options.eps ?? 1e-5;
    checkEps(eps);
    const momentum = options.momentum === undefined ? 0.1 : options.momentum;
    checkMomentum(momentum);
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new ValueError(`dtype must be 'float32' or 'float64', got ${describe(dtype)}`, 'DTYPE_MISMATCH');
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const relu = options.relu ?? false;
    if (typeof relu !== 'boolean') {
      throw new ValueError(`relu must be a boolean, got ${String(relu)}`, 'INVALID_OPTION');
    }
    this.relu = relu;
    const make = (value: number): Tensor => {
      const data = dtype === 'float32' ? new Float32Array(numFeatures) : new Float64Array(numFeatures);
      return new Tensor(data.fill(value), [numFeatures]);
    };
    this.weight = this.affine ? this.registerParameter('weight', make(1)) : null;
    this.bias = this.affine ? this.registerParameter('bias', make(0)) : null;
    if (this.trackRunningStats) {
      this.runningMean = this.registerBuffer('running_mean', make(0));
      this.runningVar = this.registerBuffer('running_var', make(1));
      this.numBatchesTracked = this.registerBuffer(
        'num_batches_tracked',
        new Tensor(new Float64Array(1), []),
      );
    } else {
      this.runningMean = null;
      this.runningVar = null;
      this.numBatchesTracked = null;
    }
  }

  /**
   * PyTorch layout (for @hw3/core's toTorchStateDict): same names, per-channel vectors as PyTorch's, and
   * num_batches_tracked is PyTorch's int64 counter (a float64 scalar here).
   */
  override torchLayout(): TorchLayout {
    return this.numBatchesTracked === null ? {} : { tensors: { num_batches_tracked: { layout: 'int64' } } };
  }

  /** running_mean ← 0, running_var ← 1, num_batches_tracked ← 0. */
  resetRunningStats(): void {
    this.runningMean?.data.fill(0);
    this.runningVar?.data.fill(1);
    this.numBatchesTracked?.data.fill(0);
  }

  /** Running statistics reset, γ ← 1, β ← 0. */
  resetParameters(): void {
    this.resetRunningStats();
    this.weight?.data.fill(1);
    this.bias?.data.fill(0);
  }

  forward(x: Tensor): Tensor {
    return this.run(x, this.relu);
  }

  /**
   * relu(this.forward(x)) in one pass (the fused BN + ReLU, the same values bit for bit): `Sequential` calls it for a
   * batch-norm layer directly followed by a `ReLU` layer.
   */
  override forwardReLU(x: Tensor): Tensor {
    // A subclass that overrides forward keeps its own forward (then ReLU as its own op).
    if (this.forward !== BatchNormBase.prototype.forward) return relu(this.forward(x));
    return this.run(x, true);
  }

  /**
   * maxPool2d(relu(this.forward(x)), pool) as one op (batchNorm's fused ReLU and max pool, the same values bit for
   * bit): `Sequential` calls it for a batch-norm layer directly followed by a `ReLU` and a `MaxPool2d` layer.
   */
  override forwardReLUMaxPool2d(x: Tensor, pool: Pool2dOptions): Tensor {
    if (this.forward !== BatchNormBase.prototype.forward) return maxPool2d(relu(this.forward(x)), pool);
    return this.run(x, true, pool);
  }

  private run(x: Tensor, relu: boolean, pool?: Pool2dOptions): Tensor {
    if (!(x instanceof Tensor)) {
      throw new ValueError(`${this.layerName}: x must be a Tensor, got ${describe(x)}`, 'INVALID_INPUT');
    }
    const { count, channels } = channelLayout(`${this.layerName}: x`, x.shape, this.validRanks, this.layouts);
    if (channels !== this.numFeatures) {
      throw new ShapeError(
        `${this.layerName}: x must have ${this.numFeatures} channels (numFeatures) in its last dimension, got ${channels} in shape [${x.shape.join(', ')}]`,
        { code: 'channel-mismatch', dimension: x.ndim - 1, values: { expected: this.numFeatures, channels } },
      );
    }
    const dtype = (this.weight ?? this.runningMean)?.dtype;
    if (dtype !== undefined && x.dtype !== dtype) {
      throw new ValueError(
        `${this.layerName}: x must have the layer's dtype ${dtype}, got ${x.dtype} (create the layer with { dtype: '${x.dtype}' })`,
        'DTYPE_MISMATCH',
      );
    }
    // PyTorch: batch statistics in training mode, and also in eval mode when no running statistics are kept.
    const useBatchStatistics = this.training || this.runningMean === null;
    if (useBatchStatistics) checkTrainingCount(`${this.layerName}: x`, x.shape, count);
    let factor = 0;
    if (this.training && this.numBatchesTracked !== null) {
      checkMomentum(this.momentum); // `momentum` is a public, writable field
      // Counted only once the input is known to be valid, so a rejected batch leaves the state unchanged.
      const tracked = ++this.numBatchesTracked.data[0];
      factor = this.momentum === null ? 1 / tracked : this.momentum;
    }
    const updateRunning = this.training && this.runningMean !== null;
    return batchNorm(x, {
      runningMean: updateRunning || !useBatchStatistics ? this.runningMean : null,
      runningVar: updateRunning || !useBatchStatistics ? this.runningVar : null,
      weight: this.weight,
      bias: this.bias,
      training: useBatchStatistics,
      momentum: factor,
      eps: this.eps,
      relu,
      maxPool2d: pool,
    });
  }

  override toString(): string {
    return `${this.layerName}(${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}${this.relu ? ', relu=true' : ''})`;
  }
}

function checkMomentum(momentum: number | null): void {
  if (momentum === null) return;
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) {
    throw new ValueError(
      `momentum must be a number in [0, 1] or null (cumulative moving average), got ${describe(momentum)}`,
      'BATCHNORM_MOMENTUM',
    );
  }
}
