import { describeValue, ValueError } from './errors';
import { closeScope, openScope, ownedByInnermostScope } from './storage';
import { Tensor } from './tensor';

/**
 * Runs `fn` in a storage scope and returns its result (like TensorFlow.js's `tf.tidy`). With a WebAssembly kernel
 * set active, the float32 outputs of ops computed inside (activations, their gradients, max-pool indices) live in
 * the kernel set's memory, where the kernels use them in place, and their memory is reused by the next scope: a
 * training step written as `tidy(() => { forward; loss.backward(); optimizer.step(); return loss.item(); })`
 * copies no tensor into or out of WebAssembly memory and allocates no tensor memory once warm.
 *
 * When `fn` returns, every tensor whose data lives in memory this scope allocated is released: reading its `data`
 * throws a `TensorReleasedError` (nothing reads stale bytes). What survives:
 * - the result: a Tensor returned by `fn` (or held directly in a returned array or plain object) whose data this
 *   scope owns is copied to the JavaScript heap (a new tensor with the same values and shape, no autograd graph);
 * - `.grad` of leaf tensors (parameters), optimizer state, running statistics and every tensor created with
 *   `tensor` / `zeros` / … : these are ordinary JavaScript arrays.
 *
 * Scopes nest; an inner scope releases only what it allocated. Without a WebAssembly kernel set (TypeScript kernels,
 * float64) `tidy` changes nothing but the copy of the result. `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') {
    throw new ValueError(`tidy: fn must be a function, got ${describeValue(fn)}`, 'INVALID_INPUT');
  }
  openScope();
  let result: T;
  try {
    result = fn();
    if (
      result !== null &&
      typeof result === 'object' &&
      typeof (result as { then?: unknown }).then === 'function'
    ) {
      throw new ValueError(
        'tidy: fn returned a Promise; tidy scopes are synchronous (await outside, or call tidy inside the async code)',
        'INVALID_INPUT',
      );
    }
    result = copyOut(result);
  } finally {
    closeScope();
  }
  return result;
}

/** A tensor owned by the closing scope, copied out; arrays and plain objects are looked into one level deep. */
function copyOut<T>(value: T): T {
  if (value instanceof Tensor) return escapeTensor(value) as T;
  if (Array.isArray(value)) {
    if (!value.some((v) => v instanceof Tensor)) return value;
    return value.map((v) => (v instanceof Tensor ? escapeTensor(v) : v)) as T;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.some(([, v]) => v instanceof Tensor)) return value;
    return Object.fromEntries(entries.map(([k, v]) => [k, v instanceof Tensor ? escapeTensor(v) : v])) as T;
  }
  return value;
}

function escapeTensor(t: Tensor): Tensor {
  if (!t.isAvailable || !ownedByInnermostScope(t.data)) return t;
  return new Tensor(t.data.slice(), t.shape);
}
