/**
 * The handout's part (b) on the real model: AdaGrad(η0, eps 0) and Adam(β1 = 0, β2 = 1, eps 0,
 * lr = η0/√t) from the same initial weights on the same mini-batches. The handout shows the two updates
 * are the same function of the gradients, so their loss curves coincide up to float rounding.
 * Default Adam runs alongside for contrast. Environment-neutral (CLI and web worker).
 */
import { type DType, Rng, Tensor } from '@hw3/core';
import { crossEntropy } from '@hw3/losses';
import {
  fillBatch,
  type MnistData,
  PIXELS,
  SPLIT_SEED,
  splitIndices,
  TRAIN_COUNT,
} from '../data/mnist-data.js';
import { createMnistCnnBn } from './model.js';
import { createOptimizer, type TrainingOptimizer } from './optimizers.js';

export interface RaceConfig {
  steps: number;
  batchSize: number;
  /** η0 of AdaGrad and of the η0/√t schedule. */
  lr: number;
  seed: number;
  /**
   * float64 (default) shows the equivalence to ~1e-12; in float32 the first ~50 steps agree to ~1e-7 and
   * training's chaotic dynamics then amplify the rounding differences (to ~1e-3 by step 200).
   */
  dtype?: DType;
}

export const RACE_LABELS = [
  'AdaGrad(η0, eps 0)',
  'Adam(β1=0, β2=1, eps 0, lr=η0/√t)',
  'Adam (PyTorch defaults, lr 1e-3)',
] as const;
export const RACE_KEYS = ['adagrad', 'adam_as_adagrad', 'adam'] as const;

export class Race {
  readonly config: RaceConfig;
  readonly curves: number[][] = [[], [], []];
  /** |loss(AdaGrad) − loss(Adam as AdaGrad)| per step. */
  readonly gaps: number[] = [];
  private readonly models: ReturnType<typeof createMnistCnnBn>[];
  private readonly optimizers: TrainingOptimizer[];
  private readonly order: Int32Array;
  private readonly rng: Rng;
  private readonly x: Float32Array | Float64Array;
  private readonly y: Int32Array;
  private position = 0;
  step = 0;

  constructor(
    private readonly data: MnistData,
    config: RaceConfig,
  ) {
    if (!Number.isInteger(config.steps) || config.steps < 1)
      throw new RangeError(`steps must be an integer ≥ 1, got ${config.steps}`);
    if (!Number.isInteger(config.batchSize) || config.batchSize < 2 || config.batchSize > TRAIN_COUNT) {
      throw new RangeError(`batchSize must be an integer in [2, ${TRAIN_COUNT}], got ${config.batchSize}`);
    }
    if (!(Number.isFinite(config.lr) && config.lr > 0))
      throw new RangeError(`lr must be a finite number > 0, got ${config.lr}`);
    const dtype = config.dtype ?? 'float64';
    this.config = { ...config, dtype };
    this.models = [0, 1, 2].map(() => createMnistCnnBn(new Rng(config.seed), dtype));
    this.optimizers = [
      createOptimizer('adagrad', this.models[0].parameters(), config.lr, { exactAdagrad: true }),
      createOptimizer('adam-as-adagrad', this.models[1].parameters(), config.lr),
      createOptimizer('adam', this.models[2].parameters(), 1e-3),
    ];
    this.order = splitIndices(data.count, TRAIN_COUNT, new Rng(SPLIT_SEED)).train;
    this.rng = new Rng(config.seed ^ 0x5eed);
    this.rng.shuffle(this.order);
    this.x =
      dtype === 'float64'
        ? new Float64Array(config.batchSize * PIXELS)
        : new Float32Array(config.batchSize * PIXELS);
    this.y = new Int32Array(config.batchSize);
  }

  get done(): boolean {
    return this.step >= this.config.steps;
  }

  /** One step of all three optimizers on the same batch; returns their losses. */
  next(): number[] {
    if (this.done) throw new RangeError(`the race is over (${this.config.steps} steps)`);
    const bs = this.config.batchSize;
    if (this.position + bs > this.order.length) {
      this.rng.shuffle(this.order);
      this.position = 0;
    }
    fillBatch(this.data, this.order, this.position, bs, this.x, this.y);
    this.position += bs;
    const losses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const model = this.models[i];
      this.optimizers[i].zeroGrad();
      const loss = crossEntropy(model.call(new Tensor(this.x, [bs, 28, 28, 1])), this.y);
      losses.push(loss.item());
      loss.backward();
      this.optimizers[i].step();
      this.curves[i].push(losses[i]);
    }
    this.gaps.push(Math.abs(losses[0] - losses[1]));
    this.step++;
    return losses;
  }

  get maxGap(): number {
    let m = 0;
    for (const g of this.gaps) m = Math.max(m, g);
    return m;
  }

  /** max |weight(A) − weight(B)| per named parameter of the AdaGrad and Adam-as-AdaGrad models. */
  weightGaps(): Array<[string, number]> {
    const a = this.models[0].namedParameters();
    const b = this.models[1].namedParameters();
    return a.map(([name, p], k) => {
      const x = p.data;
      const y = b[k][1].data;
      let m = 0;
      for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
      return [name, m];
    });
  }

  maxWeightGap(): number {
    let m = 0;
    for (const [, g] of this.weightGaps()) m = Math.max(m, g);
    return m;
  }
}
