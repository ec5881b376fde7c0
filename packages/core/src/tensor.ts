import { allocateLike, type DType, dtypeOf, type FloatArray } from './dtype';
import { describeValue, ValueError } from './errors';
import { shapeError } from './shape-error';
import { checkShape, fmtShape, shapeSize, shapesEqual } from './shape-utils';
import { registerResident, scopeDepth, TensorReleasedError } from './storage';

/** A number or (nested) arrays of numbers, as `tensor` takes them and `Tensor.toArray` returns them. */
export type NestedArray = number | NestedArray[];

/**
 * One recorded step of the autograd tape: the op that produced a tensor, its inputs and the function
 * mapping ∂L/∂output to ∂L/∂input for each input (null where no gradient flows).
 */
export interface GradFn {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  backward(gradOutput: Tensor): readonly (Tensor | null)[];
}

let gradEnabled = true;

function withGradEnabled<T>(enabled: boolean, fn: () => T, fnName: string): T {
  if (typeof fn !== 'function') {
    throw new ValueError(`${fnName}: fn must be a function, got ${describeValue(fn)}`, 'INVALID_INPUT');
  }
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs `fn` with gradient recording disabled (like `torch.no_grad()`). */
export function noGrad<T>(fn: () => T): T {
  return withGradEnabled(false, fn, 'noGrad');
}

/** Runs `fn` with gradient recording enabled, even inside `noGrad` (like `torch.enable_grad()`). */
export function enableGrad<T>(fn: () => T): T {
  return withGradEnabled(true, fn, 'enableGrad');
}

/** Whether ops record the autograd tape right now (false inside `noGrad`; like `torch.is_grad_enabled()`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Options of the `Tensor` constructor. */
export interface TensorOptions {
  requiresGrad?: boolean;
}

/**
 * An n-dimensional array of float32 or float64 values, contiguous row-major, with tape autograd.
 * The constructor takes ownership of `data` (no copy).
 */
export class Tensor {
  private storage: FloatArray | null;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  readonly ndim: number;
  requiresGrad: boolean;
  /** Accumulated ∂L/∂this after `backward()`; only kept for leaves (tensors not produced by an op). */
  grad: Tensor | null = null;
  /** The recorded op that produced this tensor; null for leaves. */
  gradFn: GradFn | null = null;

  constructor(data: FloatArray, shape: readonly number[], options?: TensorOptions) {
    this.dtype = dtypeOf(data, 'Tensor data');
    this.shape = checkShape(shape, 'Tensor shape');
    this.size = shapeSize(this.shape);
    if (this.size !== data.length) {
      throw shapeError(
        'shape-mismatch',
        `Tensor: shape ${fmtShape(this.shape)} holds ${this.size} elements but data has length ${data.length}`,
      );
    }
    this.storage = data;
    this.ndim = this.shape.length;
    this.requiresGrad = options?.requiresGrad === true;
    if (scopeDepth() > 0)
      registerResident(
        {
          release: () => {
            this.storage = null;
          },
        },
        data,
      );
  }

  /**
   * The values, contiguous row-major (the constructor's array, not a copy). For a tensor computed inside `tidy` with
   * a WebAssembly kernel set this is a view of that set's memory, valid until the `tidy` call returns; afterwards
   * reading `data` throws a `TensorReleasedError` (keep values by returning the tensor from `tidy`, which copies it
   * out, or by copying `data` inside the scope). Never released outside `tidy`.
   */
  get data(): FloatArray {
    const data = this.storage;
    if (data === null) throw released(this);
    return data;
  }

  /** False once the `tidy` scope holding this tensor's storage has ended (then `data` throws). */
  get isAvailable(): boolean {
    return this.storage !== null;
  }

  /** True when this tensor was not produced by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /**
   * Backpropagates from this tensor. Without `gradient` the tensor must hold exactly one element (a scalar
   * loss) and the seed is 1; otherwise `gradient` is ∂L/∂this with the same shape and dtype. Gradients are
   * accumulated (added) into the `.grad` of every leaf that requires grad.
   */
  backward(gradient?: Tensor): void {
    if (!this.requiresGrad) {
      throw new ValueError(
        'backward: this tensor does not require grad (no input had requiresGrad: true, or it was computed inside noGrad)',
        'NO_GRAD',
      );
    }
    let seed: Tensor;
    if (gradient === undefined) {
      if (this.size !== 1) {
        throw new ValueError(
          `backward: gradient can be omitted only for a tensor with one element, this one has shape ${fmtShape(this.shape)}; pass gradient (same shape) explicitly`,
          'NON_SCALAR_BACKWARD',
        );
      }
      const d = allocateLike(this.data, 1);
      d[0] = 1;
      seed = new Tensor(d, this.shape);
    } else {
      if (!(gradient instanceof Tensor)) {
        throw new ValueError(
          `backward: gradient must be a Tensor, got ${describeValue(gradient)}`,
          'INVALID_GRADIENT',
        );
      }
      checkGradMatches(this, gradient, 'backward: gradient');
      seed = gradient;
    }
    runBackward(this, seed);
  }

  /** A tensor sharing this one's data but with no graph (requiresGrad false). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** Same data, new shape (one dim may be -1). Autograd-aware; shares data with this tensor. */
  reshape(shape: readonly number[]): Tensor {
    const newShape = resolveReshape(this.shape, this.size, shape);
    const out = new Tensor(this.data, newShape);
    if (gradEnabled && this.requiresGrad) {
      const inputShape = this.shape;
      attachGradFn(out, {
        name: 'reshape',
        inputs: [this],
        backward: (g) => [new Tensor(g.data, inputShape)],
      });
    }
    return out;
  }

  /** The values as (nested) JavaScript arrays; a 0-d tensor gives a number. */
  toArray(): NestedArray {
    if (this.ndim === 0) return this.data[0];
    const data = this.data;
    const shape = this.shape;
    let pos = 0;
    const build = (dim: number): NestedArray[] => {
      const n = shape[dim];
      const arr = new Array<NestedArray>(n);
      if (dim === shape.length - 1) {
        for (let i = 0; i < n; i++) arr[i] = data[pos++];
      } else {
        for (let i = 0; i < n; i++) arr[i] = build(dim + 1);
      }
      return arr;
    };
    return build(0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new ValueError(
        `item: tensor must have exactly one element, got shape ${fmtShape(this.shape)} (${this.size} elements)`,
        'NOT_SCALAR',
      );
    }
    return this.data[0];
  }

  toString(): string {
    return `Tensor(shape=${fmtShape(this.shape)}, dtype=${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

function released(t: Tensor): TensorReleasedError {
  return new TensorReleasedError(
    `Tensor(shape=${fmtShape(t.shape)}, dtype=${t.dtype}): its data was released when the tidy() scope that computed it ended; return the tensor from tidy (it is copied out) or copy tensor.data inside the scope`,
  );
}

/** Marks `out` as produced by `gradFn` (internal; used by defineOp and Tensor.reshape). */
export function attachGradFn(out: Tensor, gradFn: GradFn): void {
  out.gradFn = gradFn;
  out.requiresGrad = true;
}

function checkGradMatches(target: Tensor, grad: Tensor, what: string): void {
  if (grad.dtype !== target.dtype) {
    throw new ValueError(`${what} has dtype ${grad.dtype}, expected ${target.dtype}`, 'DTYPE_MISMATCH');
  }
  if (!shapesEqual(grad.shape, target.shape)) {
    throw shapeError(
      'shape-mismatch',
      `${what} has shape ${fmtShape(grad.shape)}, expected ${fmtShape(target.shape)}`,
    );
  }
}

function resolveReshape(from: readonly number[], size: number, shape: readonly number[]): readonly number[] {
  if (!Array.isArray(shape)) {
    throw new ValueError(`reshape: shape must be an array, got ${String(shape)}`, 'INVALID_SHAPE');
  }
  let inferAt = -1;
  let known = 1;
  const out = shape.slice();
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (d === -1) {
      if (inferAt >= 0) {
        throw new ValueError(
          `reshape: only one dimension may be -1, got ${fmtShape(shape)}`,
          'INVALID_SHAPE',
        );
      }
      inferAt = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ValueError(
        `reshape: shape[${i}] must be a non-negative integer or -1, got ${d} in ${fmtShape(shape)}`,
        'INVALID_SHAPE',
      );
    } else known *= d;
  }
  if (inferAt >= 0) {
    if (known === 0 || size % known !== 0) {
      throw shapeError(
        'shape-mismatch',
        `reshape: cannot reshape ${fmtShape(from)} (${size} elements) into ${fmtShape(shape)}`,
      );
    }
    out[inferAt] = size / known;
  } else if (known !== size) {
    throw shapeError(
      'shape-mismatch',
      `reshape: cannot reshape ${fmtShape(from)} (${size} elements) into ${fmtShape(shape)} (${known} elements)`,
    );
  }
  return out;
}

/**
 * Reverse-mode sweep. The graph is walked from `root` (depth-first, iterative) to get a topological order;
 * each node's gradient is complete before its GradFn runs. Gradients flowing into one tensor from several
 * consumers are summed. Runs with grad recording disabled (no higher-order gradients).
 */
function runBackward(root: Tensor, seed: Tensor): void {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: Array<[Tensor, number]> = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const t = top[0];
    const inputs = t.gradFn === null ? null : t.gradFn.inputs;
    if (inputs !== null && top[1] < inputs.length) {
      const child = inputs[top[1]++];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }

  const grads = new Map<Tensor, Tensor>();
  const owned = new Set<Tensor>(); // gradient buffers we allocated and may add into in place
  grads.set(root, seed);
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      if (t.gradFn === null) {
        accumulateLeafGrad(t, g);
        continue;
      }
      const fn = t.gradFn;
      const inputGrads = fn.backward(g);
      if (!Array.isArray(inputGrads) || inputGrads.length !== fn.inputs.length) {
        throw new ValueError(
          `${fn.name}.backward must return an array with one entry per input (${fn.inputs.length}), got ${Array.isArray(inputGrads) ? inputGrads.length : typeof inputGrads}`,
          'INVALID_BACKWARD_RESULT',
        );
      }
      for (let j = 0; j < inputGrads.length; j++) {
        const input = fn.inputs[j];
        const gi = inputGrads[j];
        if (gi === null || gi === undefined || !input.requiresGrad) continue;
        if (!(gi instanceof Tensor)) {
          throw new ValueError(
            `${fn.name}.backward: gradient ${j} must be a Tensor or null`,
            'INVALID_BACKWARD_RESULT',
          );
        }
        checkGradMatches(input, gi, `${fn.name}.backward: gradient for input ${j}`);
        const existing = grads.get(input);
        if (existing === undefined) {
          // A backward may hand the same tensor to several inputs (e.g. `return [g, g]`), so a buffer
          // passed on this way is shared: it is copied, not added into, when a second contribution arrives.
          owned.delete(gi);
          grads.set(input, gi);
        } else if (owned.has(existing)) {
          addInto(existing.data, gi.data);
        } else {
          const sum = new Tensor(existing.data.slice(), existing.shape);
          addInto(sum.data, gi.data);
          owned.add(sum);
          grads.set(input, sum);
        }
      }
    }
  } finally {
    gradEnabled = prev;
  }
}

function accumulateLeafGrad(t: Tensor, g: Tensor): void {
  if (t.grad === null) {
    t.grad = new Tensor(g.data.slice(), t.shape);
  } else {
    checkGradMatches(t, t.grad, 'existing .grad');
    addInto(t.grad.data, g.data);
  }
}

function addInto(dst: FloatArray, src: FloatArray): void {
  for (let i = 0; i < dst.length; i++) dst[i] += src[i];
}
