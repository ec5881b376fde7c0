import { describe, expect, test } from 'vitest';
import { full, normal, ones, onesLike, tensor, uniform, zeros, zerosLike } from './creation';
import { defineOp } from './define-op';
import { ValueError } from './errors';
import { Linear } from './nn/linear';
import { add, mul } from './ops/elementwise';
import { sum } from './ops/reduce';
import { exp } from './ops/unary';
import { ShapeError } from './shape-error';
import { enableGrad, isGradEnabled, noGrad, Tensor } from './tensor';

describe('Tensor', () => {
  test('constructor takes ownership, infers dtype, validates size', () => {
    const d = new Float64Array([1, 2, 3, 4, 5, 6]);
    const t = new Tensor(d, [2, 3]);
    expect(t.data).toBe(d);
    expect(t.dtype).toBe('float64');
    expect(t.size).toBe(6);
    expect(t.ndim).toBe(2);
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(new Tensor(new Float32Array(1), []).dtype).toBe('float32');
    expect(() => new Tensor(new Float32Array(5), [2, 3])).toThrow(ShapeError);
    expect(() => new Tensor([1, 2] as unknown as Float32Array, [2])).toThrow(ValueError);
    expect(() => new Tensor(new Float32Array(2), [2, -1])).toThrow(/non-negative integer/);
  });

  test('tensor() infers shapes from nested arrays and rejects ragged ones', () => {
    expect(tensor(3).shape).toEqual([]);
    expect(tensor(3).item()).toBe(3);
    expect(tensor([[1, 2, 3]]).shape).toEqual([1, 3]);
    expect(tensor([1, 2, 3, 4], { shape: [2, 2], dtype: 'float64' }).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(() => tensor([[1, 2], [3]])).toThrow(ValueError);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(ShapeError);
    const src = new Float64Array([1, 2]);
    const t = tensor(src);
    expect(t.data).not.toBe(src);
    expect(t.dtype).toBe('float64');
    expect(tensor(src, { dtype: 'float32' }).dtype).toBe('float32');
    expect(() => zeros([2], { dtype: 'int32' as 'float32' })).toThrow(ValueError);
  });

  test('reshape with -1, shares data, and errors', () => {
    const t = tensor([1, 2, 3, 4, 5, 6]);
    const r = t.reshape([-1, 2]);
    expect(r.shape).toEqual([3, 2]);
    expect(r.data).toBe(t.data);
    expect(() => t.reshape([4, -1])).toThrow(ShapeError);
    expect(() => t.reshape([-1, -1])).toThrow(ValueError);
    expect(() => t.reshape([5])).toThrow(ShapeError);
  });

  test('item() needs one element', () => {
    expect(() => zeros([2]).item()).toThrow(ValueError);
  });
});

describe('autograd', () => {
  test('scalar backward accumulates into leaves', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true, dtype: 'float64' });
    const y = sum(mul(x, x));
    y.backward();
    expect(x.grad?.toArray()).toEqual([2, 4, 6]);
    sum(mul(x, 3)).backward();
    expect(x.grad?.toArray()).toEqual([5, 7, 9]); // accumulated
  });

  test('a tensor used twice gets both contributions (topological order)', () => {
    const x = tensor([2], { requiresGrad: true, dtype: 'float64' });
    const a = mul(x, x); // x²
    const b = add(a, x); // x² + x
    const c = mul(b, a); // (x² + x)·x²  -> d/dx = (2x+1)x² + (x²+x)2x = 20 + 24 = 44 at x=2
    c.backward();
    expect(x.grad?.item()).toBeCloseTo(44, 12);
  });

  test('non-scalar backward needs a gradient of the same shape', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = mul(x, 2);
    expect(() => y.backward()).toThrow(ValueError);
    try {
      y.backward();
    } catch (e) {
      expect((e as ValueError).code).toBe('NON_SCALAR_BACKWARD');
    }
    expect(() => y.backward(tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => y.backward(tensor([1, 2], { dtype: 'float64' }))).toThrow(ValueError);
    y.backward(tensor([10, 100]));
    expect(x.grad?.toArray()).toEqual([20, 200]);
  });

  test('backward on a tensor without grad throws', () => {
    expect(() => ones([1]).backward()).toThrow(/does not require grad/);
  });

  test('noGrad stops recording; detach cuts the graph', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return mul(x, 2);
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const d = x.detach();
    expect(d.data).toBe(x.data);
    expect(d.requiresGrad).toBe(false);
    const z = sum(mul(d, x));
    z.backward();
    expect(x.grad?.toArray()).toEqual([1, 2]);
  });

  test('reshape is differentiable', () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    sum(
      mul(
        x.reshape([2, 2]),
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).backward();
    expect(x.grad?.toArray()).toEqual([1, 2, 3, 4]);
    expect(x.grad?.shape).toEqual([4]);
  });
});

