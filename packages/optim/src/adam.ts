/**
 * Adam and AdamW: the transformation `scaleByAdam` (optax's scale_by_adam), then the optimizers built on it with
 * `descent` (Adam: coupled L2 weight decay; AdamW: decoupled).
 */
import { descent } from './descent';
import { checkHyper, NON_NEGATIVE, OptimError, UNIT_HALF_OPEN, UNIT_INTERVAL } from './errors';
import { checkStateLength, type GradientTransformation } from './gradient-transformation';
import { Optimizer, type OptimizerSpec, type ParamGroupInput, type ScheduleMap } from './optimizer';
import { type FloatArray, type ParamLike, zerosLike } from './param';
import { resolveScalar, type ScalarOrSchedule } from './schedules';

/** Options of the `scaleByAdam` transformation. */
export interface ScaleByAdamOptions {
  /** β1 ∈ [0, 1); default 0.9 */
  beta1?: ScalarOrSchedule;
  /** β2 ∈ [0, 1]; default 0.999. β2 = 1 is the exact limit: v̂_t = (1/t) Σ g_i² */
  beta2?: ScalarOrSchedule;
  /** ε ≥ 0 added outside the square root; default 1e-8 */
  eps?: ScalarOrSchedule;
  /** AMSGrad: use the running maximum of v in the denominator */
  amsgrad?: boolean;
}

/** The state of `scaleByAdam`: the step per parameter and the first and second moments. */
export interface ScaleByAdamState {
  count: number;
  /** per-parameter step t (PyTorch keeps one per parameter; parameters without a gradient do not advance) */
  step: number[];
  /** first moment m_t = β1·m_{t−1} + (1 − β1)·g_t */
  mu: FloatArray[];
  /**
   * second moment: v_t = β2·v_{t−1} + (1 − β2)·g_t² when β2 < 1 (`secondMoment: 'ema'`); Σ_{i≤t} g_i² when β2 = 1
   * (`secondMoment: 'sum'`, the limit v_t/(1 − β2)), so that v̂_t = Σ g_i² / t without 0/0.
   */
  nu: FloatArray[];
  /** AMSGrad's running max of nu (zero-length arrays without amsgrad) */
  nuMax: FloatArray[];
  /** which representation `nu` holds; fixed by the first update ('unset' before) */
  secondMoment: 'unset' | 'ema' | 'sum';
}

/**
 * PyTorch's lerp: start + w·(end − start) for w < 0.5, else end − (end − start)·(1 − w); exact at w = 1 (m ← g when
 * β1 = 0).
 */
function lerpWeightIsSmall(w: number): boolean {
  return w < 0.5;
}

/**
 * Adam's direction (PyTorch's formula, learning rate excluded):
 *   m_t = β1·m_{t−1} + (1 − β1)·g_t,  v_t = β2·v_{t−1} + (1 − β2)·g_t²,
 *   u = (m_t / (1 − β1^t)) / (sqrt(v_t) / sqrt(1 − β2^t) + ε)       (ε outside the root)
 * AMSGrad replaces v_t by max(v_1..v_t). With β2 = 1 the state keeps Σ g_i² and divides by t (the exact limit of
 * v_t / (1 − β2^t) as β2 → 1), so Adam(β1 = 0, β2 = 1, ε = 0, lr = η0/√t) is AdaGrad(η0, ε = 0). With ε = 0 a
 * coordinate with m = 0 and v = 0 (all gradients so far exactly 0) gets update 0, the limit, not 0/0 = NaN.
 */
