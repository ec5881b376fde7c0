import { defineOp } from '../define-op';
import { allocateOutputLike, type FloatArray } from '../dtype';
import { Tensor } from '../tensor';

/**
 * An elementwise op, written as its math: y_i = f(x_i, a_i) and ∂x_i = grad(g_i, s_i), where a is the op's optional
 * per-element argument (dropout's mask) and s is what backward reads, saved by the forward: the input x, the output
 * y, the argument a, or nothing.
 */
export interface UnarySpec {
  name: string;
  /** y_i = f(x_i, a_i) (a_i = 0 for ops without an argument). */
  f(x: number, a: number): number;
  /** ∂L/∂x_i from the incoming gradient g_i and the saved s_i. */
  grad(g: number, s: number): number;
  /** What backward reads: 'x', 'y', 'a' or 'none' (only that is kept alive by the graph). */
  saves: 'x' | 'y' | 'a' | 'none';
  /** Whole-array loops that replace f / grad (e.g. the active kernels' SIMD relu); same math. */
  arrays?: {
    forward(x: FloatArray, y: FloatArray): void;
    backward(s: FloatArray, g: FloatArray, dx: FloatArray): void;
  };
}

/** Defines an elementwise differentiable op from its math (see `UnarySpec`); the result takes x and optionally a. */
export function defineUnary(spec: UnarySpec): (x: Tensor, a?: FloatArray) => Tensor {
  const { f, grad, saves, arrays } = spec;
  const op = defineOp<[FloatArray | undefined]>({
    name: spec.name,
    forward(ctx, [x], a) {
      const d = x.data;
      const out = allocateOutputLike(d, d.length); // every element is written below
      if (arrays !== undefined) arrays.forward(d, out);
      else if (a === undefined) for (let i = 0; i < d.length; i++) out[i] = f(d[i], 0);
      else for (let i = 0; i < d.length; i++) out[i] = f(d[i], a[i]);
      if (saves !== 'none') ctx.save(saves === 'x' ? d : saves === 'y' ? out : a);
      return new Tensor(out, x.shape);
    },
    backward(ctx, g) {
      const gd = g.data;
      const out = allocateOutputLike(gd, gd.length);
      const s = ctx.saved[0] as FloatArray;
      if (arrays !== undefined) arrays.backward(s, gd, out);
      else if (saves === 'none') for (let i = 0; i < gd.length; i++) out[i] = grad(gd[i], 0);
      else for (let i = 0; i < gd.length; i++) out[i] = grad(gd[i], s[i]);
      return [new Tensor(out, g.shape)];
    },
  });
  return (x, a) => op([x], a);
}
