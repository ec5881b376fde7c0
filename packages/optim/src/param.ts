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
  const g = param.grad;
  if (g == null) return null;
  if (g instanceof Float32Array || g instanceof Float64Array) return g;
  return g.data;
}

export function isFloatArray(x: unknown): x is FloatArray {
  return x instanceof Float32Array || x instanceof Float64Array;
}

/** A new zero-filled typed array of the same type as `like` with `length` elements. */
export function zerosLike(like: FloatArray, length = like.length): FloatArray {
  return like instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
}
