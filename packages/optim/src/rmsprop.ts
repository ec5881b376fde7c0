import { checkHyper, NON_NEGATIVE, UNIT_INTERVAL } from './errors';
import { addDecayedWeights, chain, scale, scaleByLearningRate, trace } from './gradient-transformation';
import { Optimizer, type OptimizerSpec, type ParamGroupInput, type ScheduleMap } from './optimizer';
import type { ParamLike } from './param';
import { scaleByRms } from './scale-by-rms';
import { checkMomentumAvailable } from './sgd';

export type RMSpropHyperparams = {
  /** learning rate ≥ 0; default 1e-2 */
  lr: number;
  /** smoothing constant α ∈ [0, 1]; default 0.99 */
  alpha: number;
  /** ε ≥ 0 outside the square root; default 1e-8 */
  eps: number;
  /** L2 penalty ≥ 0 added to the gradient; default 0 */
  weightDecay: number;
  /** momentum ≥ 0; default 0 */
  momentum: number;
  /** centered RMSprop (normalise by the estimated variance); fixed at construction */
  centered: boolean;
  maximize: boolean;
};

export type RMSpropOptions = Partial<RMSpropHyperparams> & { schedule?: ScheduleMap<RMSpropHyperparams> };

const rmspropSpec: OptimizerSpec<RMSpropHyperparams, 'centered', RMSpropOptions> = {
  name: 'RMSprop',
  defaults: {
    lr: 1e-2,
    alpha: 0.99,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: false,
    maximize: false,
  },
  structural: ['centered'],
  normalize: (o) => ({ ...o }),
  validate(g, where, built) {
    checkHyper('lr', g.lr, NON_NEGATIVE, where);
    checkHyper('alpha', g.alpha, UNIT_INTERVAL, where);
    checkHyper('eps', g.eps, NON_NEGATIVE, where);
    checkHyper('weightDecay', g.weightDecay, NON_NEGATIVE, where);
    checkHyper('momentum', g.momentum, NON_NEGATIVE, where);
    checkMomentumAvailable(where, g.momentum, built.hasMomentum);
  },
  build(g) {
    const hasMomentum = g.momentum > 0 || g.schedule.momentum !== undefined;
    const parts = [
      scale(() => (g.maximize ? -1 : 1)),
      addDecayedWeights(() => g.weightDecay),
      scaleByRms({ alpha: () => g.alpha, eps: () => g.eps, centered: g.centered }, 'RMSprop'),
      ...(hasMomentum ? [trace({ momentum: () => g.momentum }, 'RMSprop')] : []),
      scaleByLearningRate(() => g.lr),
    ];
    return { transform: chain(...parts), hasMomentum };
  },
};

/**
 * RMSprop with PyTorch's formula: g ← ±g (+ weightDecay·p); sq ← α·sq + (1 − α)·g²; avg = sqrt(sq) (centered:
 * sqrt(sq − ḡ²) with ḡ ← lerp(ḡ, g, 1 − α)) + eps; with momentum buf ← momentum·buf + g/avg and p ← p − lr·buf,
 * else p ← p − lr·g/avg.
 */
export class RMSprop extends Optimizer<RMSpropHyperparams, 'centered', RMSpropOptions> {
  constructor(
    params: Iterable<ParamLike> | Iterable<ParamGroupInput<RMSpropOptions>>,
    options: RMSpropOptions = {},
  ) {
    super(rmspropSpec, params, options);
  }
}