export function scaleByAdam(
  options: ScaleByAdamOptions = {},
  name = 'scaleByAdam',
): GradientTransformation<ScaleByAdamState> {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, amsgrad = false } = options;
  const prefix = `${name}: `;
  const check = (b1: number, b2: number, e: number) => {
    checkHyper('beta1', b1, UNIT_HALF_OPEN, prefix);
    checkHyper('beta2', b2, UNIT_INTERVAL, prefix);
    checkHyper('eps', e, NON_NEGATIVE, prefix);
  };
  check(
    typeof beta1 === 'number' ? beta1 : 0,
    typeof beta2 === 'number' ? beta2 : 0,
    typeof eps === 'number' ? eps : 0,
  );
  return {
    init: (params) => ({
      count: 0,
      step: params.map(() => 0),
      mu: params.map((p) => zerosLike(p)),
      nu: params.map((p) => zerosLike(p)),
      nuMax: params.map((p) => zerosLike(p, amsgrad ? p.length : 0)),
      secondMoment: 'unset',
    }),
    update(updates, state) {
      const t = ++state.count;
      const b1 = resolveScalar(beta1, t);
      const b2 = resolveScalar(beta2, t);
      const e = resolveScalar(eps, t);
      check(b1, b2, e);
      const mode = b2 === 1 ? 'sum' : 'ema';
      if (state.secondMoment !== mode) {
        if (state.secondMoment !== 'unset') {
          throw new OptimError(
            'INVALID_HYPERPARAMETER',
            `${name}: beta2 = ${b2} switches the second moment from '${state.secondMoment}' to '${mode}' mid-run; ` +
              'beta2 may be 1 (exact running mean of g²) or < 1 (moving average) but must not cross between the two',
          );
        }
        state.secondMoment = mode;
      }
      const w1 = 1 - b1;
      const small = lerpWeightIsSmall(w1);
      const rest1 = 1 - w1;
      const w2 = 1 - b2;
      const sumMode = mode === 'sum';
      for (let i = 0; i < updates.length; i++) {
        const u = updates[i];
        if (u === null) continue;
        const m = state.mu[i];
        const v = state.nu[i];
        checkStateLength(name, i, u, m);
        const step = ++state.step[i];
        const bc1 = 1 - b1 ** step;
        const bc2Sqrt = Math.sqrt(sumMode ? step : 1 - b2 ** step);
        const vm = amsgrad ? state.nuMax[i] : v;
        for (let j = 0; j < u.length; j++) {
          const g = u[j];
          const mj = m[j];
          m[j] = small ? mj + w1 * (g - mj) : g - (g - mj) * rest1;
          v[j] = sumMode ? v[j] + g * g : v[j] * b2 + w2 * g * g;
          if (amsgrad) vm[j] = Math.max(vm[j], v[j]);
          const den = Math.sqrt(vm[j]) / bc2Sqrt + e;
          const mj2 = m[j];
          // 0/0 (eps = 0 and every gradient so far exactly 0): the update's limit, 0 (PyTorch gives NaN)
          u[j] = den === 0 && mj2 === 0 ? 0 : mj2 / bc1 / den;
        }
      }
    },
  };
}

/** The hyperparameters of `Adam` and `AdamW` (PyTorch names and defaults), per parameter group. */
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

/** PyTorch's `betas: [β1, β2]` option as beta1/beta2 (either spelling, not conflicting); used by Adam-like optimizers. */
export function normalizeBetas<H extends { beta1: number; beta2: number }>(name: string) {
  return (o: Partial<H> & { betas?: readonly [number, number] }): Partial<H> => {
    const { betas, ...rest } = o;
    if (betas === undefined) return rest as Partial<H>;
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
    return { ...rest, beta1: betas[0], beta2: betas[1] } as Partial<H>;
  };
}

function validateAdam(g: AdamHyperparams, where: string): void {
  checkHyper('lr', g.lr, NON_NEGATIVE, where);
  checkHyper('beta1 (betas[0])', g.beta1, UNIT_HALF_OPEN, where);
  checkHyper('beta2 (betas[1])', g.beta2, UNIT_INTERVAL, where);
  checkHyper('eps', g.eps, NON_NEGATIVE, where);
  checkHyper('weightDecay', g.weightDecay, NON_NEGATIVE, where);
}

/** The Adam rule reading the group's β1, β2, ε at every step (shared by Adam and AdamW). */
function adamRule(g: AdamHyperparams, name: string) {
  return scaleByAdam(
    { beta1: () => g.beta1, beta2: () => g.beta2, eps: () => g.eps, amsgrad: g.amsgrad },
    name,
  );
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
  normalize: normalizeBetas('Adam'),
  validate: validateAdam,
  build: (g) => ({ transform: descent(g, adamRule(g, 'Adam')) }),
};

const adamWSpec: OptimizerSpec<AdamHyperparams, 'amsgrad', AdamOptions> = {
  ...adamSpec,
  name: 'AdamW',
  defaults: { ...adamSpec.defaults, weightDecay: 1e-2 },
  normalize: normalizeBetas('AdamW'),
  build: (g) => ({ transform: descent(g, adamRule(g, 'AdamW'), 'decoupled') }),
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
