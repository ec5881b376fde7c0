import { describe, expect, test } from 'vitest';
import { tensor, zeros } from '../creation';
import { ValueError } from '../errors';
import { mul, sub } from '../ops/elementwise';
import { mean, sum } from '../ops/reduce';
import { manualSeed, Rng } from '../rng';
import { ShapeError } from '../shape-error';
import type { Tensor } from '../tensor';
import { randn64, testRng } from '../test-utils';
import { gradcheck } from '../testing';
import { Conv2d } from './conv2d';
import { kaimingUniformBound } from './init';
import { AvgPool2d, Dropout, Flatten, MaxPool2d, ReLU, Sequential, Sigmoid, Tanh } from './layers';
import { Linear } from './linear';
import { Module, StateDictError } from './module';

const rng = testRng(77);

class WithBuffer extends Module {
  readonly scale: Tensor;
  readonly count: Tensor;
  constructor() {
    super();
    this.scale = this.registerParameter('scale', tensor([2]));
    this.count = this.registerBuffer('count', zeros([1]));
  }
  forward(x: Tensor): Tensor {
    return mul(x, this.scale);
  }
}

describe('PyTorch default init', () => {
  test('kaiming_uniform(a = √5) bound is gain·√(3/fanIn) = 1/√fanIn', () => {
    const gain = Math.sqrt(2 / (1 + 5));
    expect(kaimingUniformBound(49)).toBeCloseTo(gain * Math.sqrt(3 / 49), 15);
    expect(kaimingUniformBound(49)).toBeCloseTo(1 / 7, 15);
    expect(kaimingUniformBound(10, 0)).toBeCloseTo(Math.sqrt(2) * Math.sqrt(3 / 10), 15); // He uniform (a = 0)
  });

  test('Linear and Conv2d weights/biases lie within the bounds and fill them', () => {
    const lin = new Linear(100, 50, { rng: new Rng(1) });
    const b = 1 / Math.sqrt(100);
    expect(Math.max(...lin.weight.data.map(Math.abs))).toBeLessThanOrEqual(b);
    expect(Math.max(...lin.weight.data.map(Math.abs))).toBeGreaterThan(0.95 * b);
    expect(Math.max(...(lin.bias?.data ?? []).map(Math.abs))).toBeLessThanOrEqual(b);
    const conv = new Conv2d(8, 16, 3, { rng: new Rng(1) });
    expect(conv.weight.shape).toEqual([16, 3, 3, 8]);
    const cb = 1 / Math.sqrt(8 * 9);
    expect(Math.max(...conv.weight.data.map(Math.abs))).toBeLessThanOrEqual(cb);
    expect(Math.max(...conv.weight.data.map(Math.abs))).toBeGreaterThan(0.95 * cb);
    const dw = new Conv2d(4, 8, [3, 2], { groups: 4, bias: false });
    expect(dw.weight.shape).toEqual([8, 3, 2, 1]);
    expect(dw.bias).toBeNull();
  });

  test('same seed gives identical parameters; manualSeed drives the default rng', () => {
    const a = new Linear(5, 3, { rng: new Rng(9) });
    const b = new Linear(5, 3, { rng: new Rng(9) });
    expect(Array.from(a.weight.data)).toEqual(Array.from(b.weight.data));
    manualSeed(123);
    const c = new Conv2d(2, 3, 3);
    manualSeed(123);
    const d = new Conv2d(2, 3, 3);
    expect(Array.from(c.weight.data)).toEqual(Array.from(d.weight.data));
    expect(Array.from(c.bias?.data ?? [])).toEqual(Array.from(d.bias?.data ?? []));
  });

  test('invalid constructor arguments are typed errors', () => {
    expect(() => new Linear(0, 3)).toThrow(ValueError);
    expect(() => new Linear(2.5, 3)).toThrow(ValueError);
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(ShapeError);
    expect(() => new Dropout(2)).toThrow(ValueError);
    expect(() => new Sequential(new ReLU()).at(1)).toThrow(
      'Sequential.at: index must be an integer in [-1, 0], got 1',
    );
    expect(() => new Linear(2, 2).loadStateDict({ weight: [1] as never, bias: zeros([2]) })).toThrow(
      "loadStateDict: sd['weight'] must be a Tensor, got Array",
    );
  });
});

