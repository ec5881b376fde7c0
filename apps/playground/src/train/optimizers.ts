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
 * - adam, adamw: PyTorch defaults except lr (AdamW weight decay 0.01).
 * - sgd: momentum 0.9.
 * - adagrad: PyTorch defaults (eps 1e-10), or eps 0 with `exactAdagrad` (the race).
 * - adam-as-adagrad: the handout's part (b): Adam with β1 = 0, β2 = 1, eps 0 and lr = η0/√t.
 * With ε = 0 both AdaGrad and Adam would compute 0/0 for a weight whose gradient has been exactly 0 on every
 * step so far (here: linear weights reading a feature that ReLU + max-pool zeroed for the whole batch);
 * @hw3/optim gives such a weight the update's limit, 0.
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
      return new Adagrad(params, options.exactAdagrad ? { lr, eps: 0 } : { lr });
    case 'adam-as-adagrad':
      return new Adam(params, { lr, beta1: 0, beta2: 1, eps: 0, schedule: { lr: inverseSqrtSchedule(lr) } });
  }
}