describe('autograd edge cases (PyTorch semantics unless noted)', () => {
  test('diamond graph: both paths are summed into the shared input', () => {
    // c = e^x · 3x;  dc/dx = 3e^x + 3x·e^x
    const x = tensor([0.5, -1], { requiresGrad: true, dtype: 'float64' });
    sum(mul(exp(x), mul(x, 3))).backward();
    const g = x.grad?.toArray() as number[];
    expect(g[0]).toBeCloseTo(3 * Math.exp(0.5) * 1.5, 12);
    expect(g[1]).toBeCloseTo(0, 12);
  });

  test('the same tensor as both operands of one op gets both gradients', () => {
    const x = tensor([3], { requiresGrad: true, dtype: 'float64' });
    sum(mul(x, x)).backward();
    expect(x.grad?.item()).toBe(6);
  });

  test('backward twice: the graph is kept (as retain_graph=True), so gradients accumulate twice', () => {
    // Documented difference: PyTorch frees the graph after the first backward and raises on the second.
    const x = tensor([1, 2], { requiresGrad: true, dtype: 'float64' });
    const y = sum(mul(x, x));
    y.backward();
    expect(x.grad?.toArray()).toEqual([2, 4]);
    y.backward();
    expect(x.grad?.toArray()).toEqual([4, 8]);
  });

  test('non-leaf tensors get no .grad (no retain_grad), leaves do; backward from a leaf', () => {
    const x = tensor([1, 2], { requiresGrad: true, dtype: 'float64' });
    const h = mul(x, 2);
    expect(h.isLeaf).toBe(false);
    sum(h).backward();
    expect(h.grad).toBeNull();
    expect(x.grad?.toArray()).toEqual([2, 2]);
    const s = tensor(4, { requiresGrad: true });
    s.backward();
    expect(s.grad?.item()).toBe(1);
  });

  test('backward from an intermediate tensor with an explicit gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true, dtype: 'float64' });
    const h = mul(x, x);
    sum(h); // a consumer that is never backpropagated does not matter
    h.backward(tensor([1, 10], { dtype: 'float64' }));
    expect(x.grad?.toArray()).toEqual([2, 40]);
  });

  test('requiresGrad propagates from any input; not from none; inputs without it get no grad', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2]);
    expect(add(a, b).requiresGrad).toBe(true);
    expect(add(b, a).requiresGrad).toBe(true);
    expect(add(b, b).requiresGrad).toBe(false);
    expect(add(b, b).gradFn).toBeNull();
    sum(mul(a, b)).backward();
    expect(b.grad).toBeNull();
    expect(a.grad?.item()).toBe(2);
  });

  test('enableGrad inside noGrad records again; nesting restores the outer state', () => {
    const x = tensor([1], { requiresGrad: true });
    const [inner, after] = noGrad(() => {
      const r = enableGrad(() => mul(x, 2));
      return [r, mul(x, 2)];
    });
    expect(inner.requiresGrad).toBe(true);
    expect(after.requiresGrad).toBe(false);
    expect(isGradEnabled()).toBe(true);
  });

  test('an exception inside backward leaves grad recording enabled', () => {
    const boom = defineOp({
      name: 'boom',
      forward(_ctx, [x]) {
        return new Tensor(x.data.slice(), x.shape);
      },
      backward() {
        throw new Error('boom');
      },
    });
    const x = tensor([1], { requiresGrad: true });
    expect(() => sum(boom([x])).backward()).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  test('a backward returning one tensor for two inputs: later contributions do not leak between them', () => {
    // u = twin(a, b) = a + b with backward [g, g] (the same object). u gets two contributions (2 + 3), so
    // its gradient buffer is one the engine summed itself; a then gets 7 more and b 0 more. Adding a's 7
    // in place into the shared buffer used to give b 12 instead of 5.
    const twin = defineOp({
      name: 'twin',
      forward(_ctx, [a, b]) {
        return new Tensor(
          a.data.map((v, i) => v + b.data[i]),
          a.shape,
        );
      },
      backward(_ctx, g) {
        return [g, g];
      },
    });
    const a = tensor([1], { requiresGrad: true, dtype: 'float64' });
    const b = tensor([1], { requiresGrad: true, dtype: 'float64' });
    const u = twin([a, b]);
    const extra = add(mul(b, 0), mul(a, 7)); // visited first, so processed after u
    add(sum(extra), add(sum(mul(u, 2)), sum(mul(u, 3)))).backward();
    expect(a.grad?.item()).toBe(12);
    expect(b.grad?.item()).toBe(5);
  });

  test('backward with a non-Tensor gradient is a typed error', () => {
    const y = mul(tensor([1, 2], { requiresGrad: true }), 2);
    expect(() => y.backward([1, 1] as never)).toThrow(ValueError);
    expect(() => y.backward([1, 1] as never)).toThrow('backward: gradient must be a Tensor, got Array');
  });
});

