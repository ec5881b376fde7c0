/** RMSprop: the transformation `scaleByRms` (optax's scale_by_rms), then the optimizer built on it with `descent`. */
import { descent } from './descent';
import { checkHyper, NON_NEGATIVE, UNIT_INTERVAL } from './errors';
import { checkStateLength, type GradientTransformation, trace } from './gradient-transformation';
import { Optimizer, type OptimizerSpec, type ParamGroupInput, type ScheduleMap } from './optimizer';
import { type FloatArray, type ParamLike, zerosLike } from './param';
import { resolveScalar, type ScalarOrSchedule } from './schedules';
import { checkMomentumAvailable } from './sgd';

/** Options of the `scaleByRms` transformation. */
export interface ScaleByRmsOptions {
  /** smoothing constant α ∈ [0, 1]; default 0.99 */
  alpha?: ScalarOrSchedule;
  /** ε ≥ 0 added outside the square root; default 1e-8 */
  eps?: ScalarOrSchedule;
  /** centered RMSprop: divide by sqrt(E[g²] − E[g]²) */
  centered?: boolean;
}

/** The state of `scaleByRms`: the running average of squared gradients per parameter. */
export interface ScaleByRmsState {
  count: number;
  /** E[g²]: squareAvg ← α·squareAvg + (1 − α)·g² */
  squareAvg: FloatArray[];
  /** E[g] (centered only; zero-length arrays otherwise) */
  gradAvg: FloatArray[];
}

/**
 * RMSprop's direction (PyTorch's formula, momentum and learning rate excluded):
 *   sq ← α·sq + (1 − α)·g²;  centered: ḡ ← lerp(ḡ, g, 1 − α), avg = sqrt(sq − ḡ²); else avg = sqrt(sq);
 *   u = g / (avg + ε)                                                  (ε outside the root)
 * Follow it with `trace({ momentum })` and `scaleByLearningRate(lr)` for PyTorch's RMSprop.
 */
export function scaleByRms(
  options: ScaleByRmsOptions = {},
  name = 'scaleByRms',
): GradientTransformation<ScaleByRmsState> {
  const { alpha = 0.99, eps = 1e-8, centered = false } = options;
  const prefix = `${name}: `;
  const check = (a: number, e: number) => {
    checkHyper('alpha', a, UNIT_INTERVAL, prefix);
    checkHyper('eps', e, NON_NEGATIVE, prefix);
  };
  check(typeof alpha === 'number' ? alpha : 0, typeof eps === 'number' ? eps : 0);
  return {
    init: (params) => ({
      count: 0,
      squareAvg: params.map((p) => zerosLike(p)),
      gradAvg: params.map((p) => zerosLike(p, centered ? p.length : 0)),
    }),
    update(updates, state) {
      const t = ++state.count;
      const a = resolveScalar(alpha, t);
      const e = resolveScalar(eps, t);
      check(a, e);
      const w = 1 - a;
      const small = w < 0.5;
      const rest = 1 - w;
      for (let i = 0; i < updates.length; i++) {
        const u = updates[i];
        if (u === null) continue;
        const sq = state.squareAvg[i];
        checkStateLength(name, i, u, sq);
        if (centered) {
          const ga = state.gradAvg[i];
          for (let j = 0; j < u.length; j++) {
            const g = u[j];
            sq[j] = sq[j] * a + w * g * g;
            const gj = ga[j];
            ga[j] = small ? gj + w * (g - gj) : g - (g - gj) * rest;
            // E[g²] − E[g]² ≥ 0 up to rounding; clamped so that rounding below 0 gives eps, not NaN
            const den = Math.sqrt(Math.max(sq[j] - ga[j] * ga[j], 0)) + e;
            u[j] = den === 0 && g === 0 ? 0 : g / den;
          }
        } else {
          for (let j = 0; j < u.length; j++) {
            const g = u[j];
            sq[j] = sq[j] * a + w * g * g;
            const den = Math.sqrt(sq[j]) + e;
            u[j] = den === 0 && g === 0 ? 0 : g / den; // 0/0 with eps = 0: the limit, 0
          }
        }
      }
    },
  };
}

/**
 * The hyperparameters of `RMSprop` (PyTorch `torch.optim.RMSprop` names and defaults), per parameter group.
 */
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

/** Options of the `RMSprop` constructor: any hyperparameters, and schedules for the numeric ones. */
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
    const rule = [
      scaleByRms({ alpha: () => g.alpha, eps: () => g.eps, centered: g.centered }, 'RMSprop'),
      ...(hasMomentum ? [trace({ momentum: () => g.momentum }, 'RMSprop')] : []),
    ];
    return { transform: descent(g, rule), hasMomentum };
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
