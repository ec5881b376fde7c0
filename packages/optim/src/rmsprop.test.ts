import { describe, expect, it } from 'vitest';
import { OptimError } from './errors';
import { RMSprop, type RMSpropOptions } from './rmsprop';
import { expectMatchesReference, makeParam, randomSequence } from './test-utils';

// Independent float64 reference of PyTorch's RMSprop (torch/optim/rmsprop.py, _single_tensor_rmsprop):
//   g ← −g if maximize; g ← g + wd·p; sq ← α·sq + (1 − α)·g²;
//   centered: ḡ ← ḡ + (1 − α)·(g − ḡ), avg = sqrt(sq − ḡ²) + eps; else avg = sqrt(sq) + eps;
//   momentum > 0: buf ← μ·buf + g/avg (buf₀ = 0), p ← p − lr·buf; else p ← p − lr·g/avg
function rmspropReference(
  p0: number[],
  grads: number[][],
  o: Required<Omit<RMSpropOptions, 'schedule'>>,
): number[][] {
  const p = [...p0];
  const sq = p.map(() => 0);
  const ga = p.map(() => 0);
  const buf = p.map(() => 0);
  const out: number[][] = [];
  for (const grad of grads) {
    for (let j = 0; j < p.length; j++) {
      let g = o.maximize ? -grad[j] : grad[j];
      if (o.weightDecay !== 0) g = g + o.weightDecay * p[j];
      sq[j] = o.alpha * sq[j] + (1 - o.alpha) * g * g;
      let avg: number;
      if (o.centered) {
        ga[j] = ga[j] + (1 - o.alpha) * (g - ga[j]);
        avg = Math.sqrt(sq[j] - ga[j] * ga[j]) + o.eps;
      } else {
        avg = Math.sqrt(sq[j]) + o.eps;
      }
      if (o.momentum > 0) {
        buf[j] = o.momentum * buf[j] + g / avg;
        p[j] = p[j] - o.lr * buf[j];
      } else {
        p[j] = p[j] - (o.lr * g) / avg;
      }
    }
    out.push([...p]);
  }
  return out;
}

const base = {
  lr: 0.01,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
};

describe("RMSprop matches the float64 reference of PyTorch's formula p ← p − lr·g/(sqrt(E[g²] (− E[g]²)) + eps)", () => {
  it.each([
    ['defaults', base],
    ['centered', { ...base, centered: true, alpha: 0.9 }],
    ['momentum', { ...base, momentum: 0.9 }],
    [
      'centered + momentum + weightDecay + maximize',
      { ...base, centered: true, momentum: 0.5, weightDecay: 0.1, maximize: true, alpha: 0.3 },
    ],
  ] as [string, typeof base][])('%s, step by step (float64 to 1e-12, float32 to 1e-4)', (_, o) => {
    const grads = randomSequence(5, 25, 4, -3, 3);
    const p0 = [1, -0.5, 0.25, 3];
    const expected = rmspropReference(p0, grads, o);
    expectMatchesReference((params) => new RMSprop(params, o), p0, grads, expected, {
      float64: 1e-12,
      float32: 1e-4,
    });
  });

  it("has PyTorch's defaults: lr 1e-2, alpha 0.99, eps 1e-8 (outside the root), no decay, momentum or centering", () => {
    const { params: _, schedule: __, ...h } = new RMSprop([makeParam([1])]).paramGroups[0];
    expect(h).toEqual({
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    });
  });

  it.each([
    [{ lr: -1 }, /RMSprop: lr = -1 is invalid/],
    [{ alpha: 1.5 }, /RMSprop: alpha = 1\.5 is invalid; expected a number in \[0, 1\]/],
    [{ eps: -1 }, /RMSprop: eps = -1 is invalid/],
    [{ momentum: -1 }, /RMSprop: momentum = -1 is invalid/],
    [{ weightDecay: -1 }, /RMSprop: weightDecay = -1 is invalid/],
  ] as [RMSpropOptions, RegExp][])('rejects %o with a typed error', (o, message) => {
    expect(() => new RMSprop([makeParam([1])], o)).toThrow(OptimError);
    expect(() => new RMSprop([makeParam([1])], o)).toThrow(message);
  });
});

describe('centered RMSprop with a tiny gradient (found by apps/fuzz)', () => {
  it('E[g²] − E[g]² rounding below 0 gives a finite step, not NaN', () => {
    // float32 state: g² underflows to 0 while E[g]² (computed in double) does not
    const p = { data: new Float32Array([0, 0]), grad: new Float32Array([0, 2.1019476964872256e-45]) };
    const opt = new RMSprop([p], { lr: 1e-4, alpha: 0.5, centered: true });
    opt.step();
    expect(Array.from(p.data).every(Number.isFinite)).toBe(true);
  });
});
