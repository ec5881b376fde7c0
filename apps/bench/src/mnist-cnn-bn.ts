/**
 * mnist-cnn-bn (see the team contract) built twice — with hw3 (core + batchnorm + losses + optim) and with
 * TensorFlow.js ops — for the training-step and inference benchmarks. Input [N, 28, 28, 1] NHWC →
 * conv 3×3 1→8 'same' → BatchNorm → ReLU → maxpool 2×2 → conv 3×3 8→16 'same' → BatchNorm → ReLU →
 * maxpool 2×2 → flatten (784) → linear 784→10; softmax cross-entropy; Adam (lr 1e-3). 9,146 parameters.
 * The data is synthetic (seeded uniform pixels, random labels): only the time per step matters here.
 */
import { batchNorm } from '@hw3/batchnorm';
import {
  conv2d,
  flatten,
  linear,
  maxPool2d,
  noGrad,
  ones,
  Rng,
  relu,
  Tensor,
  tidy,
  uniform,
  zeros,
} from '@hw3/core';
import { crossEntropy } from '@hw3/losses';
import { Adam } from '@hw3/optim';
import { tf } from './tfjs';
import { randomFloat32 } from './timing';

export const BATCH = 64;

export interface Batch {
  x: Float32Array;
  labels: Int32Array;
}

export function syntheticBatch(batch: number, seed: number): Batch {
  const x = randomFloat32(batch * 28 * 28, seed).map((v) => (v + 1) / 2);
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = Math.floor(((x[i * 784 + 400] * 9973) % 1) * 10);
  return { x, labels };
}

/** PyTorch's default init bound for a layer with `fanIn` inputs: U(−1/√fanIn, 1/√fanIn). */
const bound = (fanIn: number) => 1 / Math.sqrt(fanIn);

export class Hw3MnistCnnBn {
  readonly params: Tensor[];
  private readonly w1: Tensor;
  private readonly b1: Tensor;
  private readonly g1 = ones([8], { requiresGrad: true });
  private readonly be1 = zeros([8], { requiresGrad: true });
  private readonly rm1 = zeros([8]);
  private readonly rv1 = ones([8]);
  private readonly w2: Tensor;
  private readonly b2: Tensor;
  private readonly g2 = ones([16], { requiresGrad: true });
  private readonly be2 = zeros([16], { requiresGrad: true });
  private readonly rm2 = zeros([16]);
  private readonly rv2 = ones([16]);
  private readonly wl: Tensor;
  private readonly bl: Tensor;
  private readonly optimizer: Adam;

  /**
   * @param fuseBnRelu batchNorm(h, { relu: true, maxPool2d: { kernelSize: 2 } }) instead of
   *   maxPool2d(relu(batchNorm(h))) (same values bit for bit; two passes and several kernel calls fewer per layer).
   *   Default true; false measures the unfused path.
   * @param resident run steps inside `tidy` (tensors in WebAssembly memory). Default true; false measures copies.
   */
  constructor(
    seed: number,
    private readonly fuseBnRelu = true,
    private readonly resident = true,
  ) {
    const rng = new Rng(seed);
    const u = (shape: number[], fanIn: number) =>
      uniform(shape, -bound(fanIn), bound(fanIn), { rng, requiresGrad: true });
    this.w1 = u([8, 3, 3, 1], 9);
    this.b1 = u([8], 9);
    this.w2 = u([16, 3, 3, 8], 72);
    this.b2 = u([16], 72);
    this.wl = u([10, 784], 784);
    this.bl = u([10], 784);
    this.params = [
      this.w1,
      this.b1,
      this.g1,
      this.be1,
      this.w2,
      this.b2,
      this.g2,
      this.be2,
      this.wl,
      this.bl,
    ];
    this.optimizer = new Adam(this.params, { lr: 1e-3 });
  }

