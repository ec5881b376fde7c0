import { noGrad, Tensor, ValueError } from '@hw3/core';
import { gradcheck } from '@hw3/core/testing';
import { describe, expect, it } from 'vitest';
import { batchNorm } from './batch-norm';
import { maxRelativeError, randomArray } from './test-utils';

function t64(values: Float64Array, shape: readonly number[], requiresGrad = true): Tensor {
  return new Tensor(values, shape, { requiresGrad });
}

const SHAPES: readonly (readonly number[])[] = [
  [5, 3],
  [3, 4, 2],
  [2, 3, 3, 2],
];

describe.each(SHAPES.map((s) => [`[${s.join(', ')}]`, s] as const))(
  'batchNorm op, x of shape %s',
  (_, shape) => {
    const channels = shape[shape.length - 1];
    const size = shape.reduce((a, b) => a * b, 1);

    it('float64 gradcheck w.r.t. x, γ, β in training mode', () => {
      const x = t64(randomArray(size, 1, 0.5, 2), shape);
      const weight = t64(randomArray(channels, 2, 1, 0.5), [channels]);
      const bias = t64(randomArray(channels, 3), [channels]);
      gradcheck((xi, w, b) => batchNorm(xi, { weight: w, bias: b, training: true }), [x, weight, bias], {
        atol: 1e-7,
        rtol: 1e-5,
      });
    });

    it('float64 gradcheck w.r.t. x, γ, β in eval mode (running statistics)', () => {
      const x = t64(randomArray(size, 4), shape);
      const weight = t64(randomArray(channels, 5, 1, 0.5), [channels]);
      const bias = t64(randomArray(channels, 6), [channels]);
      const runningMean = t64(randomArray(channels, 7), [channels], false);
      const runningVar = t64(
        randomArray(channels, 8).map((v) => 0.5 + v * v),
        [channels],
        false,
      );
      gradcheck(
        (xi, w, b) => batchNorm(xi, { weight: w, bias: b, runningMean, runningVar, training: false }),
        [x, weight, bias],
        { atol: 1e-7, rtol: 1e-5 },
      );
    });

    it('float64 gradcheck w.r.t. x without affine parameters, and with only β', () => {
      const x = t64(randomArray(size, 9, -1, 3), shape);
      gradcheck((xi) => batchNorm(xi, { training: true }), [x], { atol: 1e-7, rtol: 1e-5 });
      const bias = t64(randomArray(channels, 10), [channels]);
      gradcheck((xi, b) => batchNorm(xi, { bias: b, training: true }), [x, bias], { atol: 1e-7, rtol: 1e-5 });
    });
  },
);

