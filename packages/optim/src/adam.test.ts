import { describe, expect, it } from 'vitest';
import { Adam, type AdamOptions, AdamW } from './adam';
import { OptimError } from './errors';
import { expectClose, expectMatchesReference, makeParam, randomSequence } from './test-utils';

interface RefOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  decoupled: boolean;
}

// Independent float64 reference of PyTorch's Adam / AdamW (torch/optim/adam.py, _single_tensor_adam), per scalar:
//   g ← −g if maximize; AdamW: p ← p·(1 − lr·wd), Adam: g ← g + wd·p;
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  AMSGrad: vmax ← max(vmax, v), use vmax for v;
//   p ← p − lr/(1 − β1^t) · m / (sqrt(v)/sqrt(1 − β2^t) + eps)
function adamReference(p0: number[], grads: number[][], o: RefOptions): number[][] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const vmax = p.map(() => 0);
  const out: number[][] = [];
  grads.forEach((grad, index) => {
    const t = index + 1;
    const bc1 = 1 - o.beta1 ** t;
    const bc2 = 1 - o.beta2 ** t;
    for (let j = 0; j < p.length; j++) {
      let g = o.maximize ? -grad[j] : grad[j];
      if (o.decoupled) p[j] = p[j] * (1 - o.lr * o.weightDecay);
      else if (o.weightDecay !== 0) g = g + o.weightDecay * p[j];
      m[j] = o.beta1 * m[j] + (1 - o.beta1) * g;
      v[j] = o.beta2 * v[j] + (1 - o.beta2) * g * g;
      vmax[j] = Math.max(vmax[j], v[j]);
      const vv = o.amsgrad ? vmax[j] : v[j];
      p[j] = p[j] - ((o.lr / bc1) * m[j]) / (Math.sqrt(vv) / Math.sqrt(bc2) + o.eps);
    }
    out.push([...p]);
  });
  return out;
}

const base: RefOptions = {
  lr: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
  decoupled: false,
};

