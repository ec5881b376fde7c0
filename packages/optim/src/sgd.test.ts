import { describe, expect, it } from 'vitest';
import { OptimError } from './errors';
import { SGD, type SGDOptions } from './sgd';
import { expectMatchesReference, makeParam, randomSequence } from './test-utils';

// Independent float64 reference of PyTorch's SGD (torch/optim/sgd.py, _single_tensor_sgd), written per scalar:
//   g ← −g if maximize; g ← g + wd·p; if momentum ≠ 0: buf ← g on the first step, else buf ← μ·buf + (1 − τ)·g;
//   g ← g + μ·buf (Nesterov) or g ← buf;  p ← p − lr·g
function sgdReference(
  p0: number[],
  grads: number[][],
  o: Required<Omit<SGDOptions, 'schedule'>>,
): number[][] {
  const p = [...p0];
  let buf: number[] | null = null;
  const out: number[][] = [];
  for (const grad of grads) {
    for (let j = 0; j < p.length; j++) {
      let g = o.maximize ? -grad[j] : grad[j];
      if (o.weightDecay !== 0) g = g + o.weightDecay * p[j];
      if (o.momentum !== 0) {
        if (buf === null) buf = new Array(p.length).fill(0);
        if (out.length === 0) buf[j] = g;
        else buf[j] = o.momentum * buf[j] + (1 - o.dampening) * g;
        g = o.nesterov ? g + o.momentum * buf[j] : buf[j];
      }
      p[j] = p[j] - o.lr * g;
    }
    out.push([...p]);
  }
  return out;
}

const base = { lr: 0.05, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
const cases: [string, typeof base][] = [
  ['plain', base],
  ['momentum', { ...base, momentum: 0.9 }],
  ['momentum + dampening (no dampening on the first step)', { ...base, momentum: 0.8, dampening: 0.3 }],
  ['Nesterov', { ...base, momentum: 0.9, nesterov: true }],
  ['weightDecay + maximize', { ...base, momentum: 0.5, weightDecay: 0.1, maximize: true }],
];

describe("SGD matches the float64 reference of PyTorch's formula p ← p − lr·(buf | g + μ·buf), buf₁ = g₁", () => {
  it.each(cases)('%s, step by step (float64 to 1e-13, float32 to 1e-5)', (_, o) => {
    const grads = randomSequence(7, 25, 4, -2, 2);
    const p0 = [0.5, -1, 2, 0.1];
    const expected = sgdReference(p0, grads, o);
    expectMatchesReference((params) => new SGD(params, o), p0, grads, expected, {
      float64: 1e-13,
      float32: 1e-5,
    });
  });

  it("has PyTorch's defaults: lr 1e-3, momentum 0, dampening 0, weightDecay 0, nesterov false, maximize false", () => {
    const { params: _, schedule: __, ...h } = new SGD([makeParam([1])]).paramGroups[0];
    expect(h).toEqual({
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
    });
  });

  it('a momentum buffer starts as the first gradient exactly (no dampening on step 1)', () => {
    const p = makeParam([0]);
    const opt = new SGD([p], { lr: 1, momentum: 0.9, dampening: 0.5 });
    p.grad![0] = 2;
    opt.step();
    expect(p.data[0]).toBe(-2);
    opt.step();
    expect(p.data[0]).toBe(-2 - (0.9 * 2 + 0.5 * 2));
  });

  it.each([
    [{ lr: -0.1 }, /SGD: lr = -0\.1 is invalid; expected a finite number >= 0/],
    [{ lr: Number.NaN }, /SGD: lr = NaN is invalid/],
    [{ lr: Number.POSITIVE_INFINITY }, /SGD: lr = Infinity is invalid/],
    [{ momentum: -0.5 }, /SGD: momentum = -0\.5 is invalid; expected a finite number >= 0/],
    [{ weightDecay: -1 }, /SGD: weightDecay = -1 is invalid; expected a finite number >= 0/],
    [{ dampening: 2 }, /SGD: dampening = 2 is invalid; expected a number in \[0, 1\]/],
    [
      { nesterov: true },
      /nesterov = true is invalid with momentum = 0 .*requires momentum > 0 and dampening = 0/,
    ],
    [
      { nesterov: true, momentum: 0.9, dampening: 0.1 },
      /nesterov = true is invalid with momentum = 0\.9 and dampening = 0\.1/,
    ],
  ] as [SGDOptions, RegExp][])(
    'rejects %o with a typed error naming argument, value and range',
    (o, message) => {
      let err: unknown;
      try {
        new SGD([makeParam([1])], o);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OptimError);
      expect((err as OptimError).code).toBe('INVALID_HYPERPARAMETER');
      expect((err as Error).message).toMatch(message);
    },
  );

  it('refuses momentum set later when built without a momentum buffer', () => {
    const p = makeParam([1]);
    const opt = new SGD([p], { lr: 0.1 });
    opt.paramGroups[0].momentum = 0.9;
    expect(() => opt.step()).toThrow(
      /momentum = 0\.9 is invalid for this optimizer: it was built with momentum 0/,
    );
  });

  it('rejects an empty parameter list and a non-parameter', () => {
    expect(() => new SGD([])).toThrow(/SGD: params is empty/);
    expect(() => new SGD([{ data: [1, 2] } as never])).toThrow(
      /params\[0\] has no Float32Array\/Float64Array/,
    );
  });
});