  forward(x: Tensor, training: boolean): Tensor {
    const fuse = this.fuseBnRelu;
    const pool = { kernelSize: 2 };
    let h = conv2d(x, this.w1, this.b1, { padding: 'same' });
    h = batchNorm(h, {
      weight: this.g1,
      bias: this.be1,
      runningMean: this.rm1,
      runningVar: this.rv1,
      training,
      relu: fuse,
      maxPool2d: fuse ? pool : undefined,
    });
    if (!fuse) h = maxPool2d(relu(h), pool);
    h = conv2d(h, this.w2, this.b2, { padding: 'same' });
    h = batchNorm(h, {
      weight: this.g2,
      bias: this.be2,
      runningMean: this.rm2,
      runningVar: this.rv2,
      training,
      relu: fuse,
      maxPool2d: fuse ? pool : undefined,
    });
    if (!fuse) h = maxPool2d(relu(h), pool);
    return linear(flatten(h), this.wl, this.bl);
  }

  /** One Adam step on a batch; returns the loss. */
  /**
   * One Adam step on a batch; returns the loss. Inside `tidy` (unless `resident` is false): activations and
   * gradients live in the WebAssembly kernels' memory and are reused by the next step.
   */
  trainStep(batch: Batch): number {
    const step = () => {
      this.optimizer.zeroGrad();
      const x = new Tensor(batch.x, [batch.labels.length, 28, 28, 1]);
      const loss = crossEntropy(this.forward(x, true), batch.labels);
      loss.backward();
      this.optimizer.step();
      return loss.item();
    };
    return this.resident ? tidy(step) : step();
  }

  /** Eval-mode logits without a graph (copied out of the tidy scope). */
  predict(x: Float32Array, batch: number): Tensor {
    const run = () => noGrad(() => this.forward(new Tensor(x, [batch, 28, 28, 1]), false));
    return this.resident ? tidy(run) : run();
  }
}

export class TfMnistCnnBn {
  private readonly vars: Record<string, tf.Variable>;
  private readonly optimizer = tf.train.adam(1e-3);

  constructor(seed: number) {
    const u = (shape: number[], fanIn: number, s: number) =>
      tf.variable(tf.randomUniform(shape, -bound(fanIn), bound(fanIn), 'float32', seed + s));
    this.vars = {
      w1: u([3, 3, 1, 8], 9, 1),
      b1: u([8], 9, 2),
      g1: tf.variable(tf.ones([8])),
      be1: tf.variable(tf.zeros([8])),
      w2: u([3, 3, 8, 16], 72, 3),
      b2: u([16], 72, 4),
      g2: tf.variable(tf.ones([16])),
      be2: tf.variable(tf.zeros([16])),
      wl: u([784, 10], 784, 5),
      bl: u([10], 784, 6),
    };
  }

  /** Training-mode forward (batch statistics; running statistics are not tracked: eval uses mean 0, var 1). */
  private forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    const v = this.vars;
    const bn = (h: tf.Tensor4D, gamma: tf.Variable, beta: tf.Variable): tf.Tensor4D => {
      const g = gamma as tf.Tensor1D;
      const b = beta as tf.Tensor1D;
      if (!training) return tf.batchNorm4d(h, tf.zerosLike(g), tf.onesLike(g), b, g, 1e-5);
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      return tf.batchNorm4d(h, mean as tf.Tensor1D, variance as tf.Tensor1D, b, g, 1e-5);
    };
    const block = (input: tf.Tensor4D, w: tf.Variable, b: tf.Variable, g: tf.Variable, be: tf.Variable) =>
      tf.maxPool(
        tf.relu(bn(tf.add(tf.conv2d(input, w as tf.Tensor4D, 1, 'same'), b) as tf.Tensor4D, g, be)),
        2,
        2,
        'valid',
      );
    const h = block(block(x, v.w1, v.b1, v.g1, v.be1), v.w2, v.b2, v.g2, v.be2);
    return tf.add(tf.matMul(tf.reshape(h, [x.shape[0], 784]), v.wl), v.bl);
  }

  trainStep(batch: Batch): number {
    const n = batch.labels.length;
    return tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [n, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), 10);
      const loss = this.optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, this.forward(x, true)),
        true,
      );
      return (loss as tf.Scalar).dataSync()[0];
    });
  }

  predict(x: Float32Array, batch: number): Float32Array {
    return tf.tidy(() => this.forward(tf.tensor4d(x, [batch, 28, 28, 1]), false).dataSync() as Float32Array);
  }
}