describe('Module', () => {
  const net = () =>
    new Sequential(
      new Conv2d(2, 3, 3, { padding: 1, rng: new Rng(1), dtype: 'float64' }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(12, 4, { rng: new Rng(2), dtype: 'float64' }),
    );

  test('named parameters, parameters, forward shape', () => {
    const m = net();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '4.weight', '4.bias']);
    expect(m.parameters().length).toBe(4);
    expect(m.length).toBe(5);
    expect(m.at(-1)).toBeInstanceOf(Linear);
    const y = m.call(randn64([2, 4, 4, 2], rng, false));
    expect(y.shape).toEqual([2, 4]);
  });

  test('gradcheck through a whole Sequential (float64), parameters included', () => {
    const m = net();
    const params = m.parameters();
    gradcheck((x) => m.forward(x), [randn64([2, 4, 4, 2], rng)]);
    // wrt parameters: pass them as the checked inputs
    const x = randn64([1, 4, 4, 2], rng, false);
    gradcheck(() => m.forward(x), params);
  });

  test('gradcheck of each small layer', () => {
    gradcheck((x) => new Sigmoid().forward(x), [randn64([3, 2], rng)]);
    gradcheck((x) => new Tanh().forward(x), [randn64([3, 2], rng)]);
    gradcheck((x) => new AvgPool2d(2, { stride: 1 }).forward(x), [randn64([1, 3, 3, 2], rng)]);
    const lin = new Linear(3, 2, { rng: new Rng(4), dtype: 'float64' });
    const x = randn64([4, 3], rng);
    gradcheck((t) => lin.forward(t), [x]);
    gradcheck(() => lin.forward(x), lin.parameters());
    const conv = new Conv2d(4, 4, [2, 3], { groups: 4, stride: [1, 2], padding: 'same', dtype: 'float64' });
    gradcheck((t) => conv.forward(t), [randn64([2, 3, 5, 4], rng)]);
    gradcheck(() => conv.forward(randn64([1, 3, 5, 4], new Rng(8), false)), conv.parameters());
  });

  test('backward fills parameter grads; zeroGrad zeroes in place', () => {
    const m = net();
    const loss = mean(m.forward(randn64([2, 4, 4, 2], rng, false)));
    loss.backward();
    const g = m.parameters()[0].grad;
    expect(g).not.toBeNull();
    expect(g?.data.some((v) => v !== 0)).toBe(true);
    m.zeroGrad();
    expect(m.parameters()[0].grad).toBe(g);
    expect(g?.data.every((v) => v === 0)).toBe(true);
  });

  test('train/eval propagate; Dropout is identity in eval', () => {
    const d = new Dropout(0.5, { rng: new Rng(1) });
    const m = new Sequential(new Linear(4, 4, { dtype: 'float64' }), d);
    m.eval();
    expect(d.training).toBe(false);
    const x = randn64([2, 4], rng, false);
    const lin = m.at(0);
    expect(Array.from(m.forward(x).data)).toEqual(Array.from(lin.forward(x).data));
    m.train();
    expect(d.training).toBe(true);
  });

  test('stateDict / loadStateDict round trip including buffers', () => {
    const a = new Sequential(new WithBuffer(), new Linear(2, 2, { rng: new Rng(1) }));
    const b = new Sequential(new WithBuffer(), new Linear(2, 2, { rng: new Rng(2) }));
    (a.at(0) as WithBuffer).count.data[0] = 5;
    const sd = a.stateDict();
    // PyTorch order: per module its parameters, then its buffers, then the next module
    expect(Object.keys(sd)).toEqual(['0.scale', '0.count', '1.weight', '1.bias']);
    expect(sd['1.weight'].requiresGrad).toBe(false);
    b.loadStateDict(sd);
    expect(Array.from(b.at(1).parameters()[0].data)).toEqual(Array.from(a.at(1).parameters()[0].data));
    expect((b.at(0) as WithBuffer).count.data[0]).toBe(5);
    // loaded values are copies, not shared storage
    expect(b.at(1).parameters()[0].data).not.toBe(a.at(1).parameters()[0].data);
  });

  test('a parameter shared by two layers is listed once by parameters()/namedParameters(), twice in stateDict()', () => {
    const a = new Linear(2, 2, { rng: new Rng(1) });
    const b = new Linear(2, 2, { rng: new Rng(2) });
    class Tied extends Module {
      constructor() {
        super();
        this.registerModule('a', a);
        this.registerModule('b', b);
        this.registerParameter('shared', a.weight);
      }
      forward(x: Tensor): Tensor {
        return b.forward(a.forward(x));
      }
    }
    const m = new Tied();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['shared', 'a.bias', 'b.weight', 'b.bias']);
    expect(m.parameters()).toEqual([a.weight, a.bias, b.weight, b.bias]);
    expect(Object.keys(m.stateDict())).toEqual(['shared', 'a.weight', 'a.bias', 'b.weight', 'b.bias']);
    expect(m.loadStateDict(m.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  test('strict loading: missing / unexpected keys and shape mismatch are typed errors, nothing copied', () => {
    const m = new Linear(2, 2, { rng: new Rng(1) });
    const before = Array.from(m.weight.data);
    const sd = new Linear(2, 2, { rng: new Rng(2) }).stateDict();
    let err: unknown;
    try {
      m.loadStateDict({ weight: sd.weight, extra: sd.bias });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateDictError);
    expect((err as StateDictError).missingKeys).toEqual(['bias']);
    expect((err as StateDictError).unexpectedKeys).toEqual(['extra']);
    expect(Array.from(m.weight.data)).toEqual(before);
    expect(() => m.loadStateDict({ weight: zeros([3, 2]), bias: sd.bias })).toThrow(ShapeError);
    const r = m.loadStateDict({ weight: sd.weight, extra: sd.bias }, { strict: false });
    expect(r).toEqual({ missingKeys: ['bias'], unexpectedKeys: ['extra'] });
    expect(Array.from(m.weight.data)).toEqual(Array.from(sd.weight.data));
  });
});

describe('training a tiny model', () => {
  test('Linear learns y = 2x - 1 with plain SGD', () => {
    const model = new Linear(1, 1, { rng: new Rng(0), dtype: 'float64' });
    const x = tensor([[-1], [0], [1], [2]], { dtype: 'float64' });
    const y = tensor([[-3], [-1], [1], [3]], { dtype: 'float64' });
    for (let step = 0; step < 300; step++) {
      model.zeroGrad();
      const err = sub(model.forward(x), y);
      const loss = mean(mul(err, err));
      loss.backward();
      for (const p of model.parameters()) {
        const g = p.grad;
        if (g === null) continue;
        for (let i = 0; i < p.size; i++) p.data[i] -= 0.1 * g.data[i];
      }
    }
    expect(model.weight.item()).toBeCloseTo(2, 4);
    expect(model.bias?.item()).toBeCloseTo(-1, 4);
    expect(sum(model.forward(tensor([[10]], { dtype: 'float64' }))).item()).toBeCloseTo(19, 3);
  });
});

describe('layer constructors and Module methods with junk arguments (found by apps/fuzz)', () => {
  test('Linear / Conv2d / Dropout refuse non-object options with a ValueError, not a TypeError', () => {
    expect(() => new Linear(2, 3, null as never)).toThrow(/Linear: options must be an object, got null/);
    expect(() => new Conv2d(1, 1, 2, null as never)).toThrow(/Conv2d: options must be an object, got null/);
    expect(() => new Dropout(0.5, null as never)).toThrow(/Dropout: options must be an object, got null/);
    expect(() => new Linear(2, 3, 3 as never)).toThrow(ValueError);
  });
  test('Conv2d refuses a kernelSize that is neither a number nor a pair', () => {
    expect(() => new Conv2d(1, 1, null as never)).toThrow(
      /Conv2d: kernelSize must be an integer >= 1 or a pair/,
    );
    expect(() => new Conv2d(1, 1, [1, 2, 3] as never)).toThrow(/got \[1,2,3\]/);
    expect(() => new Conv2d(1, 1, '3' as never)).toThrow(ValueError);
    expect(new Conv2d(1, 1, [1, 2]).kernelSize).toEqual([1, 2]);
  });
  test('train(mode) needs a boolean; loadStateDict options must be an object', () => {
    const m = new Linear(2, 2);
    expect(() => m.train(null as never)).toThrow(/train: mode must be true or false, got null/);
    expect(() => m.train('x' as never)).toThrow(ValueError);
    expect(m.training).toBe(true);
    expect(() => m.loadStateDict(m.stateDict(), null as never)).toThrow(
      /loadStateDict: options must be an object/,
    );
  });
});
