import { Tensor } from '@hw3/core';
import { describe, expect, it } from 'vitest';
import { crossEntropy, crossEntropyArray } from './cross-entropy.js';
import { nllLoss, nllLossArray } from './nll-loss.js';
import { logSoftmax, logSoftmaxArray } from './softmax.js';
import { expectClose, numericGradient, randomArray } from './test-helpers.js';

describe('nllLossArray', () => {
  const input = Float64Array.from([-1, -2, -3, -0.5, -1.5, -2.5, -4, -5, -6]);
  const target = [2, 0, -100];
  const weight = [1, 2, 3];

  it('weights and ignoreIndex, worked by hand: mean = (3·3 + 1·0.5) / (3 + 1) = 2.375', () => {
    const mean = nllLossArray(input, [3, 3], target, { weight });
    expect(mean.loss).toBe(2.375);
    expectClose(mean.grad, [0, 0, -3 / 4, -1 / 4, 0, 0, 0, 0, 0], 0, 1e-15);
    expect(nllLossArray(input, [3, 3], target, { weight, reduction: 'sum' }).loss).toBe(9.5);
    const none = nllLossArray(input, [3, 3], target, { weight, reduction: 'none' });
    expect([...none.loss]).toEqual([9, 0.5, 0]);
    expectClose(none.grad, [0, 0, -3, -1, 0, 0, 0, 0, 0], 0, 0);
    // Without weights the mean is over the two non-ignored rows.
    expect(nllLossArray(input, [3, 3], target).loss).toBe(1.75);
  });

  it('all targets ignored with mean reduction gives 0 (PyTorch: NaN)', () => {
    const { loss, grad } = nllLossArray(input, [3, 3], [-100, -100, -100]);
    expect(loss).toBe(0);
    expect(grad.every((g) => g === 0)).toBe(true);
  });

  it('nll(logSoftmax(z)) equals crossEntropy(z) with the same weight / ignoreIndex / reduction', () => {
    const z = randomArray(20, 3);
    const t = [4, 0, -100, 2];
    for (const reduction of ['mean', 'sum'] as const) {
      const ce = crossEntropyArray(z, [4, 5], t, { weight: [1, 2, 3, 4, 5], reduction });
      const nll = nllLossArray(logSoftmaxArray(z, [4, 5]), [4, 5], t, { weight: [1, 2, 3, 4, 5], reduction });
      expect(nll.loss).toBeCloseTo(ce.loss, 14);
    }
  });

  it('float64 finite differences of ∂loss/∂input for every reduction (with gradOutput for none)', () => {
    const x = randomArray(12, 4);
    const up = randomArray(4, 5);
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const opts = { reduction, weight: [0.5, 1, 2], ignoreIndex: 1 };
      const t = [0, 1, 2, 2];
      const f = (v: Float64Array) => {
        const { loss } = nllLossArray(v, [4, 3], t, opts);
        return typeof loss === 'number' ? loss : [...loss].reduce((a, l, i) => a + l * up[i], 0);
      };
      const { grad } = nllLossArray(x, [4, 3], t, { ...opts, gradOutput: reduction === 'none' ? up : 1 });
      expectClose(grad, numericGradient(f, x), 1e-8, 1e-6);
    }
  });

  it('errors: out-of-range index, weight length, target count', () => {
    expect(() => nllLossArray(input, [3, 3], [0, 3, 1])).toThrow(
      expect.objectContaining({
        code: 'LOSS_TARGET_OUT_OF_RANGE',
        message:
          'nllLossArray: target[1] = 3 is out of range; valid class indices are integers in [0, 3) or ignoreIndex (-100)',
      }),
    );
    expect(() => nllLossArray(input, [3, 3], [0, 1, 2], { weight: [1] })).toThrow(
      /options.weight has length 1; it must have one weight per class \(3\)/,
    );
    expect(() => nllLossArray(input, [3, 3], [0, 1])).toThrow(/2 class indices but the input has 3 rows/);
  });
});

describe('nllLoss autograd op', () => {
  it('nllLoss(logSoftmax(z)) has the same value and gradient as the fused crossEntropy(z)', () => {
    const z = randomArray(12, 6);
    const t = Int32Array.from([1, -100, 3]);
    const a = new Tensor(Float64Array.from(z), [3, 4], { requiresGrad: true });
    const b = new Tensor(Float64Array.from(z), [3, 4], { requiresGrad: true });
    const composed = nllLoss(logSoftmax(a), t, { weight: [2, 1, 1, 3] });
    const fused = crossEntropy(b, t, { weight: [2, 1, 1, 3] });
    composed.backward();
    fused.backward();
    expect(composed.item()).toBeCloseTo(fused.item(), 14);
    expectClose(a.grad!.data, b.grad!.data, 1e-16, 1e-12);
  });

  it("reduction 'none' returns the leading shape; class indices may be a tensor", () => {
    const x = new Tensor(Float64Array.from([-1, -2, -3, -4]), [2, 1, 2], { requiresGrad: true });
    const out = nllLoss(x, new Tensor(Float64Array.from([1, 0]), [2, 1]), { reduction: 'none' });
    expect(out.shape).toEqual([2, 1]);
    expect([...out.data]).toEqual([2, 3]);
    out.backward(new Tensor(Float64Array.from([10, 20]), [2, 1]));
    expect([...x.grad!.data]).toEqual([0, -10, -20, 0]);
    expect(() => nllLoss(x, new Tensor(Float64Array.from([1, 0.5]), [2, 1]))).toThrow(
      expect.objectContaining({ code: 'LOSS_NON_INTEGER_TARGET' }),
    );
    expect(() => nllLoss(x, new Tensor(Float64Array.from([1, 0]), [2]))).toThrow(
      /target tensor shape \[2\] must be the input shape without the class axis, \[2, 1\]/,
    );
  });
});
