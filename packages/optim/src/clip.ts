import {
  checkHyper,
  checkObjectArg,
  describeArg,
  NON_NEGATIVE,
  NonFiniteNormError,
  OptimError,
} from './errors';
import type { CountState, GradientTransformation } from './gradient-transformation';
import { type FloatArray, gradOf, isFloatArray, type ParamLike } from './param';

/** Options of `clipGradNorm` (PyTorch `clip_grad_norm_` arguments). */
export interface ClipGradNormOptions {
  /** order p of the norms: a number > 0 or Infinity (max |g|); default 2 */
  normType?: number;
  /** throw NonFiniteNormError when the total norm is NaN or ±Infinity; default false (as PyTorch) */
  errorIfNonfinite?: boolean;
}

function checkNormType(where: string, normType: number): void {
  if (!(normType === Number.POSITIVE_INFINITY || (Number.isFinite(normType) && normType > 0))) {
    throw new OptimError(
      'INVALID_HYPERPARAMETER',
      `${where}: normType = ${normType} is invalid; expected a number > 0 or Infinity`,
    );
  }
}

/** ‖(‖a_1‖_p, …, ‖a_n‖_p)‖_p (= ‖concat(a)‖_p), accumulated in float64. Nulls are skipped. */
export function globalNorm(arrays: readonly (FloatArray | null)[], normType = 2): number {
  checkNormType('globalNorm', normType);
  if (!Array.isArray(arrays) || !arrays.every((a) => a === null || isFloatArray(a))) {
    throw new OptimError(
      'INVALID_ARGUMENT',
      `globalNorm: arrays must be an array of Float32Array / Float64Array (or null), got ${describeArg(arrays)}`,
    );
  }
  if (normType === Number.POSITIVE_INFINITY) {
    let total = 0;
    for (const a of arrays) {
      if (a === null) continue;
      for (let j = 0; j < a.length; j++) {
        const x = Math.abs(a[j]);
        if (Number.isNaN(x)) return Number.NaN; // NaN propagates (a later larger element must not hide it)
        if (x > total) total = x;
      }
    }
    return total;
  }
  let total = 0;
  for (const a of arrays) {
    if (a === null) continue;
    let s = 0;
    if (normType === 2) for (let j = 0; j < a.length; j++) s += a[j] * a[j];
    else if (normType === 1) for (let j = 0; j < a.length; j++) s += Math.abs(a[j]);
    else for (let j = 0; j < a.length; j++) s += Math.abs(a[j]) ** normType;
    // ‖a_i‖_p^p summed over i is ‖(‖a_i‖_p)‖_p^p
    total += s;
  }
  return normType === 2 ? Math.sqrt(total) : normType === 1 ? total : total ** (1 / normType);
}

/** The multiplier PyTorch's clip_grad_norm_ uses: maxNorm / (total + 1e-6), applied only when < 1. */
function scaleToNorm(arrays: readonly (FloatArray | null)[], maxNorm: number, total: number): void {
  const coef = maxNorm / (total + 1e-6);
  if (!(coef < 1)) return;
  for (const a of arrays) {
    if (a === null) continue;
    for (let j = 0; j < a.length; j++) a[j] *= coef;
  }
}

function gradsOf(params: Iterable<ParamLike> | ParamLike): (FloatArray | null)[] {
  if (typeof params !== 'object' || params === null) {
    throw new OptimError(
      'INVALID_ARGUMENT',
      `params must be a parameter or an iterable of parameters, got ${describeArg(params)}`,
    );
  }
  const list =
    Symbol.iterator in Object(params) ? [...(params as Iterable<ParamLike>)] : [params as ParamLike];
  return list.map(gradOf);
}

/**
 * Clips the gradients of `params` in place by their global norm, as PyTorch's clip_grad_norm_:
 * total = ‖(‖g_1‖_p, …, ‖g_n‖_p)‖_p, coef = maxNorm / (total + 1e-6), gradients scaled by coef only when coef < 1.
 * Returns the total norm before clipping. Parameters without a gradient are ignored. The norm is accumulated
 * in float64 (PyTorch uses the gradients' dtype). A NaN total leaves the gradients as they are (PyTorch
 * multiplies them by NaN); with `errorIfNonfinite` a NaN or infinite total throws NonFiniteNormError.
 */
export function clipGradNorm(
  params: Iterable<ParamLike> | ParamLike,
  maxNorm: number,
  options: ClipGradNormOptions = {},
): number {
  checkObjectArg('clipGradNorm: options', options);
  const { normType = 2, errorIfNonfinite = false } = options;
  checkHyper('clipGradNorm: maxNorm', maxNorm, NON_NEGATIVE);
  checkNormType('clipGradNorm', normType);
  const grads = gradsOf(params);
  const total = globalNorm(grads, normType);
  if (errorIfNonfinite && !Number.isFinite(total)) throw new NonFiniteNormError(total, normType);
  scaleToNorm(grads, maxNorm, total);
  return total;
}

/** Clamps every gradient element of `params` into [−clipValue, clipValue] in place (clip_grad_value_). NaN stays NaN. */
export function clipGradValue(params: Iterable<ParamLike> | ParamLike, clipValue: number): void {
  checkHyper('clipGradValue: clipValue', clipValue, NON_NEGATIVE);
  for (const g of gradsOf(params)) {
    if (g === null) continue;
    clampArray(g, clipValue);
  }
}

function clampArray(a: FloatArray, limit: number): void {
  for (let j = 0; j < a.length; j++) {
    const x = a[j];
    if (x > limit) a[j] = limit;
    else if (x < -limit) a[j] = -limit;
  }
}

/**
 * Transformation form of clipGradNorm (optax's clip_by_global_norm, with PyTorch's +1e-6): scales the updates so
 * their global 2-norm is at most maxNorm. Put it first in a chain to clip raw gradients.
 */
export function clipByGlobalNorm(
  maxNorm: number,
  options: ClipGradNormOptions = {},
): GradientTransformation<CountState & { lastNorm: number }> {
  checkObjectArg('clipByGlobalNorm: options', options);
  const { normType = 2, errorIfNonfinite = false } = options;
  checkHyper('clipByGlobalNorm: maxNorm', maxNorm, NON_NEGATIVE);
  checkNormType('clipByGlobalNorm', normType);
  return {
    init: () => ({ count: 0, lastNorm: 0 }),
    update(updates, state) {
      state.count++;
      const total = globalNorm(updates, normType);
      state.lastNorm = total;
      if (errorIfNonfinite && !Number.isFinite(total)) {
        throw new NonFiniteNormError(total, normType, 'clipByGlobalNorm');
      }
      scaleToNorm(updates, maxNorm, total);
    },
  };
}

/** Transformation form of clipGradValue (optax's clip): clamps each update element into [−maxDelta, maxDelta]. */
export function clipByValue(maxDelta: number): GradientTransformation<CountState> {
  checkHyper('clipByValue: maxDelta', maxDelta, NON_NEGATIVE);
  return {
    init: () => ({ count: 0 }),
    update(updates, state) {
      state.count++;
      for (const u of updates) if (u !== null) clampArray(u, maxDelta);
    },
  };
}
