/**
 * NAdam (Adam with Nesterov momentum, Dozat 2016, with PyTorch's momentum-decay schedule): the transformation
 * `scaleByNadam`, then the optimizer built on it with `descent` (coupled L2 weight decay, as PyTorch).
 */
import { normalizeBetas } from './adam';
import { descent } from './descent';
import { checkHyper, NON_NEGATIVE, UNIT_HALF_OPEN } from './errors';
import { checkStateLength, type GradientTransformation } from './gradient-transformation';
import { Optimizer, type OptimizerSpec, type ParamGroupInput, type ScheduleMap } from './optimizer';
import { type FloatArray, type ParamLike, zerosLike } from './param';
import { resolveScalar, type ScalarOrSchedule } from './schedules';

/** Options of the `scaleByNadam` transformation. */
export interface ScaleByNadamOptions {
  /** β1 ∈ [0, 1); default 0.9 */
  beta1?: ScalarOrSchedule;
  /** β2 ∈ [0, 1); default 0.999 */
  beta2?: ScalarOrSchedule;
  /** ε ≥ 0 outside the square root; default 1e-8 */
  eps?: ScalarOrSchedule;
  /** ψ ≥ 0 of the momentum schedule μ_t = β1·(1 − ½·0.96^(t·ψ)); default 4e-3 */
  momentumDecay?: ScalarOrSchedule;
}

/** The state of `scaleByNadam`: the step, the momentum-schedule product and the two moments per parameter. */
export interface ScaleByNadamState {
  count: number;
  /** per-parameter step t (parameters without a gradient do not advance) */
  step: number[];
  /** per parameter: Π_{i≤t} μ_i */
  muProduct: number[];
  /** first moment m_t = β1·m_{t−1} + (1 − β1)·g_t */
  mu: FloatArray[];
  /** second moment v_t = β2·v_{t−1} + (1 − β2)·g_t² */
  nu: FloatArray[];
}

/**
 * NAdam's direction (PyTorch's formula, torch/optim/nadam.py, learning rate excluded):
 *   μ_t = β1·(1 − ½·0.96^(t·ψ)),  μ_{t+1} = β1·(1 − ½·0.96^((t+1)·ψ))
 *   m_t = β1·m_{t−1} + (1 − β1)·g_t,  v_t = β2·v_{t−1} + (1 − β2)·g_t²,  d = sqrt(v_t / (1 − β2^t)) + ε
 *   u = (1 − μ_t)/(1 − Π_{i≤t} μ_i) · g_t/d + μ_{t+1}/(1 − Π_{i≤t+1} μ_i) · m_t/d       (ε outside the root)
 * With ε = 0 a coordinate whose gradients were all exactly 0 gets update 0 (the limit), not 0/0 = NaN.
 */
export function scaleByNadam(
  options: ScaleByNadamOptions = {},
  name = 'scaleByNadam',
): GradientTransformation<ScaleByNadamState> {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, momentumDecay = 4e-3 } = options;
  const prefix = `${name}: `;
  const check = (b1: number, b2: number, e: number, psi: number) => {
    checkHyper('beta1', b1, UNIT_HALF_OPEN, prefix);
    checkHyper('beta2', b2, UNIT_HALF_OPEN, prefix);
    checkHyper('eps', e, NON_NEGATIVE, prefix);
    checkHyper('momentumDecay', psi, NON_NEGATIVE, prefix);
  };
  const fixed = (x: ScalarOrSchedule) => (typeof x === 'number' ? x : 0);
  check(fixed(beta1), fixed(beta2), fixed(eps), fixed(momentumDecay));
  return {
    init: (params) => ({
      count: 0,
      step: params.map(() => 0),
      muProduct: params.map(() => 1),
      mu: params.map((p) => zerosLike(p)),
      nu: params.map((p) => zerosLike(p)),
    }),
    update(updates, state) {
      const t = ++state.count;
      const b1 = resolveScalar(beta1, t);
      const b2 = resolveScalar(beta2, t);
      const e = resolveScalar(eps, t);
      const psi = resolveScalar(momentumDecay, t);
      check(b1, b2, e, psi);
      for (let i = 0; i < updates.length; i++) {
        const u = updates[i];
        if (u === null) continue;
        const m = state.mu[i];
        const v = state.nu[i];
        checkStateLength(name, i, u, m);
        const step = ++state.step[i];
        const bc2 = 1 - b2 ** step;
        const muT = b1 * (1 - 0.5 * 0.96 ** (step * psi));
        const muNext = b1 * (1 - 0.5 * 0.96 ** ((step + 1) * psi));
        const product = (state.muProduct[i] *= muT);
        const gradScale = (1 - muT) / (1 - product);
        const momentumScale = muNext / (1 - product * muNext);
        for (let j = 0; j < u.length; j++) {
          const g = u[j];
          m[j] = m[j] * b1 + (1 - b1) * g;
          v[j] = v[j] * b2 + (1 - b2) * g * g;
          const den = Math.sqrt(v[j] / bc2) + e;
          // 0/0 (eps = 0 and every gradient so far exactly 0): the update's limit, 0 (PyTorch gives NaN)
          u[j] = den === 0 ? 0 : (gradScale * g) / den + (momentumScale * m[j]) / den;
        }
      }
    },
  };
}

