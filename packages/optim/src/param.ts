import { describeArg, OptimError } from './errors';

/** A float typed array: parameters, gradients and optimizer state are stored in these. */
export type FloatArray = Float32Array | Float64Array;

/**
 * What an optimizer needs from a parameter, typed structurally so @hw3/optim depends on nothing:
 * an @hw3/core `Tensor` fits (`t.data`, `t.grad?.data`), and so does a plain `{ data, grad }` pair of typed arrays.
 * `grad: null` (or undefined) means "no gradient this step": the parameter and its state are left untouched
 * (as in PyTorch).
 */
export interface ParamLike {
  readonly data: FloatArray;
  grad?: { readonly data: FloatArray } | FloatArray | null;
}

/** The gradient array of `param`, or null when it has none. */
export function gradOf(param: ParamLike): FloatArray | null {
  if (typeof param !== 'object' || param === null) {
    throw new OptimError(
      'INVALID_ARGUMENT',
      `gradOf: param must be an object { data, grad }, got ${describeArg(param)}`,
    );
  }
  const g = param.grad;
  if (g == null) return null;
  if (g instanceof Float32Array || g instanceof Float64Array) return g;
  const d = typeof g === 'object' ? g.data : undefined;
  if (!(d instanceof Float32Array || d instanceof Float64Array)) {
    throw new OptimError(
      'INVALID_ARGUMENT',
      `gradOf: param.grad must be null, a Float32Array / Float64Array or { data: Float32Array | Float64Array }, got ${describeArg(g)}`,
    );
  }
  return d;
}

export function isFloatArray(x: unknown): x is FloatArray {
  return x instanceof Float32Array || x instanceof Float64Array;
}

/** A new zero-filled typed array of the same type as `like` with `length` elements. */
export function zerosLike(like: FloatArray, length = like.length): FloatArray {
  return like instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
}