describe('batchNorm op', () => {
  it('float32 output and gradients match the float64 op', () => {
    const shape = [4, 3, 3, 5];
    const xs = randomArray(180, 11);
    const ws = randomArray(5, 12, 1, 0.3);
    const run = (dtype: 'float32' | 'float64') => {
      const make = (a: Float64Array, s: number[]) =>
        new Tensor(dtype === 'float32' ? Float32Array.from(a) : a.slice(), s, { requiresGrad: true });
      const x = make(xs, shape);
      const w = make(ws, [5]);
      const y = batchNorm(x, { weight: w, training: true });
      const dy = dtype === 'float32' ? Float32Array.from(randomArray(180, 13)) : randomArray(180, 13);
      y.backward(new Tensor(dy, shape));
      return { y: y.data, dx: x.grad!.data, dw: w.grad!.data };
    };
    const a = run('float32');
    const b = run('float64');
    expect(a.y).toBeInstanceOf(Float32Array);
    expect(maxRelativeError(a.y, b.y)).toBeLessThan(1e-6);
    expect(maxRelativeError(a.dx, b.dx)).toBeLessThan(1e-5);
    expect(maxRelativeError(a.dw, b.dw)).toBeLessThan(1e-5);
  });

  it('updates the running statistics in place in training mode, also under noGrad', () => {
    const runningMean = new Tensor(new Float32Array(1), [1]);
    const runningVar = new Tensor(Float32Array.of(1), [1]);
    const x = new Tensor(Float32Array.of(1, 2, 3, 4), [4, 1]);
    noGrad(() => batchNorm(x, { runningMean, runningVar, training: true, momentum: 0.1 }));
    expect(runningMean.data[0]).toBeCloseTo(0.25, 6); // 0.1 · 2.5
    expect(runningVar.data[0]).toBeCloseTo(0.9 + 0.5 / 3, 6); // 0.9 · 1 + 0.1 · 5/3
    batchNorm(x, { runningMean, runningVar, training: false });
    expect(runningMean.data[0]).toBeCloseTo(0.25, 6);
  });

  it('constant input (σ² = 0): finite output (= β) and finite gradients, float64 gradcheck passes', () => {
    const x = t64(new Float64Array(2 * 2 * 2 * 3).fill(4.5), [2, 2, 2, 3]);
    const weight = t64(Float64Array.of(1, 2, -1), [3]);
    const bias = t64(Float64Array.of(0.5, 0, -0.5), [3]);
    const y = batchNorm(x, { weight, bias, training: true });
    expect(Array.from(y.data.slice(0, 3))).toEqual([0.5, 0, -0.5]);
    y.backward(new Tensor(randomArray(24, 40), [2, 2, 2, 3]));
    for (const t of [x, weight, bias]) expect(t.grad!.data.every(Number.isFinite)).toBe(true);
    gradcheck((xi, w, b) => batchNorm(xi, { weight: w, bias: b, training: true }), [x, weight, bias], {
      atol: 1e-6,
      rtol: 1e-4,
    });
  });

  it('skips the input gradient when x does not require grad, still giving ∂l/∂γ and ∂l/∂β', () => {
    const xs = randomArray(12, 41);
    const dy = randomArray(12, 42);
    const run = (requiresGrad: boolean) => {
      const x = t64(xs.slice(), [4, 3], requiresGrad);
      const weight = t64(Float64Array.of(1, 2, 3), [3]);
      const bias = t64(new Float64Array(3), [3]);
      batchNorm(x, { weight, bias, training: true }).backward(new Tensor(dy.slice(), [4, 3]));
      return { x, weight, bias };
    };
    const a = run(false);
    const b = run(true);
    expect(a.x.grad).toBeNull();
    expect(b.x.grad).not.toBeNull();
    expect(Array.from(a.weight.grad!.data)).toEqual(Array.from(b.weight.grad!.data));
    expect(Array.from(a.bias.grad!.data)).toEqual(Array.from(b.bias.grad!.data));
  });

  it('rejects mismatched parameters with a typed error naming argument and value', () => {
    const x = new Tensor(new Float32Array(12), [4, 3]);
    const w2 = new Tensor(new Float32Array(2), [2]);
    expect(() => batchNorm(x, { weight: w2, training: true })).toThrow(ValueError);
    expect(() => batchNorm(x, { weight: w2, training: true })).toThrow(
      /weight must have shape \[3\].*got \[2\]/,
    );
    const w64 = new Tensor(new Float64Array(3), [3]);
    expect(() => batchNorm(x, { bias: w64, training: true })).toThrow(
      /bias must have the dtype of x \(float32\), got float64/,
    );
    expect(() => batchNorm(x)).toThrow(/runningMean and runningVar are required when training is false/);
    expect(() => batchNorm(new Tensor(new Float32Array(3), [3]), { training: true })).toThrow(
      /x must have rank/,
    );
    expect(() => batchNorm(new Tensor(new Float32Array(3), [1, 3]), { training: true })).toThrow(
      /Expected more than 1 value per channel when training/,
    );
  });
});

describe('junk arguments are typed errors, not TypeErrors (found by apps/fuzz)', () => {
  it('options that are not an object; an x that String() cannot print', () => {
    const x = new Tensor(new Float64Array(6), [2, 3]);
    expect(() => batchNorm(x, null as never)).toThrow(/options must be an object, got null/);
    expect(() => batchNorm(Object.create(null) as never)).toThrow(/x must be a Tensor, got object/);
    expect(() => batchNorm(Object.create(null) as never)).toThrow(ValueError);
  });
});
