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
});
