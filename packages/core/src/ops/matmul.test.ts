import { describe, expect, test } from 'vitest';
import { tensor } from '../creation';
import { ValueError } from '../errors';
import { ShapeError } from '../shape-error';
import { randn64, testRng } from '../test-utils';
import { gradcheck } from '../testing';
import { linear } from './linear';
import { matmul } from './matmul';
import { transpose } from './transpose';

const rng = testRng(7);

/** Naive reference: C[i][j] = Σ_p A[i][p]·B[p][j] for one matrix pair. */
function naive(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, p) => s + v * b[p][j], 0)));
}

describe('matmul', () => {
  test('2-d forward by hand', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const b = tensor([
      [1, 0, -1],
      [2, 1, 0],
    ]);
    expect(matmul(a, b).toArray()).toEqual([
      [5, 2, -1],
      [11, 4, -3],
      [17, 6, -5],
    ]);
  });

  test('batched and broadcast forward equals per-batch naive products', () => {
    const a = randn64([2, 3, 4, 5], rng, false);
    const b = randn64([3, 5, 2], rng, false);
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 3, 4, 2]);
    const A = a.toArray() as number[][][][];
    const B = b.toArray() as number[][][];
    const C = c.toArray() as number[][][][];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++) {
        const ref = naive(A[i][j], B[j]);
        for (let r = 0; r < 4; r++)
          for (let q = 0; q < 2; q++) expect(C[i][j][r][q]).toBeCloseTo(ref[r][q], 12);
      }
  });

  test('gradcheck: 2-d, batched, shared 2-d rhs, broadcast batch dims', () => {
    gradcheck(matmul, [randn64([3, 4], rng), randn64([4, 2], rng)]);
    gradcheck(matmul, [randn64([2, 3, 4], rng), randn64([2, 4, 5], rng)]);
    gradcheck(matmul, [randn64([2, 3, 4], rng), randn64([4, 5], rng)]);
    gradcheck(matmul, [randn64([3, 4], rng), randn64([2, 4, 5], rng)]);
    gradcheck(matmul, [randn64([2, 1, 3, 4], rng), randn64([1, 3, 4, 2], rng)]);
  });

  test('typed errors', () => {
    expect(() => matmul(tensor([[1, 2]]), tensor([[1, 2]]))).toThrow(ShapeError);
    expect(() => matmul(tensor([1, 2]), tensor([[1], [2]]))).toThrow(/rank >= 2/);
    expect(() => matmul(tensor([[1]]), tensor([[1]], { dtype: 'float64' }))).toThrow(ValueError);
    expect(() => matmul(randn64([2, 2, 2], rng), randn64([3, 2, 2], rng))).toThrow(ShapeError);
  });
});

describe('transpose', () => {
  test('forward', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(transpose(x).toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    const y = tensor([1, 2, 3, 4, 5, 6, 7, 8], { shape: [2, 2, 2] });
    expect(transpose(y, 0, 2).toArray()).toEqual([
      [
        [1, 5],
        [3, 7],
      ],
      [
        [2, 6],
        [4, 8],
      ],
    ]);
    expect(() => transpose(tensor([1, 2]))).toThrow(ValueError);
  });
  test('gradcheck', () => {
    gradcheck((t) => transpose(t), [randn64([3, 4], rng)]);
    gradcheck((t) => transpose(t, 0, 2), [randn64([2, 3, 4], rng)]);
    gradcheck((t) => transpose(t, 1, -1), [randn64([2, 3, 4, 2], rng)]);
  });
});

describe('linear', () => {
  test('forward y = x·Wᵀ + b by hand', () => {
    const x = tensor([[1, 2]]);
    const w = tensor([
      [1, 1],
      [2, -1],
      [0, 3],
    ]);
    const b = tensor([0.5, 0, -1]);
    expect(linear(x, w, b).toArray()).toEqual([[3.5, 0, 5]]);
    expect(linear(x, w).toArray()).toEqual([[3, 0, 6]]);
  });
  test('gradcheck with and without bias, 2-d and 3-d input', () => {
    gradcheck(linear, [randn64([4, 3], rng), randn64([5, 3], rng), randn64([5], rng)]);
    gradcheck((x, w) => linear(x, w), [randn64([2, 4, 3], rng), randn64([2, 3], rng)]);
  });
  test('typed errors', () => {
    expect(() => linear(randn64([2, 3], rng), randn64([4, 2], rng))).toThrow(ShapeError);
    expect(() => linear(randn64([2, 3], rng), randn64([4, 3], rng), randn64([3], rng))).toThrow(ShapeError);
    expect(() => linear(randn64([2, 3], rng), randn64([4, 3, 1], rng))).toThrow(ShapeError);
  });
});

describe('linear with zero input features (found by apps/fuzz)', () => {
  test('x [..., 0] gives the bias broadcast over the rows (PyTorch), with gradients of the input shapes', () => {
    const x = tensor([[], [], []], { dtype: 'float64', requiresGrad: true }); // [3, 0]
    const w = tensor([[], []], { dtype: 'float64', requiresGrad: true }); // [2, 0]
    const b = tensor([1.5, -2], { dtype: 'float64', requiresGrad: true });
    const y = linear(x, w, b);
    expect(y.shape).toEqual([3, 2]);
    expect(y.toArray()).toEqual([
      [1.5, -2],
      [1.5, -2],
      [1.5, -2],
    ]);
    y.backward(
      tensor(
        [
          [1, 1],
          [1, 1],
          [1, 1],
        ],
        { dtype: 'float64' },
      ),
    );
    expect(x.grad?.shape).toEqual([3, 0]);
    expect(w.grad?.shape).toEqual([2, 0]);
    expect(b.grad?.toArray()).toEqual([3, 3]);
    // 1-d x [0]
    expect(linear(tensor([], { dtype: 'float64' }), w, b).toArray()).toEqual([1.5, -2]);
  });
});
