/** AdaGrad: the transformation `scaleByAdagrad` (optax's scale_by_rss), then the optimizer built on it with `descent`. */
import { descent } from './descent';
import { checkHyper, NON_NEGATIVE } from './errors';
import { checkStateLength, type GradientTransformation } from './gradient-transformation';
import { Optimizer, type OptimizerSpec, type ParamGroupInput, type ScheduleMap } from './optimizer';
import { type FloatArray, type ParamLike, zerosLike } from './param';
import { resolveScalar, type ScalarOrSchedule } from './schedules';

/** Options of the `scaleByAdagrad` transformation. */
export interface ScaleByAdagradOptions {
  /** lr_decay ≥ 0: the step size is divided by 1 + (t − 1)·lrDecay; default 0 */
  lrDecay?: ScalarOrSchedule;
  /** starting value of the accumulator Σg², ≥ 0; default 0 (PyTorch; TensorFlow.js uses 0.1) */
  initialAccumulatorValue?: number;
  /** ε ≥ 0 added outside the square root; default 1e-10 */
  eps?: ScalarOrSchedule;
}

/** The state of `scaleByAdagrad`: the step per parameter and the accumulated squared gradients. */
export interface ScaleByAdagradState {
  count: number;
  /** per-parameter step t */
  step: number[];
  /** Σ_{i=1}^t g_i² (+ initialAccumulatorValue) */
  sum: FloatArray[];
}

/**
 * AdaGrad's direction (PyTorch's formula, learning rate excluded):
 *   sum_t = sum_{t−1} + g_t²,   u = g_t / (sqrt(sum_t) + ε) / (1 + (t − 1)·lrDecay)
 * so that with `scaleByLearningRate(lr)` after it, p ← p − lr/(1 + (t − 1)·lr_decay) · g/(sqrt(sum) + ε), PyTorch's
 * update, and with ε = 0, lrDecay = 0 the handout's w^t = w^{t−1} − η/sqrt(Σ_{i=1}^t (g^i)²) · g^t. With ε = 0 a
 * coordinate whose gradients were all exactly 0 gets update 0 (the limit of 0/0), not NaN.
 */
export function scaleByAdagrad(
  options: ScaleByAdagradOptions = {},
  name = 'scaleByAdagrad',
): GradientTransformation<ScaleByAdagradState> {
  const { lrDecay = 0, initialAccumulatorValue = 0, eps = 1e-10 } = options;
  const prefix = `${name}: `;
  checkHyper('initialAccumulatorValue', initialAccumulatorValue, NON_NEGATIVE, prefix);
  const check = (d: number, e: number) => {
    checkHyper('lrDecay', d, NON_NEGATIVE, prefix);
    checkHyper('eps', e, NON_NEGATIVE, prefix);
  };
  check(typeof lrDecay === 'number' ? lrDecay : 0, typeof eps === 'number' ? eps : 0);
  return {
    init: (params) => ({
      count: 0,
      step: params.map(() => 0),
      sum: params.map((p) => {
        const s = zerosLike(p);
        if (initialAccumulatorValue !== 0) s.fill(initialAccumulatorValue);
        return s;
      }),
    }),
    update(updates, state) {
      const t = ++state.count;
      const d = resolveScalar(lrDecay, t);
      const e = resolveScalar(eps, t);
      check(d, e);
      for (let i = 0; i < updates.length; i++) {
        const u = updates[i];
        if (u === null) continue;
        const s = state.sum[i];
        checkStateLength(name, i, u, s);
        const step = ++state.step[i];
        const decay = 1 + (step - 1) * d;
        for (let j = 0; j < u.length; j++) {
          const g = u[j];
          s[j] += g * g;
          const den = Math.sqrt(s[j]) + e;
          // 0/0 (eps = 0 and every gradient so far exactly 0): the update's limit, 0 (optax; PyTorch gives NaN)
          u[j] = den === 0 && g === 0 ? 0 : g / den / decay;
        }
      }
    },
  };
}

/**
 * The hyperparameters of `Adagrad` (PyTorch `torch.optim.Adagrad` names and defaults), per parameter group.
 */
export type AdagradHyperparams = {
  /** learning rate ≥ 0; default 1e-2 */
  lr: number;
  /** ≥ 0: the step size is lr / (1 + (t − 1)·lrDecay); default 0 */
  lrDecay: number;
  /** L2 penalty ≥ 0 added to the gradient; default 0 */
  weightDecay: number;
  /** starting value of Σg², ≥ 0; default 0 (TensorFlow.js: 0.1); fixed at construction */
  initialAccumulatorValue: number;
  /** ε ≥ 0 outside the square root; default 1e-10 */
  eps: number;
  maximize: boolean;
};

/** Options of the `Adagrad` constructor: any hyperparameters, and schedules for the numeric ones. */
export type AdagradOptions = Partial<AdagradHyperparams> & { schedule?: ScheduleMap<AdagradHyperparams> };

const adagradSpec: OptimizerSpec<AdagradHyperparams, 'initialAccumulatorValue', AdagradOptions> = {
  name: 'Adagrad',
  defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  structural: ['initialAccumulatorValue'],
  normalize: (o) => ({ ...o }),
  validate(g, where) {
    checkHyper('lr', g.lr, NON_NEGATIVE, where);
    checkHyper('lrDecay', g.lrDecay, NON_NEGATIVE, where);
    checkHyper('weightDecay', g.weightDecay, NON_NEGATIVE, where);
    checkHyper('initialAccumulatorValue', g.initialAccumulatorValue, NON_NEGATIVE, where);
    checkHyper('eps', g.eps, NON_NEGATIVE, where);
  },
  build: (g) => ({
    transform: descent(
      g,
      scaleByAdagrad(
        { lrDecay: () => g.lrDecay, initialAccumulatorValue: g.initialAccumulatorValue, eps: () => g.eps },
        'Adagrad',
      ),
    ),
  }),
};

/**
 * AdaGrad with PyTorch's formula: g ← ±g (+ weightDecay·p); sum ← sum + g²;
 * p ← p − lr/(1 + (t − 1)·lrDecay) · g / (sqrt(sum) + eps). The handout's AdaGrad is lrDecay = 0, eps = 0:
 * w^t = w^{t−1} − η/sqrt(Σ_{i=1}^t (g^i)²) · g^t.
 */
export class Adagrad extends Optimizer<AdagradHyperparams, 'initialAccumulatorValue', AdagradOptions> {
  constructor(
    params: Iterable<ParamLike> | Iterable<ParamGroupInput<AdagradOptions>>,
    options: AdagradOptions = {},
  ) {
    super(adagradSpec, params, options);
  }
}
