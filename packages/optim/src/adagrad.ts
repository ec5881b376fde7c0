import { checkHyper, NON_NEGATIVE } from './errors';
import { addDecayedWeights, chain, scale, scaleByLearningRate } from './gradient-transformation';
import { Optimizer, type OptimizerSpec, type ParamGroupInput, type ScheduleMap } from './optimizer';
import type { ParamLike } from './param';
import { scaleByAdagrad } from './scale-by-adagrad';

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
  build(g) {
    return {
      transform: chain(
        scale(() => (g.maximize ? -1 : 1)),
        addDecayedWeights(() => g.weightDecay),
        scaleByAdagrad(
          { lrDecay: () => g.lrDecay, initialAccumulatorValue: g.initialAccumulatorValue, eps: () => g.eps },
          'Adagrad',
        ),
        scaleByLearningRate(() => g.lr),
      ),
    };
  },
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
