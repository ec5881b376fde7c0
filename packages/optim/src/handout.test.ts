// The handout's "Adaptive learning rate based optimization" questions (a) and (b), proved by running the code.
// Handout slips, noted here and in the README: (1) its AdaGrad line writes the sum from i = 0; steps start at
// i = 1 (with g^0 undefined, or taken as 0, the two agree); (2) the handout has no ε: this package puts ε outside
// the root (PyTorch), so the equivalence in (b) is exact at ε = 0.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Adagrad } from './adagrad';
import { Adam, scaleByAdam } from './adam';
import type { ParamLike } from './param';
import { RMSprop } from './rmsprop';
import { inverseSqrtSchedule } from './schedules';
import { makeParam, randomSequence } from './test-utils';

// gradients on a 1e-5 grid in [−10, 10] (no subnormal squares)
const gradient = fc.integer({ min: -1_000_000, max: 1_000_000 }).map((k) => k / 100_000);
// β on a 1e-4 grid in [0, 0.9999]
const beta = fc.integer({ min: 0, max: 9999 }).map((k) => k / 10_000);
const nonzeroGradient = fc
  .tuple(fc.double({ min: 1e-3, max: 10, noNaN: true }), fc.boolean())
  .map(([x, negative]) => (negative ? -x : x));

