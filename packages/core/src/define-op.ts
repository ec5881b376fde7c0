import { describeValue, ValueError } from './errors';
import { attachGradFn, isGradEnabled, noGrad, Tensor } from './tensor';

/** What a custom op's forward can leave for its backward (like PyTorch's `ctx`). */
export interface OpContext {
  /** Per input: does it require grad (all false when nothing is being recorded)? */
  readonly needsInputGrad: readonly boolean[];
  /** Stores anything (tensors, typed arrays, numbers) for backward; appends to `saved`. */
  save(...values: unknown[]): void;
  readonly saved: readonly unknown[];
}

/**
 * The specification of a custom op for `defineOp`: its name, a forward that builds the output, and a
 * backward that maps ∂L/∂output to ∂L/∂input for each input.
 */
export interface OpSpec<Args extends unknown[]> {
  name: string;
  /** Runs with grad recording disabled. Build the output with `new Tensor(data, shape)`. */
  forward(ctx: OpContext, inputs: readonly Tensor[], ...args: Args): Tensor;
  /** One entry per input: ∂L/∂input (same shape and dtype as the input) or null. */
  backward(ctx: OpContext, gradOutput: Tensor): readonly (Tensor | null)[];
}

class Context implements OpContext {
  readonly saved: unknown[] = [];
  constructor(readonly needsInputGrad: readonly boolean[]) {}
  save(...values: unknown[]): void {
    for (let i = 0; i < values.length; i++) this.saved.push(values[i]);
  }
}

/**
 * Defines a differentiable op from a forward and a backward function (like `torch.autograd.Function`).
 * The returned function takes the input tensors (array) followed by any extra arguments. When grad is
 * enabled and some input requires grad, the output records the op; gradients returned by `backward` are
 * accumulated into the inputs' `.grad` (leaves) or propagated further (non-leaves).
 */
export function defineOp<Args extends unknown[] = []>(
  spec: OpSpec<Args>,
): (inputs: readonly Tensor[], ...args: Args) => Tensor {
  if (
    typeof spec !== 'object' ||
    spec === null ||
    typeof spec.name !== 'string' ||
    typeof spec.forward !== 'function' ||
    typeof spec.backward !== 'function'
  ) {
    throw new ValueError(
      `defineOp: spec must be an object { name: string, forward: function, backward: function }, got ${describeValue(spec)}${spec !== null && typeof spec === 'object' ? ` with name ${typeof spec.name}, forward ${typeof spec.forward}, backward ${typeof spec.backward}` : ''}`,
      'INVALID_OP_SPEC',
    );
  }
  const name = spec.name;
  return (inputs: readonly Tensor[], ...args: Args): Tensor => {
    if (!Array.isArray(inputs)) {
      throw new ValueError(
        `${name}: inputs must be an array of Tensors, got ${typeof inputs}`,
        'INVALID_INPUT',
      );
    }
    let track = false;
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i];
      if (!(t instanceof Tensor)) {
        throw new ValueError(`${name}: inputs[${i}] must be a Tensor, got ${String(t)}`, 'INVALID_INPUT');
      }
      if (t.requiresGrad) track = true;
    }
    track = track && isGradEnabled();
    const needs = new Array<boolean>(inputs.length);
    for (let i = 0; i < inputs.length; i++) needs[i] = track && inputs[i].requiresGrad;
    const ctx = new Context(needs);
    let out = noGrad(() => spec.forward(ctx, inputs, ...args));
    if (!(out instanceof Tensor)) {
      throw new ValueError(`${name}.forward must return a Tensor`, 'INVALID_FORWARD_RESULT');
    }
    if (track) {
      // Never rewrite the graph position of an existing tensor (e.g. a forward that returns its input).
      if (out.gradFn !== null || out.requiresGrad || inputs.includes(out))
        out = new Tensor(out.data, out.shape);
      attachGradFn(out, { name, inputs: inputs.slice(), backward: (g) => spec.backward(ctx, g) });
    }
    return out;
  };
}
