import { checkHyper, NON_NEGATIVE, OptimError, UNIT_HALF_OPEN, UNIT_INTERVAL } from './errors';
import { checkStateLength, type GradientTransformation } from './gradient-transformation';
import { type FloatArray, zerosLike } from './param';
import { resolveScalar, type ScalarOrSchedule } from './schedules';

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