describe('handout (a): m^t = (1 − β1)·Σ_{i=1}^t β1^(t−i)·g^i and v^t = (1 − β2)·Σ_{i=1}^t β2^(t−i)·(g^i)²', () => {
  it('A = 1 − β1, B_i = β1^(t−i), C = 1 − β2, D_i = β2^(t−i): the recurrences equal the closed forms at every step (property)', () => {
    fc.assert(
      fc.property(fc.array(gradient, { minLength: 1, maxLength: 40 }), beta, beta, (gs, beta1, beta2) => {
        const tx = scaleByAdam({ beta1, beta2, eps: 0 });
        const w = new Float64Array(1);
        const state = tx.init([w]);
        const u = new Float64Array(1);
        for (let t = 1; t <= gs.length; t++) {
          u[0] = gs[t - 1];
          tx.update([u], state, [w]);
          let m = 0;
          let v = 0;
          let mScale = 0;
          let vScale = 0;
          for (let i = 1; i <= t; i++) {
            const g = gs[i - 1];
            m += (1 - beta1) * beta1 ** (t - i) * g;
            v += (1 - beta2) * beta2 ** (t - i) * g * g;
            mScale += Math.abs((1 - beta1) * beta1 ** (t - i) * g);
            vScale += (1 - beta2) * beta2 ** (t - i) * g * g;
          }
          // float rounding of t terms: a few ulps of the sum of magnitudes per step; for m also ≈ 2^−53·|m| per
          // step because PyTorch's lerp(m, g, 1 − β1) multiplies by fl(1 − (1 − β1)), which is not exactly β1
          const gMax = Math.max(...gs.slice(0, t).map(Math.abs));
          expect(Math.abs(state.mu[0][0] - m)).toBeLessThanOrEqual(1e-14 * t * (mScale + gMax));
          expect(Math.abs(state.nu[0][0] - v)).toBeLessThanOrEqual(1e-14 * t * vScale);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('with β2 = 1 the state holds Σ_{i=1}^t (g^i)² (the limit of v^t/(1 − β2)), so v̂^t = Σ(g^i)²/t', () => {
    const tx = scaleByAdam({ beta1: 0, beta2: 1, eps: 0 });
    const w = new Float64Array(1);
    const state = tx.init([w]);
    const u = new Float64Array(1);
    let sum = 0;
    for (const g of [3, -1, 0.5, 2]) {
      u[0] = g;
      sum += g * g;
      tx.update([u], state, [w]);
      expect(state.secondMoment).toBe('sum');
      expect(state.nu[0][0]).toBe(sum);
    }
  });
});

/** Runs Adam and AdaGrad side by side on the same gradients; returns max_t ‖w_adam^t − w_adagrad^t‖∞ / ‖w_adagrad^t − w^0‖∞. */
function adamVsAdagradGap(grads: number[][], eta0: number, beta2: number): number {
  const w0 = grads[0].map(() => 0.5);
  const a = makeParam(w0);
  const b = makeParam(w0);
  const adam = new Adam([a], { beta1: 0, beta2, eps: 0, schedule: { lr: inverseSqrtSchedule(eta0) } });
  const adagrad = new Adagrad([b], { lr: eta0, eps: 0 });
  let gap = 0;
  for (const g of grads) {
    a.grad!.set(g);
    b.grad!.set(g);
    adam.step();
    adagrad.step();
    let diff = 0;
    let moved = 0;
    for (let j = 0; j < g.length; j++) {
      diff = Math.max(diff, Math.abs(a.data[j] - b.data[j]));
      moved = Math.max(moved, Math.abs(b.data[j] - w0[j]));
    }
    gap = Math.max(gap, diff / moved);
  }
  return gap;
}

describe('handout (b): Adam(β1 = 0, β2 → 1, η = η0·t^(−1/2)) is AdaGrad(η0): w^t = w^(t−1) − η0/sqrt(Σ_{i=1}^t (g^i)²)·g^t', () => {
  it('Adam(β1 = 0, β2 = 1, ε = 0, lr = inverseSqrtSchedule(η0)) equals AdaGrad(η0, ε = 0) to float rounding on random gradients (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(nonzeroGradient, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 1e-3, max: 2, noNaN: true }),
        (grads, eta0) => {
          const w0 = [0.25, -1, 4];
          const a = makeParam(w0);
          const b = makeParam(w0);
          const adam = new Adam([a], {
            beta1: 0,
            beta2: 1,
            eps: 0,
            schedule: { lr: inverseSqrtSchedule(eta0) },
          });
          const adagrad = new Adagrad([b], { lr: eta0, eps: 0 });
          grads.forEach((g, index) => {
            const t = index + 1;
            a.grad!.set(g);
            b.grad!.set(g);
            adam.step();
            adagrad.step();
            expect(adam.paramGroups[0].lr).toBe(eta0 / Math.sqrt(t));
            for (let j = 0; j < 3; j++) {
              // each step differs by a few ulps of the step size; t steps accumulate at most t of them
              expect(Math.abs(a.data[j] - b.data[j])).toBeLessThanOrEqual(
                1e-14 * t * (Math.abs(b.data[j]) + eta0 * t),
              );
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the gap shrinks monotonically as β2 → 1: β2 = 0.9, 0.99, 0.999, 0.9999, then 1 (exact)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const grads = randomSequence(seed, 100, 4, -1, 1);
      const gaps = [0.9, 0.99, 0.999, 0.9999].map((beta2) => adamVsAdagradGap(grads, 0.1, beta2));
      for (let k = 1; k < gaps.length; k++) expect(gaps[k]).toBeLessThan(gaps[k - 1]);
      expect(gaps[3]).toBeLessThan(1e-2);
      expect(adamVsAdagradGap(grads, 0.1, 1)).toBeLessThan(1e-12);
    }
  });
});

describe('handout update rules, as written (ε = 0), step by step in float64', () => {
  const grads = randomSequence(42, 30, 3, -2, 2);
  const w0 = [0.5, -0.25, 1];

  it('AdaGrad: w^t = w^(t−1) − η/sqrt(Σ_{i=1}^t (g^i)²)·g^t', () => {
    const eta = 0.3;
    const w = [...w0];
    const sum = [0, 0, 0];
    const p = makeParam(w0);
    const opt = new Adagrad([p], { lr: eta, eps: 0 });
    for (const g of grads) {
      for (let j = 0; j < 3; j++) {
        sum[j] += g[j] ** 2;
        w[j] -= (eta / Math.sqrt(sum[j])) * g[j];
      }
      p.grad!.set(g);
      opt.step();
      for (let j = 0; j < 3; j++) expect(p.data[j]).toBeCloseTo(w[j], 13);
    }
  });

  it('Adam: m^t = β1·m^(t−1) + (1 − β1)·g^t, v^t = β2·v^(t−1) + (1 − β2)·(g^t)², w^t = w^(t−1) − η·m̂^t/sqrt(v̂^t)', () => {
    const [eta, beta1, beta2] = [0.01, 0.9, 0.999];
    const w = [...w0];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    const p = makeParam(w0);
    const opt = new Adam([p], { lr: eta, betas: [beta1, beta2], eps: 0 });
    grads.forEach((g, index) => {
      const t = index + 1;
      for (let j = 0; j < 3; j++) {
        m[j] = beta1 * m[j] + (1 - beta1) * g[j];
        v[j] = beta2 * v[j] + (1 - beta2) * g[j] ** 2;
        const mHat = m[j] / (1 - beta1 ** t);
        const vHat = v[j] / (1 - beta2 ** t);
        w[j] -= (eta / Math.sqrt(vHat)) * mHat;
      }
      p.grad!.set(g);
      opt.step();
      for (let j = 0; j < 3; j++) expect(p.data[j]).toBeCloseTo(w[j], 13);
    });
  });
});

describe('ε = 0 and a coordinate whose gradient is always exactly 0 (e.g. a weight behind a dead ReLU)', () => {
  it('AdaGrad, Adam(β2 = 1) and RMSprop give that coordinate update 0 (the limit of 0/0), never NaN', () => {
    const make = [
      (p: ParamLike[]) => new Adagrad(p, { lr: 0.1, eps: 0 }),
      (p: ParamLike[]) =>
        new Adam(p, { beta1: 0, beta2: 1, eps: 0, schedule: { lr: inverseSqrtSchedule(0.1) } }),
      (p: ParamLike[]) => new Adam(p, { eps: 0, amsgrad: true }),
      (p: ParamLike[]) => new RMSprop(p, { eps: 0, centered: true }),
    ];
    for (const m of make) {
      const p = makeParam([1, 2], 'float32');
      const opt = m([p]);
      for (let t = 0; t < 3; t++) {
        p.grad!.set([0, 0.5]);
        opt.step();
      }
      expect(p.data[0]).toBe(1);
      expect(Number.isFinite(p.data[1]) && p.data[1] !== 2).toBe(true);
    }
  });
});
