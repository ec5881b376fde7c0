/**
 * The optimizers the playground offers, built from @hw3/optim: ONE table. The CLI's --optimizer list and --help,
 * the default learning rates, the web page's menu and the factory are all derived from it, and
 * optimizers.test.ts runs every row through @hw3/optim/testing's contract. Adding an optimizer = adding a row.
 */
import { Adagrad, Adam, AdamW, NAdam, type OptimizerStateDict, type ParamLike, SGD } from '@hw3/optim';
import { inverseSqrtSchedule } from '@hw3/optim/schedules';

/** What the trainer needs from an optimizer. */
export interface TrainingOptimizer {
  zeroGrad(): void;
  step(): unknown;
  /** `typedArrays: true`: the state's arrays as typed-array copies (for binary checkpoints), not number arrays. */
  stateDict(options?: { typedArrays?: boolean }): OptimizerStateDict;
  loadStateDict(state: OptimizerStateDict): void;
  readonly paramGroups: ReadonlyArray<{ lr: number }>;
}

/** The hyperparameters every row's `create` passes on to its @hw3/optim class. */
export interface CreateOptions {
  lr: number;
  /** (the contract test turns it on) */
  maximize?: boolean;
}

/** Variants a row may offer besides its hyperparameters. */
export interface CreateVariant {
  /** adagrad only: ε = 0, the handout's exact AdaGrad (the race) */
  exactAdagrad?: boolean;
}

export interface OptimizerRow {
  /** Shown in the web page's menu. */
  label: string;
  /** Default learning rate (used when none is chosen). */
  lr: number;
  /** `params`: the model's parameters (@hw3/core Tensors; any @hw3/optim ParamLike). */
  create(params: ParamLike[], options: CreateOptions, variant: CreateVariant): TrainingOptimizer;
}

/**
 * With ε = 0 both AdaGrad and Adam would compute 0/0 for a weight whose gradient has been exactly 0 on every
 * step so far (here: linear weights reading a feature that ReLU + max-pool zeroed for the whole batch);
 * @hw3/optim gives such a weight the update's limit, 0.
 */
export const OPTIMIZER_TABLE = {
  /** PyTorch defaults except lr. */
  adam: { label: 'Adam', lr: 5e-3, create: (params, o) => new Adam(params, o) },
  /** PyTorch defaults except lr (weight decay 0.01). */
  adamw: { label: 'AdamW', lr: 5e-3, create: (params, o) => new AdamW(params, o) },
  sgd: {
    label: 'SGD (momentum 0.9)',
    lr: 0.05,
    create: (params, o) => new SGD(params, { ...o, momentum: 0.9 }),
  },
  /** PyTorch defaults (eps 1e-10), or eps 0 with `exactAdagrad` (the race). */
  adagrad: {
    label: 'AdaGrad',
    lr: 0.02,
    create: (params, o, { exactAdagrad }) => new Adagrad(params, exactAdagrad ? { ...o, eps: 0 } : o),
  },
  /** PyTorch defaults except lr. */
  nadam: { label: 'NAdam', lr: 5e-3, create: (params, o) => new NAdam(params, o) },
  /** The handout's part (b): Adam with β1 = 0, β2 = 1, eps 0 and lr = η0/√t. */
  'adam-as-adagrad': {
    label: 'Adam(β1=0, β2=1, η0/√t)',
    lr: 0.02,
    create: (params, o) =>
      new Adam(params, { ...o, beta1: 0, beta2: 1, eps: 0, schedule: { lr: inverseSqrtSchedule(o.lr) } }),
  },
} as const satisfies Record<string, OptimizerRow>;

export type OptimizerName = keyof typeof OPTIMIZER_TABLE;

/** The names, in table order (CLI --optimizer values, web menu order). */
export const OPTIMIZERS = Object.keys(OPTIMIZER_TABLE) as OptimizerName[];

/** Default learning rate per optimizer (used when none is chosen). */
export const DEFAULT_LR = Object.fromEntries(
  OPTIMIZERS.map((name) => [name, OPTIMIZER_TABLE[name].lr]),
) as Record<OptimizerName, number>;

/** Builds the named optimizer on `params`. */
export function createOptimizer(
  name: OptimizerName,
  params: ParamLike[],
  lr: number,
  options: { maximize?: boolean } & CreateVariant = {},
): TrainingOptimizer {
  const { maximize, ...variant } = options;
  const row: OptimizerRow = OPTIMIZER_TABLE[name];
  return row.create(params, maximize === undefined ? { lr } : { lr, maximize }, variant);
}
