import { ValueError } from '@hw3/core';
import type { FloatArray } from './channel-blocks';
import { describe } from './validate';

/**
 * What the forward pass keeps for the backward pass, plus per-channel scratch space. Pass the same cache to
 * `batchNormForward` again (same channel count) to reuse its arrays across training steps.
 *
 * The cache keeps a reference to the input `x` (no copy) and recomputes x̂ = (x − μ) · invStd in the
 * backward pass, as PyTorch does (it saves only mean and invstd): this saves writing and re-reading an
 * m × C array. Do not modify `x` between forward and backward.
 */
export class BatchNormCache {
  /** Number of channels C. */
  readonly channels: number;
  /** The input of the last forward (a reference, not a copy). */
  x: FloatArray;
  /** Shape of `x` as given to the forward. */
  shape: readonly number[];
  /** Values per channel m (N, N·L or N·H·W). */
  count: number;
  /** ε of the last forward. */
  eps: number;
  /** True when the last forward used batch statistics (training); false when it used running statistics. */
  training: boolean;
  /** True when the last forward wrote y over x (`out` = x): x is gone, so `batchNormBackward` refuses the cache. */
  inPlace: boolean;
  /** True when the last forward was the fused BN + ReLU (`relu: true`): backward applies ReLU's mask first. */
  relu = false;
  /** β of the last forward (a reference; the fused BN + ReLU backward recomputes the forward's sign from it). */
  beta: FloatArray | null = null;
  /** μ_B per channel (training), or the running mean used (eval). */
  readonly mean: Float64Array;
  /** σ²_B = (1/m) Σ (x − μ_B)² per channel, the biased batch variance (training), or the running variance used (eval). */
  readonly variance: Float64Array;
  /** 1 / √(σ² + ε) per channel. */
  readonly invStd: Float64Array;
  /** @internal per-channel scratch for the kernels (shift / Σdy, Σdy·(x − μ), Σ(x − μ)). */
  readonly scratch: readonly Float64Array[];

  constructor(channels: number) {
    if (
      typeof channels !== 'number' ||
      !Number.isInteger(channels) ||
      channels < 1 ||
      channels > 2 ** 32 - 1
    ) {
      throw new ValueError(
        `BatchNormCache: channels must be an integer in [1, 2^32 − 1], got ${describe(channels)}`,
        'BATCHNORM_CHANNELS',
      );
    }
    this.channels = channels;
    this.x = new Float64Array(0);
    this.shape = [];
    this.count = 0;
    this.eps = 0;
    this.training = true;
    this.inPlace = false;
    this.mean = new Float64Array(channels);
    this.variance = new Float64Array(channels);
    this.invStd = new Float64Array(channels);
    const scratch: Float64Array[] = [];
    for (let k = 0; k < 4; k++) scratch.push(new Float64Array(channels));
    this.scratch = scratch;
  }
}
