import { Tensor } from '@hw3/core';
import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropyWithLogits,
  binaryCrossEntropyWithLogitsArray,
} from './binary-cross-entropy-with-logits.js';
import { expectClose, numericGradient, randomArray } from './test-helpers.js';

/** PyTorch's definition, naively: −w·[p·y·log σ(x) + (1 − y)·log(1 − σ(x))] (moderate x only). */
function naiveBce(x: number, y: number, w = 1, p = 1): number {
  const s = 1 / (1 + Math.exp(-x));
  return -w * (p * y * Math.log(s) + (1 - y) * Math.log(1 - s));
}

describe('binaryCrossEntropyWithLogitsArray', () => {
  it('equals the definition −[y·log σ(x) + (1 − y)·log(1 − σ(x))] and its gradient σ(x) − y', () => {
    const x = Float64Array.from([0, 2, -3, 0.5, -0.25, 4]);
    const y = [1, 0, 1, 0.3, 0.9, 0.5];
    const { loss, grad } = binaryCrossEntropyWithLogitsArray(x, [6], y, { reduction: 'none' });
    expect(loss[0]).toBeCloseTo(Math.LN2, 15);
    for (let k = 0; k < 6; k++) {
      expect(loss[k]).toBeCloseTo(naiveBce(x[k], y[k]), 13);
      expect(grad[k]).toBeCloseTo(1 / (1 + Math.exp(-x[k])) - y[k], 15);
    }
  });

  it('posWeight (per class, last axis) and weight (broadcast over trailing dims) follow PyTorch', () => {
    const x = Float64Array.from([0.3, -1, 2, 1.5, 0, -0.7]);
    const y = [1, 0, 0.5, 0, 1, 1];
    const posWeight = [2, 0.5, 3];
    const weight = [1.5, 0.25, 1];
    const { loss } = binaryCrossEntropyWithLogitsArray(x, [2, 3], y, {
      posWeight,
      weight,
      reduction: 'none',
    });
    for (let k = 0; k < 6; k++)
      expect(loss[k]).toBeCloseTo(naiveBce(x[k], y[k], weight[k % 3], posWeight[k % 3]), 13);
    const mean = binaryCrossEntropyWithLogitsArray(x, [2, 3], y, { posWeight, weight });
    expect(mean.loss).toBeCloseTo([...loss].reduce((a, b) => a + b, 0) / 6, 14);
    // A per-element weight ([2, 3]) and a scalar weight ([1]) broadcast too.
    const full = binaryCrossEntropyWithLogitsArray(x, [2, 3], y, { weight: [1.5, 0.25, 1, 1.5, 0.25, 1] });
    const perClass = binaryCrossEntropyWithLogitsArray(x, [2, 3], y, { weight });
    expect(full.loss).toBe(perClass.loss);
    const scalar = binaryCrossEntropyWithLogitsArray(x, [2, 3], y, { weight: [2], reduction: 'sum' });
    const plain = binaryCrossEntropyWithLogitsArray(x, [2, 3], y, { reduction: 'sum' });
    expect(scalar.loss).toBeCloseTo(2 * plain.loss, 14);
  });

  it.each([
    ['float32', Float32Array],
    ['float64', Float64Array],
  ] as const)('stable for logits ±1e4 (%s): finite loss, gradient ±1', (_name, Ctor) => {
    const x = Ctor.from([1e4, -1e4, 1e4, -1e4]);
    const { loss, grad } = binaryCrossEntropyWithLogitsArray(x, [4], [0, 1, 1, 0], {
      reduction: 'none',
      posWeight: [3],
    });
    expect([...loss]).toEqual([1e4, 3e4, 0, 0]);
    expect([...grad]).toEqual([1, -3, 0, 0]);
  });

  it('float64 finite differences with weight, posWeight and every reduction', () => {
    const x = randomArray(12, 1, -4, 4);
    const y = randomArray(12, 2, 0, 1);
    const up = randomArray(12, 3);
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const opts = { reduction, weight: [0.5, 2, 1, 1.5], posWeight: [3, 0.5, 1, 2] };
      const f = (v: Float64Array) => {
        const { loss } = binaryCrossEntropyWithLogitsArray(v, [3, 4], y, opts);
        return typeof loss === 'number' ? loss : [...loss].reduce((a, l, i) => a + l * up[i], 0);
      };
      const { grad } = binaryCrossEntropyWithLogitsArray(x, [3, 4], y, {
        ...opts,
        gradOutput: reduction === 'none' ? up : 1,
      });
      expectClose(grad, numericGradient(f, x), 1e-8, 1e-6);
    }
  });

  it('errors: weight that does not broadcast, target length', () => {
    const x = new Float64Array(6);
    expect(() =>
      binaryCrossEntropyWithLogitsArray(x, [2, 3], new Float64Array(6), { posWeight: [1, 2] }),
    ).toThrow(
      expect.objectContaining({
        code: 'LOSS_SHAPE_MISMATCH',
        message:
          'binaryCrossEntropyWithLogitsArray: options.posWeight has length 2; it must broadcast over the trailing dims of [2, 3]: valid lengths 1, 3, 6',
      }),
    );
    expect(() => binaryCrossEntropyWithLogitsArray(x, [2, 3], [0, 1])).toThrow(
      /target has 2 entries but 6 are needed/,
    );
  });
});

describe('binaryCrossEntropyWithLogits autograd op', () => {
  it('value and gradients equal the array form; target gradient w·(−x + (p − 1)·softplus(−x))', () => {
    const xs = randomArray(6, 7);
    const ys = randomArray(6, 8, 0, 1);
    const x = new Tensor(Float64Array.from(xs), [2, 3], { requiresGrad: true });
    const y = new Tensor(Float64Array.from(ys), [2, 3], { requiresGrad: true });
    const opts = { posWeight: new Tensor(Float64Array.from([2, 1, 0.5]), [3]), weight: [1, 3, 2] };
    const loss = binaryCrossEntropyWithLogits(x, y, opts);
    loss.backward();
    const ref = binaryCrossEntropyWithLogitsArray(xs, [2, 3], ys, opts);
    expect(loss.item()).toBe(ref.loss);
    expectClose(x.grad!.data, ref.grad, 0, 0);
    const f = (v: Float64Array) => binaryCrossEntropyWithLogitsArray(xs, [2, 3], v, opts).loss;
    expectClose(y.grad!.data, numericGradient(f, ys), 1e-8, 1e-6);
  });

  it('keeps its own copies of weight / posWeight Tensors and arrays: changing them before backward() is harmless', () => {
    const xs = randomArray(6, 9);
    const ys = randomArray(6, 10, 0, 1);
    const expected = binaryCrossEntropyWithLogitsArray(xs, [2, 3], ys, {
      weight: [1, 3, 2],
      posWeight: [2, 1, 0.5],
    }).grad;
    const posWeight = new Tensor(Float64Array.from([2, 1, 0.5]), [3]);
    const weight = Float64Array.from([1, 3, 2]);
    const x = new Tensor(Float64Array.from(xs), [2, 3], { requiresGrad: true });
    const loss = binaryCrossEntropyWithLogits(x, Float64Array.from(ys), { weight, posWeight });
    posWeight.data.fill(9);
    weight.fill(9);
    loss.backward();
    expectClose(x.grad!.data, expected, 0, 0);
  });
});
