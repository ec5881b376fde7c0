import { Tensor } from '@hw3/core';
import { describe, expect, it } from 'vitest';
import { mseLoss, mseLossArray } from './mse-loss.js';
import { expectClose, numericGradient, randomArray } from './test-helpers.js';

describe('mseLossArray', () => {
  it('worked by hand: x = [1, 2, 3], y = [0, 2, 5] → mean 5/3, grad 2(x − y)/3', () => {
    const x = Float64Array.from([1, 2, 3]);
    const mean = mseLossArray(x, [0, 2, 5]);
    expect(mean.loss).toBeCloseTo(5 / 3, 15);
    expectClose(mean.grad, [2 / 3, 0, -4 / 3], 0, 1e-15);
    expect(mseLossArray(x, [0, 2, 5], { reduction: 'sum' }).loss).toBe(5);
    const none = mseLossArray(x, Float64Array.from([0, 2, 5]), { reduction: 'none' });
    expect([...none.loss]).toEqual([1, 0, 4]);
    expect([...none.grad]).toEqual([2, 0, -4]);
  });

  it('float64 finite differences for every reduction', () => {
    const x = randomArray(10, 1);
    const y = randomArray(10, 2);
    const up = randomArray(10, 3);
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const f = (v: Float64Array) => {
        const { loss } = mseLossArray(v, y, { reduction });
        return typeof loss === 'number' ? loss : [...loss].reduce((a, l, i) => a + l * up[i], 0);
      };
      const { grad } = mseLossArray(x, y, { reduction, gradOutput: reduction === 'none' ? up : 1 });
      expectClose(grad, numericGradient(f, x), 1e-8, 1e-6);
    }
  });

  it('errors: target length, input type, reduction', () => {
    expect(() => mseLossArray(new Float32Array(3), [1, 2])).toThrow(
      expect.objectContaining({
        code: 'LOSS_SHAPE_MISMATCH',
        message: 'mseLossArray: target has 2 entries but 3 are needed',
      }),
    );
    expect(() => mseLossArray([1, 2] as unknown as Float64Array, [1, 2])).toThrow(
      /input must be a Float32Array or Float64Array/,
    );
    expect(() => mseLossArray(new Float32Array(2), [1, 2], { reduction: 'max' as 'sum' })).toThrow(
      expect.objectContaining({ code: 'LOSS_INVALID_OPTION' }),
    );
  });
});

describe('mseLoss autograd op', () => {
  it('gradient w.r.t. input and target (∂/∂y = −∂/∂x), shapes kept', () => {
    const x = new Tensor(Float64Array.from([1, 2, 3, 4]), [2, 2], { requiresGrad: true });
    const y = new Tensor(Float64Array.from([0, 0, 5, 5]), [2, 2], { requiresGrad: true });
    const loss = mseLoss(x, y);
    expect(loss.item()).toBe((1 + 4 + 4 + 1) / 4);
    loss.backward();
    expect([...x.grad!.data]).toEqual([0.5, 1, -1, -0.5]);
    expect([...y.grad!.data]).toEqual([-0.5, -1, 1, 0.5]);
    const none = mseLoss(
      x,
      [
        [1, 1],
        [1, 1],
      ],
      { reduction: 'none' },
    );
    expect(none.shape).toEqual([2, 2]);
    expect([...none.data]).toEqual([0, 1, 4, 9]);
    expect(() => mseLoss(x, new Tensor(new Float64Array(4), [4]))).toThrow(
      /target shape \[4\] must equal input shape \[2, 2\] \(no broadcasting\)/,
    );
  });
});
