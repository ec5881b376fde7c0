/** The optimizers the playground offers, built from @hw3/optim. */
import type { Tensor } from '@hw3/core';
import { Adagrad, Adam, AdamW, inverseSqrtSchedule, type OptimizerStateDict, SGD } from '@hw3/optim';

export const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'adagrad', 'adam-as-adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Default learning rate per optimizer (used when none is chosen). */
export const DEFAULT_LR: Record<OptimizerName, number> = {
  adam: 5e-3,
  adamw: 5e-3,
  sgd: 0.05,
  adagrad: 0.02,
  'adam-as-adagrad': 0.02,
};

/** What the trainer needs from an optimizer. */
export interface TrainingOptimizer {
  zeroGrad(): void;
  step(): unknown;
  stateDict(): OptimizerStateDict;
  loadStateDict(state: OptimizerStateDict): void;
  readonly paramGroups: ReadonlyArray<{ lr: number }>;
}

/**
 * With ε = 0, AdaGrad's g/√Σg² and Adam's m̂/√v̂ are 0/0 = NaN for a weight whose gradient has been exactly 0 on
 * every step so far (in mnist-cnn-bn: linear weights reading a feature that ReLU + max-pool zeroed for the whole
 * batch). The limit of both updates there is 0, and the optimizer state stays 0 (Σ0² = 0), so only the update
 * is NaN. This wrapper applies that limit: after each step it puts back the previous value of any weight that
 * became NaN while its gradient was exactly 0. Weights with a non-zero gradient are never touched, so the
 * handout's AdaGrad ≡ Adam(β1=0, β2=1, η0/√t) comparison stays exact. Preallocated, no per-step allocation.
 */
export class ZeroOverZeroGuard implements TrainingOptimizer {
  private readonly previous: Float64Array[];
  constructor(
    private readonly inner: TrainingOptimizer,
    private readonly params: Tensor[],
  ) {
    this.previous = params.map((p) => new Float64Array(p.size));
  }
  get paramGroups() {
    return this.inner.paramGroups;
  }
  zeroGrad(): void {
    this.inner.zeroGrad();
  }
  step(): void {
    for (let i = 0; i < this.params.length; i++) this.previous[i].set(this.params[i].data);
    this.inner.step();
    for (let i = 0; i < this.params.length; i++) {
      const data = this.params[i].data;
      const grad = this.params[i].grad?.data;
      if (grad === undefined) continue;
      const previous = this.previous[i];
      for (let j = 0; j < data.length; j++) if (Number.isNaN(data[j]) && grad[j] === 0) data[j] = previous[j];
    }
  }
  stateDict(): OptimizerStateDict {
    return this.inner.stateDict();
  }
  loadStateDict(state: OptimizerStateDict): void {
    this.inner.loadStateDict(state);
  }
}

/**
 * - adam, adamw: PyTorch defaults except lr (AdamW weight decay 0.01).
 * - sgd: momentum 0.9.
 * - adagrad: PyTorch defaults (eps 1e-10), or eps 0 with `exactAdagrad` (the race).
 * - adam-as-adagrad: the handout's part (b): Adam with β1 = 0, β2 = 1, eps 0 and lr = η0/√t.
 */
export function createOptimizer(
  name: OptimizerName,
  params: Tensor[],
  lr: number,
  options: { exactAdagrad?: boolean } = {},
): TrainingOptimizer {
  switch (name) {
    case 'adam':
      return new Adam(params, { lr });
    case 'adamw':
      return new AdamW(params, { lr });
    case 'sgd':
      return new SGD(params, { lr, momentum: 0.9 });
    case 'adagrad':
      return options.exactAdagrad
        ? new ZeroOverZeroGuard(new Adagrad(params, { lr, eps: 0 }), params)
        : new Adagrad(params, { lr });
    case 'adam-as-adagrad':
      return new ZeroOverZeroGuard(
        new Adam(params, { lr, beta1: 0, beta2: 1, eps: 0, schedule: { lr: inverseSqrtSchedule(lr) } }),
        params,
      );
  }
}
