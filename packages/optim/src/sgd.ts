/** SGD: PyTorch's momentum (`trace`, in gradient-transformation.ts) inside `descent`. */
import { descent } from './descent';
import { checkHyper, NON_NEGATIVE, OptimError, UNIT_INTERVAL } from './errors';
import { trace } from './gradient-transformation';
import { Optimizer, type OptimizerSpec, type ParamGroupInput, type ScheduleMap } from './optimizer';
import type { ParamLike } from './param';

/** The hyperparameters of `SGD` (PyTorch `torch.optim.SGD` names and defaults), per parameter group. */
export type SGDHyperparams = {
  /** learning rate ≥ 0; default 1e-3 (PyTorch ≥ 2.2) */
  lr: number;
  /** momentum ≥ 0; default 0 */
  momentum: number;
  /** dampening ∈ [0, 1]; default 0 */
  dampening: number;
  /** L2 penalty ≥ 0 added to the gradient; default 0 */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0); fixed at construction */
  nesterov: boolean;
  /** maximize the objective instead of minimizing */
  maximize: boolean;
};

/** Options of the `SGD` constructor: any hyperparameters, and schedules for the numeric ones. */
export type SGDOptions = Partial<SGDHyperparams> & { schedule?: ScheduleMap<SGDHyperparams> };

export function checkMomentumAvailable(
  where: string,
  momentum: number,
  hasMomentum: boolean | undefined,
): void {
  if (momentum > 0 && !hasMomentum) {
    throw new OptimError(
      'INVALID_HYPERPARAMETER',
      `${where}momentum = ${momentum} is invalid for this optimizer: it was built with momentum 0 and no momentum schedule, so it has no momentum buffer; expected 0 (or construct it with momentum > 0 or schedule.momentum)`,
    );
  }
}

const sgdSpec: OptimizerSpec<SGDHyperparams, 'nesterov', SGDOptions> = {
  name: 'SGD',
  defaults: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  structural: ['nesterov'],
  normalize: (o) => ({ ...o }),
  validate(g, where, built) {
    checkHyper('lr', g.lr, NON_NEGATIVE, where);
    checkHyper('momentum', g.momentum, NON_NEGATIVE, where);
    checkHyper('dampening', g.dampening, UNIT_INTERVAL, where);
    checkHyper('weightDecay', g.weightDecay, NON_NEGATIVE, where);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new OptimError(
        'INVALID_HYPERPARAMETER',
        `${where}nesterov = true is invalid with momentum = ${g.momentum} and dampening = ${g.dampening}; Nesterov momentum requires momentum > 0 and dampening = 0`,
      );
    }
    checkMomentumAvailable(where, g.momentum, built.hasMomentum);
  },
  build(g) {
    const hasMomentum = g.momentum > 0 || g.schedule.momentum !== undefined;
    const rule = hasMomentum
      ? [trace({ momentum: () => g.momentum, dampening: () => g.dampening, nesterov: g.nesterov }, 'SGD')]
      : [];
    return { transform: descent(g, rule), hasMomentum };
  },
};

/**
 * Stochastic gradient descent with PyTorch's semantics: g ← ±g (+ weightDecay·p); with momentum the buffer is
 * the first gradient on the first step, then buf ← momentum·buf + (1 − dampening)·g; the step is buf (or
 * g + momentum·buf with Nesterov); p ← p − lr·step.
 */
export class SGD extends Optimizer<SGDHyperparams, 'nesterov', SGDOptions> {
  constructor(params: Iterable<ParamLike> | Iterable<ParamGroupInput<SGDOptions>>, options: SGDOptions = {}) {
    super(sgdSpec, params, options);
  }
}
