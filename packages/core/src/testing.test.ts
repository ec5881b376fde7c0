import { describe, expect, test } from 'vitest';
import { tensor } from './creation';
import { defineOp } from './define-op';
import { ValueError } from './errors';
import { mul } from './ops/elementwise';
import { Tensor } from './tensor';
import { GradcheckError, gradcheck } from './testing';

describe('gradcheck', () => {
  test('passes for a correct op', () => {
    const x = tensor([0.5, -1.5, 2], { dtype: 'float64', requiresGrad: true });
    expect(() => gradcheck((a) => mul(a, a), [x])).not.toThrow();
  });

  test('fails with input index, flat index, analytic and numeric for a wrong backward', () => {
    // y = x², but backward claims ∂x = x·g (missing the 2) only at index 1.
    const wrong = defineOp({
      name: 'wrongSquare',
      forward(ctx, [_c, a]) {
        ctx.save(a);
        return new Tensor(
          a.data.map((v) => v * v),
          a.shape,
        );
      },
      backward(ctx, g) {
        const a = ctx.saved[0] as Tensor;
        const d = a.data.map((v, i) => (i === 1 ? v : 2 * v) * g.data[i]);
        return [null, new Tensor(d, a.shape)];
      },
    });
    const c = tensor([1], { dtype: 'float64' });
    const x = tensor([0.5, -1.5, 2], { dtype: 'float64', requiresGrad: true });
    let err: unknown;
    try {
      gradcheck((cc, a) => wrong([cc, a]), [c, x]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GradcheckError);
    const ge = err as GradcheckError;
    expect(ge.inputIndex).toBe(1);
    expect(ge.flatIndex).toBe(1);
    expect(ge.analytic / ge.numeric).toBeCloseTo(0.5, 5);
    expect(ge.message).toMatch(/input 1, flat index 1/);
  });

  test('preserves existing .grad and rejects float32 inputs', () => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    x.grad = tensor([7, 7], { dtype: 'float64' });
    gradcheck((a) => mul(a, 3), [x]);
    expect(x.grad.toArray()).toEqual([7, 7]);
    expect(() => gradcheck((a) => a, [tensor([1], { requiresGrad: true })])).toThrow(ValueError);
    expect(() => gradcheck((a) => a, [tensor([1], { dtype: 'float64' })])).toThrow(/nothing to check/);
  });

  test('checks every Jacobian entry: a small wrong entry next to a large one is caught', () => {
    // y = [1000·x0, 0.001·x0]; backward claims ∂y1/∂x0 = 0.002. One random weighting of the outputs hides
    // this (the error is far below rtol·1000); the per-entry check does not.
    const op = defineOp({
      name: 'lopsided',
      forward(_ctx, [x]) {
        return new Tensor(new Float64Array([1000 * x.data[0], 0.001 * x.data[0]]), [2]);
      },
      backward(_ctx, g) {
        return [new Tensor(new Float64Array([1000 * g.data[0] + 0.002 * g.data[1]]), [1])];
      },
    });
    const x = tensor([0.3], { dtype: 'float64', requiresGrad: true });
    let err: unknown;
    try {
      gradcheck((a) => op([a]), [x]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GradcheckError);
    const ge = err as GradcheckError;
    expect([ge.inputIndex, ge.flatIndex, ge.outputIndex]).toEqual([0, 0, 1]);
    expect(ge.analytic).toBeCloseTo(0.002, 12);
    expect(ge.numeric).toBeCloseTo(0.001, 8);
    expect(ge.message).toMatch(/output flat index 1/);
  });

  test('a backward that only depends on the sum of the upstream gradient is caught', () => {
    // y = [x0, 2·x1]; wrong backward returns (g0 + g1)·[1, 2] (right only for g = ones).
    const op = defineOp({
      name: 'sumOnly',
      forward(_ctx, [x]) {
        return new Tensor(new Float64Array([x.data[0], 2 * x.data[1]]), [2]);
      },
      backward(_ctx, g) {
        const s = g.data[0] + g.data[1];
        return [new Tensor(new Float64Array([s, 2 * s]), [2])];
      },
    });
    const x = tensor([0.3, -0.7], { dtype: 'float64', requiresGrad: true });
    expect(() => gradcheck((a) => op([a]), [x])).toThrow(GradcheckError);
  });

  test('bad options and an fn whose output shape changes are typed errors', () => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    expect(() => gradcheck((a) => a, [x], { eps: 0 })).toThrow(/eps=0/);
    let calls = 0;
    const flaky = (a: Tensor) => (calls++ === 0 ? mul(a, 2) : tensor([1, 2, 3], { dtype: 'float64' }));
    expect(() => gradcheck(flaky, [x])).toThrow(ValueError);
    expect(x.toArray()).toEqual([1, 2]); // the perturbed element was restored
  });
});