describe("Adam/AdamW match the float64 reference of PyTorch's formula p ← p − lr·m̂/(sqrt(v̂) + eps), eps outside the root", () => {
  it.each([
    ['Adam defaults', base],
    ['Adam betas (0.5, 0.9), large eps', { ...base, beta1: 0.5, beta2: 0.9, eps: 0.1 }],
    ['Adam L2 weightDecay + maximize', { ...base, weightDecay: 0.1, maximize: true }],
    ['Adam amsgrad', { ...base, amsgrad: true, beta2: 0.9 }],
    ['Adam beta1 = 0', { ...base, beta1: 0 }],
    ['AdamW decoupled weightDecay 1e-2', { ...base, decoupled: true, weightDecay: 1e-2 }],
    [
      'AdamW amsgrad + maximize, weightDecay 0.5',
      { ...base, decoupled: true, weightDecay: 0.5, amsgrad: true, maximize: true },
    ],
  ] as [string, RefOptions][])('%s, step by step (float64 to 1e-12, float32 to 1e-5)', (_, o) => {
    const grads = randomSequence(3, 30, 4, -3, 3);
    grads[7] = [0, 0, 0, 0]; // a zero gradient: AMSGrad's max must keep the larger old v
    const p0 = [1, -0.5, 0.25, 3];
    const expected = adamReference(p0, grads, o);
    const { decoupled, ...options } = o;
    expectMatchesReference(
      (params) => (decoupled ? new AdamW(params, options) : new Adam(params, options)),
      p0,
      grads,
      expected,
      { float64: 1e-12, float32: 1e-5 },
    );
  });

  it('β2 = 1 is its exact limit: v̂_t = (1/t)·Σ g_i², so p ← p − lr·m̂/(sqrt(Σg²/t) + eps) (not 0/0)', () => {
    const grads = randomSequence(9, 20, 3, -2, 2);
    const p0 = [0.3, 0.2, 0.1];
    const ref = [...p0];
    const m = [0, 0, 0];
    const sum = [0, 0, 0];
    const p = makeParam(p0);
    const opt = new Adam([p], { lr: 0.05, betas: [0.8, 1], eps: 1e-6 });
    grads.forEach((g, index) => {
      const t = index + 1;
      for (let j = 0; j < 3; j++) {
        m[j] = 0.8 * m[j] + 0.2 * g[j];
        sum[j] += g[j] * g[j];
        ref[j] -= (0.05 * (m[j] / (1 - 0.8 ** t))) / (Math.sqrt(sum[j] / t) + 1e-6);
      }
      p.grad!.set(g);
      opt.step();
      expectClose(p.data, ref, 1e-12, `step ${t}`);
    });
    expect(p.data.every(Number.isFinite)).toBe(true);
  });

  it('refuses a β2 schedule that crosses between 1 and < 1 mid-run', () => {
    const p = makeParam([1]);
    const opt = new Adam([p], { schedule: { beta2: (t) => (t === 1 ? 1 : 0.999) } });
    p.grad![0] = 1;
    opt.step();
    expect(() => opt.step()).toThrow(/switches the second moment from 'sum' to 'ema'/);
  });

  it("has PyTorch's defaults (AdamW: weightDecay 1e-2) and accepts betas or beta1/beta2", () => {
    const a = new Adam([makeParam([1])]).paramGroups[0];
    expect([a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.amsgrad, a.maximize]).toEqual([
      1e-3,
      0.9,
      0.999,
      1e-8,
      0,
      false,
      false,
    ]);
    expect(new AdamW([makeParam([1])]).paramGroups[0].weightDecay).toBe(1e-2);
    const b = new Adam([makeParam([1])], { betas: [0.5, 0.6] }).paramGroups[0];
    expect([b.beta1, b.beta2]).toEqual([0.5, 0.6]);
    expect(() => new Adam([makeParam([1])], { betas: [0.5, 0.6], beta1: 0.7 })).toThrow(/conflicts/);
  });

  it.each([
    [{ lr: -1e-3 }, /Adam: lr = -0\.001 is invalid; expected a finite number >= 0/],
    [{ lr: Number.NaN }, /Adam: lr = NaN is invalid; expected a finite number >= 0/],
    [{ betas: [1, 0.999] }, /Adam: beta1 \(betas\[0\]\) = 1 is invalid; expected a number in \[0, 1\)/],
    [
      { betas: [-0.1, 0.999] },
      /Adam: beta1 \(betas\[0\]\) = -0\.1 is invalid; expected a number in \[0, 1\)/,
    ],
    [{ betas: [0.9, 1.01] }, /Adam: beta2 \(betas\[1\]\) = 1\.01 is invalid; expected a number in \[0, 1\]/],
    [{ beta2: -1 }, /Adam: beta2 \(betas\[1\]\) = -1 is invalid/],
    [{ eps: -1e-8 }, /Adam: eps = -1e-8 is invalid; expected a finite number >= 0/],
    [{ weightDecay: -0.01 }, /Adam: weightDecay = -0\.01 is invalid; expected a finite number >= 0/],
  ] as [AdamOptions, RegExp][])(
    'rejects %o with a typed error naming argument, value and range',
    (o, message) => {
      let err: unknown;
      try {
        new Adam([makeParam([1])], o);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OptimError);
      expect((err as OptimError).code).toBe('INVALID_HYPERPARAMETER');
      expect((err as Error).message).toMatch(message);
    },
  );

  it('rejects a non-finite scheduled lr at step time, before any parameter moves', () => {
    const p = makeParam([1, 2]);
    const opt = new Adam([p], { schedule: { lr: (t) => (t > 1 ? Number.POSITIVE_INFINITY : 0.1) } });
    p.grad!.fill(1);
    opt.step();
    const before = Array.from(p.data);
    expect(() => opt.step()).toThrow(/Adam: lr = Infinity is invalid/);
    expect(Array.from(p.data)).toEqual(before);
  });
});
