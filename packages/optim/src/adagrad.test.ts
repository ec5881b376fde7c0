import { describe, expect, it } from 'vitest';
import { Adagrad, type AdagradOptions } from './adagrad';
import { OptimError } from './errors';
import { expectMatchesReference, makeParam, randomSequence } from './test-utils';

// Independent float64 reference of PyTorch's Adagrad (torch/optim/adagrad.py, _single_tensor_adagrad):
//   g ← −g if maximize; g ← g + wd·p; clr = lr / (1 + (t − 1)·lr_decay); sum ← sum + g²; p ← p − clr·g/(sqrt(sum) + eps)
function adagradReference(
  p0: number[],
  grads: number[][],
  o: Required<Omit<AdagradOptions, 'schedule'>>,
): number[][] {
  const p = [...p0];
  const sum = p.map(() => o.initialAccumulatorValue);
  const out: number[][] = [];
  grads.forEach((grad, index) => {
    const t = index + 1;
    const clr = o.lr / (1 + (t - 1) * o.lrDecay);
    for (let j = 0; j < p.length; j++) {
      let g = o.maximize ? -grad[j] : grad[j];
      if (o.weightDecay !== 0) g = g + o.weightDecay * p[j];
      sum[j] = sum[j] + g * g;
      p[j] = p[j] - (clr * g) / (Math.sqrt(sum[j]) + o.eps);
    }
    out.push([...p]);
  });
  return out;
}

const base = { lr: 0.1, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false };

describe("Adagrad matches the float64 reference of PyTorch's formula p ← p − lr/(1+(t−1)·lr_decay) · g/(sqrt(Σg²) + eps)", () => {
  it.each([
    ['defaults (eps 1e-10 outside the root)', base],
    ['lrDecay', { ...base, lrDecay: 0.05 }],
    ['initialAccumulatorValue 0.1 (TensorFlow.js default)', { ...base, initialAccumulatorValue: 0.1 }],
    ['weightDecay + maximize + large eps', { ...base, weightDecay: 0.2, maximize: true, eps: 0.3 }],
  ] as [string, typeof base][])('%s, step by step (float64 to 1e-13, float32 to 1e-5)', (_, o) => {
    const grads = randomSequence(11, 25, 4, -3, 3);
    const p0 = [1, -0.5, 0.25, 3];
    const expected = adagradReference(p0, grads, o);
    expectMatchesReference((params) => new Adagrad(params, o), p0, grads, expected, {
      float64: 1e-13,
      float32: 1e-5,
    });
  });

  it("has PyTorch's defaults: lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10", () => {
    const opt = new Adagrad([makeParam([1])]);
    const { params: _, schedule: __, ...h } = opt.paramGroups[0];
    expect(h).toEqual({
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    });
  });

  it.each([
    [{ lr: -1 }, /Adagrad: lr = -1 is invalid; expected a finite number >= 0/],
    [{ lrDecay: -0.1 }, /Adagrad: lrDecay = -0\.1 is invalid; expected a finite number >= 0/],
    [{ eps: -1e-10 }, /Adagrad: eps = -1e-10 is invalid; expected a finite number >= 0/],
    [{ weightDecay: -2 }, /Adagrad: weightDecay = -2 is invalid/],
    [{ initialAccumulatorValue: -0.1 }, /Adagrad: initialAccumulatorValue = -0\.1 is invalid/],
  ] as [AdagradOptions, RegExp][])('rejects %o with a typed error', (o, message) => {
    expect(() => new Adagrad([makeParam([1])], o)).toThrow(OptimError);
    expect(() => new Adagrad([makeParam([1])], o)).toThrow(message);
  });
});
