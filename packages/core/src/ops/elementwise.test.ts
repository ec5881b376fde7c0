import { describe, expect, test } from 'vitest';
import { tensor } from '../creation';
import { ValueError } from '../errors';
import { ShapeError } from '../shape-error';
import { randn64, testRng } from '../test-utils';
import { gradcheck } from '../testing';
import { add, div, mul, sub } from './elementwise';
import { mean, sum } from './reduce';
import { flatten, reshape } from './reshape';
import { exp, log, neg, relu, sigmoid, tanh } from './unary';

const rng = testRng(99);

describe('elementwise binary ops', () => {
  test('forward values with broadcasting', () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tensor([10, 20, 30]);
    expect(add(a, b).toArray()).toEqual([
      [11, 22, 33],
      [14, 25, 36],
    ]);
    expect(sub(a, tensor([[1], [2]])).toArray()).toEqual([
      [0, 1, 2],
      [2, 3, 4],
    ]);
    expect(mul(a, 2).toArray()).toEqual([
      [2, 4, 6],
      [8, 10, 12],
    ]);
    expect(div(tensor([1, 2]), tensor([[4], [8]])).toArray()).toEqual([
      [0.25, 0.5],
      [0.125, 0.25],
    ]);
    expect(add(tensor(1), tensor([1, 2])).toArray()).toEqual([2, 3]);
  });

  test('shape and dtype mismatches are typed errors', () => {
    expect(() => add(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(ShapeError);
    expect(() => add(tensor([1, 2]), tensor([1, 2], { dtype: 'float64' }))).toThrow(ValueError);
    expect(() => add([1, 2] as never, tensor([1]))).toThrow(ValueError);
    // messages name the op, the argument and what it got
    expect(() => add([1, 2] as never, tensor([1]))).toThrow('add: a must be a Tensor, got Array');
    expect(() => mul(tensor([1]), 'x' as never)).toThrow('mul: b must be a Tensor, got string "x"');
    expect(() => exp(null as never)).toThrow('exp: x must be a Tensor, got null');
    expect(() => add(tensor([1, 2]), tensor([1, 2], { dtype: 'float64' }))).toThrow(/float32 and float64/);
  });

  const cases: Array<[string, number[], number[]]> = [
    ['equal shapes', [2, 3], [2, 3]],
    ['row vector', [4, 3], [3]],
    ['column', [3, 1], [1, 4]],
    ['scalar tensor', [2, 3], []],
    ['batched', [2, 1, 3], [4, 1]],
    ['both broadcast', [1, 3, 1], [2, 1, 4]],
  ];
  for (const [name, sa, sb] of cases) {
    test(`gradcheck add/sub/mul/div, ${name}: ${JSON.stringify(sa)} with ${JSON.stringify(sb)}`, () => {
      const a = randn64(sa, rng);
      const b = randn64(sb, rng);
      for (let i = 0; i < b.size; i++) b.data[i] = 0.5 + Math.abs(b.data[i]); // keep division well-conditioned
      gradcheck((x, y) => add(x, y), [a, b]);
      gradcheck((x, y) => sub(x, y), [a, b]);
      gradcheck((x, y) => mul(x, y), [a, b]);
      gradcheck((x, y) => div(x, y), [a, b]);
    });
  }

  test('gradcheck with number operands', () => {
    const a = randn64([3, 2], rng);
    gradcheck((x) => add(x, 2), [a]);
    gradcheck((x) => sub(x, 2), [a]);
    gradcheck((x) => mul(x, -3), [a]);
    gradcheck((x) => div(x, 4), [a]);
  });
});

describe('unary ops', () => {
  test('forward values', () => {
    const x = tensor([-2, 0, 3], { dtype: 'float64' });
    expect(neg(x).toArray()).toEqual([2, -0, -3]);
    expect(relu(x).toArray()).toEqual([0, 0, 3]);
    expect(relu(tensor([Number.NaN])).item()).toBeNaN();
    expect(exp(x).toArray()).toEqual([Math.exp(-2), 1, Math.exp(3)]);
    expect(log(tensor([1, Math.E], { dtype: 'float64' })).toArray()).toEqual([0, 1]);
    expect(sigmoid(tensor([0, -1000, 1000])).toArray()).toEqual([0.5, 0, 1]);
    const s = sigmoid(tensor([1, -1, 2], { dtype: 'float64' })).toArray() as number[];
    [0.7310585786300049, 0.2689414213699951, 0.8807970779778823].forEach((v, i) => {
      expect(s[i]).toBeCloseTo(v, 15);
    });
    expect(tanh(tensor([0.5], { dtype: 'float64' })).item()).toBeCloseTo(0.46211715726000974, 15);
    expect(log(tensor([0, -1], { dtype: 'float64' })).toArray()).toEqual([
      Number.NEGATIVE_INFINITY,
      Number.NaN,
    ]);
    expect(tanh(x).toArray()).toEqual([Math.tanh(-2), 0, Math.tanh(3)]);
  });

  test('gradcheck', () => {
    const x = randn64([3, 4], rng);
    gradcheck(neg, [x]);
    gradcheck(exp, [x]);
    gradcheck(sigmoid, [x]);
    gradcheck(tanh, [x]);
    gradcheck(relu, [x]); // normal samples are never within eps of the kink
    const p = randn64([5], rng);
    for (let i = 0; i < p.size; i++) p.data[i] = 0.5 + Math.abs(p.data[i]);
    gradcheck(log, [p]);
  });

  test('relu gradient is 0 at 0 (PyTorch)', () => {
    const x = tensor([0, 1], { requiresGrad: true });
    sum(relu(x)).backward();
    expect(x.grad?.toArray()).toEqual([0, 1]);
  });

  test('relu special values: −0 → 0, −∞ → 0, ∞ → ∞, NaN → NaN; masked ∞/NaN gradients give 0', () => {
    const y = relu(tensor([-0, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, Number.NaN, -2, 2]));
    expect(Array.from(y.data)).toEqual([0, 0, Number.POSITIVE_INFINITY, Number.NaN, 0, 2]);
    expect(Object.is(y.data[0], 0)).toBe(true);
    expect(Object.is(y.data[4], 0)).toBe(true);
    const x = tensor([-1, -1, -1, 1, 1], { requiresGrad: true });
    relu(x).backward(tensor([Number.POSITIVE_INFINITY, Number.NaN, 3, Number.NEGATIVE_INFINITY, 5]));
    expect(Array.from(x.grad?.data ?? [])).toEqual([0, 0, 0, Number.NEGATIVE_INFINITY, 5]);
  });
});

describe('sum / mean / reshape / flatten', () => {
  const x = tensor(
    [
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [
        [7, 8],
        [9, 10],
        [11, 12],
      ],
    ],
    { dtype: 'float64' },
  );
  test('forward values', () => {
    expect(sum(x).item()).toBe(78);
    expect(sum(x).shape).toEqual([]);
    expect(sum(x, 0).toArray()).toEqual([
      [8, 10],
      [12, 14],
      [16, 18],
    ]);
    expect(sum(x, [0, 2]).toArray()).toEqual([18, 26, 34]);
    expect(sum(x, -1, true).shape).toEqual([2, 3, 1]);
    expect(mean(x, 1).toArray()).toEqual([
      [3, 4],
      [9, 10],
    ]);
    expect(mean(x).item()).toBe(6.5);
    // an empty axes list reduces everything, as torch.sum(x, dim=[]) (not NumPy's axis=())
    expect(sum(x, []).shape).toEqual([]);
    expect(sum(x, []).item()).toBe(78);
    expect(sum(x, [], true).shape).toEqual([1, 1, 1]);
    expect(mean(x, [], true).toArray()).toEqual([[[6.5]]]);
    expect(sum(x, null).item()).toBe(78);
    expect(sum(x, [-1, 0]).toArray()).toEqual([18, 26, 34]);
    expect(sum(tensor(5), []).item()).toBe(5);
    expect(mean(x, 2).toArray()).toEqual([
      [1.5, 3.5, 5.5],
      [7.5, 9.5, 11.5],
    ]);
    expect(flatten(x).shape).toEqual([2, 6]);
    expect(flatten(x, 0).shape).toEqual([12]);
    expect(reshape(x, [3, -1]).shape).toEqual([3, 4]);
  });

  test('bad axes are typed errors', () => {
    expect(() => sum(x, 3)).toThrow(ValueError);
    expect(() => sum(x, [0, 0])).toThrow(ValueError);
    expect(() => sum(x, [0, -3])).toThrow(/more than once/);
    expect(() => sum(x, -4)).toThrow(/\[-3, 2\].*got -4/);
    expect(() => mean(x, 'all' as never)).toThrow(ValueError);
    expect(() => flatten(x, 2, 1)).toThrow(ValueError);
  });

  test('gradcheck over several axes', () => {
    const t = randn64([2, 3, 4], rng);
    gradcheck((a) => sum(a), [t]);
    gradcheck((a) => sum(a, 1), [t]);
    gradcheck((a) => sum(a, [0, 2], true), [t]);
    gradcheck((a) => mean(a, -1), [t]);
    gradcheck((a) => mean(a, [0, 1]), [t]);
    gradcheck((a) => mul(flatten(a), reshape(a, [2, 12])), [t]);
  });
});
