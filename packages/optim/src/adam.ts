import { checkHyper, NON_NEGATIVE, OptimError, UNIT_HALF_OPEN, UNIT_INTERVAL } from './errors';
import { addDecayedWeights, chain, scale, scaleByLearningRate } from './gradient-transformation';
import { Optimizer, type OptimizerSpec, type ParamGroupInput, type ScheduleMap } from './optimizer';
import type { ParamLike } from './param';
import { scaleByAdam } from './scale-by-adam';

export type AdamHyperparams = {
  /** learning rate ≥ 0; default 1e-3 */
  lr: number;
  /** β1 ∈ [0, 1); default 0.9 */
  beta1: number;
  /** β2 ∈ [0, 1]; default 0.999; β2 = 1 gives v̂_t = (1/t)·Σ g_i² exactly */
  beta2: number;
  /** ε ≥ 0 outside the square root; default 1e-8 */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0); AdamW: decoupled decay (default 1e-2) */
  weightDecay: number;
  /** AMSGrad variant; fixed at construction */
  amsgrad: boolean;
  maximize: boolean;
};

/** Options: the hyperparameters, with PyTorch's `betas: [β1, β2]` accepted as well as `beta1`/`beta2`. */
export type AdamOptions = Partial<AdamHyperparams> & {
  betas?: readonly [number, number];
  schedule?: ScheduleMap<AdamHyperparams>;
};

function normalizeAdam(name: string) {
  return (o: AdamOptions): Partial<AdamHyperparams> => {
    const { betas, ...rest } = o;
    if (betas === undefined) return rest;
    if (!Array.isArray(betas) || betas.length !== 2) {
      throw new OptimError(
        'INVALID_HYPERPARAMETER',
        `${name}: betas = ${JSON.stringify(betas)} is invalid; expected a pair [beta1, beta2]`,
      );
    }
    if (
      (rest.beta1 !== undefined && rest.beta1 !== betas[0]) ||
      (rest.beta2 !== undefined && rest.beta2 !== betas[1])
    ) {
      throw new OptimError(
        'INVALID_HYPERPARAMETER',
        `${name}: betas = ${JSON.stringify(betas)} conflicts with beta1 = ${rest.beta1}, beta2 = ${rest.beta2}; give one or the other`,
      );
    }
    return { ...rest, beta1: betas[0], beta2: betas[1] };
  };
}

function validateAdam(g: AdamHyperparams, where: string): void {
  checkHyper('lr', g.lr, NON_NEGATIVE, where);
  checkHyper('beta1 (betas[0])', g.beta1, UNIT_HALF_OPEN, where);
  checkHyper('beta2 (betas[1])', g.beta2, UNIT_INTERVAL, where);
  checkHyper('eps', g.eps, NON_NEGATIVE, where);
  checkHyper('weightDecay', g.weightDecay, NON_NEGATIVE, where);
}

const adamSpec: OptimizerSpec<AdamHyperparams, 'amsgrad', AdamOptions> = {
  name: 'Adam',
  defaults: {
    lr: 1e-3,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
    maximize: false,
  },
  structural: ['amsgrad'],
  normalize: normalizeAdam('Adam'),
  validate: validateAdam,
  build: (g) => ({
    transform: chain(
      scale(() => (g.maximize ? -1 : 1)),
      addDecayedWeights(() => g.weightDecay),
      scaleByAdam(
        { beta1: () => g.beta1, beta2: () => g.beta2, eps: () => g.eps, amsgrad: g.amsgrad },
        'Adam',
      ),
      scaleByLearningRate(() => g.lr),
    ),
  }),
};

const adamWSpec: OptimizerSpec<AdamHyperparams, 'amsgrad', AdamOptions> = {
  ...adamSpec,
  name: 'AdamW',
  defaults: { ...adamSpec.defaults, weightDecay: 1e-2 },
  normalize: normalizeAdam('AdamW'),
  build: (g) => ({
    transform: chain(
      scale(() => (g.maximize ? -1 : 1)),
      scaleByAdam(
        { beta1: () => g.beta1, beta2: () => g.beta2, eps: () => g.eps, amsgrad: g.amsgrad },
        'AdamW',
      ),
      addDecayedWeights(() => g.weightDecay),
      scaleByLearningRate(() => g.lr),
    ),
  }),
};

/**
 * Adam with PyTorch's formula: g ← ±g (+ weightDecay·p); m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
 * p ← p − lr · (m/(1 − β1^t)) / (sqrt(v)/sqrt(1 − β2^t) + eps). AMSGrad uses max(v_1..v_t). β2 = 1 is handled
 * as its limit v̂_t = Σ g_i²/t, so Adam(β1 = 0, β2 = 1, eps = 0, lr = η0/√t) is AdaGrad(η0, eps = 0).
 */
export class Adam extends Optimizer<AdamHyperparams, 'amsgrad', AdamOptions> {
  constructor(
    params: Iterable<ParamLike> | Iterable<ParamGroupInput<AdamOptions>>,
    options: AdamOptions = {},
  ) {
    super(adamSpec, params, options);
  }
}

/**
 * AdamW (decoupled weight decay, default 1e-2): p ← p − lr·(adam(g) + weightDecay·p), i.e. PyTorch's
 * p ← p·(1 − lr·wd) followed by the Adam step (the Adam step does not depend on p).
 */
export class AdamW extends Optimizer<AdamHyperparams, 'amsgrad', AdamOptions> {
  constructor(
    params: Iterable<ParamLike> | Iterable<ParamGroupInput<AdamOptions>>,
    options: AdamOptions = {},
  ) {
    super(adamWSpec, params, options);
  }
}