/** The hyperparameters of `NAdam` (PyTorch `torch.optim.NAdam` names and defaults), per parameter group. */
export type NAdamHyperparams = {
  /** learning rate ≥ 0; default 2e-3 (PyTorch) */
  lr: number;
  /** β1 ∈ [0, 1); default 0.9 */
  beta1: number;
  /** β2 ∈ [0, 1); default 0.999 */
  beta2: number;
  /** ε ≥ 0 outside the square root; default 1e-8 */
  eps: number;
  /** L2 penalty ≥ 0 added to the gradient; default 0 */
  weightDecay: number;
  /** ψ ≥ 0 of the momentum schedule μ_t = β1·(1 − ½·0.96^(t·ψ)); default 4e-3 */
  momentumDecay: number;
  maximize: boolean;
};

/** Options: the hyperparameters, with PyTorch's `betas: [β1, β2]` accepted as well as `beta1`/`beta2`. */
export type NAdamOptions = Partial<NAdamHyperparams> & {
  betas?: readonly [number, number];
  schedule?: ScheduleMap<NAdamHyperparams>;
};

const nadamSpec: OptimizerSpec<NAdamHyperparams, never, NAdamOptions> = {
  name: 'NAdam',
  defaults: {
    lr: 2e-3,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: 0,
    momentumDecay: 4e-3,
    maximize: false,
  },
  structural: [],
  normalize: normalizeBetas('NAdam'),
  validate(g, where) {
    checkHyper('lr', g.lr, NON_NEGATIVE, where);
    checkHyper('beta1 (betas[0])', g.beta1, UNIT_HALF_OPEN, where);
    checkHyper('beta2 (betas[1])', g.beta2, UNIT_HALF_OPEN, where);
    checkHyper('eps', g.eps, NON_NEGATIVE, where);
    checkHyper('weightDecay', g.weightDecay, NON_NEGATIVE, where);
    checkHyper('momentumDecay', g.momentumDecay, NON_NEGATIVE, where);
  },
  build: (g) => ({
    transform: descent(
      g,
      scaleByNadam(
        {
          beta1: () => g.beta1,
          beta2: () => g.beta2,
          eps: () => g.eps,
          momentumDecay: () => g.momentumDecay,
        },
        'NAdam',
      ),
    ),
  }),
};

/**
 * NAdam with PyTorch's formula (torch.optim.NAdam): g ← ±g (+ weightDecay·p); with μ_t = β1·(1 − ½·0.96^(t·ψ)),
 * m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², d = sqrt(v/(1 − β2^t)) + eps:
 * p ← p − lr·((1 − μ_t)/(1 − Π_{i≤t} μ_i)·g/d + μ_{t+1}/(1 − Π_{i≤t+1} μ_i)·m/d).
 * `maximize` (PyTorch ≥ 2.0) negates the gradient; PyTorch's `decoupled_weight_decay` (≥ 2.1) is not offered.
 */
export class NAdam extends Optimizer<NAdamHyperparams, never, NAdamOptions> {
  constructor(
    params: Iterable<ParamLike> | Iterable<ParamGroupInput<NAdamOptions>>,
    options: NAdamOptions = {},
  ) {
    super(nadamSpec, params, options);
  }
}