describe('defineOp', () => {
  // y = x³, ∂x = 3x²·g
  const cube = defineOp({
    name: 'cube',
    forward(ctx, [x]) {
      ctx.save(x);
      const out = new Float64Array(x.size);
      for (let i = 0; i < x.size; i++) out[i] = x.data[i] ** 3;
      return new Tensor(out, x.shape);
    },
    backward(ctx, g) {
      const x = ctx.saved[0] as Tensor;
      const out = new Float64Array(x.size);
      for (let i = 0; i < x.size; i++) out[i] = 3 * x.data[i] ** 2 * g.data[i];
      return [new Tensor(out, x.shape)];
    },
  });

  test('custom op forward/backward and needsInputGrad', () => {
    const x = tensor([1, 2], { requiresGrad: true, dtype: 'float64' });
    const y = cube([x]);
    expect(y.toArray()).toEqual([1, 8]);
    expect(y.gradFn?.name).toBe('cube');
    sum(y).backward();
    expect(x.grad?.toArray()).toEqual([3, 12]);
    const seen: boolean[][] = [];
    const probe = defineOp<[number]>({
      name: 'probe',
      forward(ctx, [a], k) {
        seen.push([...ctx.needsInputGrad]);
        return new Tensor(
          a.data.map((v) => v * k),
          a.shape,
        );
      },
      backward: (_ctx, g) => [g, null],
    });
    probe([x, tensor([1], { dtype: 'float64' })], 2);
    noGrad(() => probe([x, x], 2));
    expect(seen).toEqual([
      [true, false],
      [false, false],
    ]);
  });

  test('backward returning the wrong number or shape of gradients is a typed error', () => {
    const bad = defineOp({
      name: 'bad',
      forward: (_ctx, [a]) => new Tensor(a.data.slice(), a.shape),
      backward: (_ctx, _g) => [new Tensor(new Float32Array(1), [1])],
    });
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => sum(bad([x])).backward()).toThrow(ShapeError);
    const wrongCount = defineOp({
      name: 'wrongCount',
      forward: (_ctx, [a]) => new Tensor(a.data.slice(), a.shape),
      backward: () => [],
    });
    expect(() => sum(wrongCount([x])).backward()).toThrow(/one entry per input/);
  });

  test('a forward returning its input does not rewrite the input graph node', () => {
    const identity = defineOp({
      name: 'identity',
      forward: (_ctx, [a]) => a,
      backward: (_ctx, g) => [g],
    });
    const x = tensor([1, 2], { requiresGrad: true });
    const y = identity([x]);
    expect(y).not.toBe(x);
    expect(x.gradFn).toBeNull();
    sum(y).backward();
    expect(x.grad?.toArray()).toEqual([1, 1]);
  });
});

describe('huge shapes are refused before allocating (found by apps/fuzz)', () => {
  test.each([[[1e6, 1e6]], [[2 ** 20, 2 ** 20, 2 ** 20]], [[2 ** 53]], [[1e300]]])(
    '%j: a ValueError naming the shape, not a RangeError',
    (shape) => {
      for (const make of [
        () => zeros(shape),
        () => ones(shape),
        () => full(shape, 1),
        () => uniform(shape, 0, 1),
        () => normal(shape, 0, 1),
        () => tensor([1], { shape }),
        () => new Linear(shape[0], shape[1] ?? 2 ** 33),
      ]) {
        expect(make).toThrow(ValueError);
        expect(make).toThrow(/at most 2\^32 − 1/);
      }
    },
  );
});

describe('zerosLike / onesLike of a non-tensor (found by apps/fuzz)', () => {
  test.each([undefined, null, [1, 2], 3])('%j is a ValueError naming t, not a TypeError', (bad) => {
    expect(() => zerosLike(bad as never)).toThrow(/zerosLike: t must be a Tensor/);
    expect(() => onesLike(bad as never)).toThrow(/onesLike: t must be a Tensor/);
    expect(() => onesLike(bad as never)).toThrow(ValueError);
  });
});

describe('noGrad / enableGrad without a function (found by apps/fuzz)', () => {
  test.each([undefined, null, 3, 'fn'])('%j is a ValueError naming fn, not a TypeError', (bad) => {
    expect(() => noGrad(bad as never)).toThrow(/noGrad: fn must be a function/);
    expect(() => enableGrad(bad as never)).toThrow(/enableGrad: fn must be a function/);
    expect(() => noGrad(bad as never)).toThrow(ValueError);
    expect(isGradEnabled()).toBe(true);
  });
});

describe('defineOp with a malformed spec (found by apps/fuzz)', () => {
  test.each([undefined, null, 3, {}, { name: 'x' }, { name: 1, forward: () => null, backward: () => [] }])(
    '%j is a ValueError naming spec, not a TypeError',
    (bad) => {
      expect(() => defineOp(bad as never)).toThrow(/defineOp: spec must be an object/);
      expect(() => defineOp(bad as never)).toThrow(ValueError);
    },
  );
});
