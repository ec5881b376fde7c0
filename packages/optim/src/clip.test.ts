import { describe, expect, it } from 'vitest';
import { clipByGlobalNorm, clipByValue, clipGradNorm, clipGradValue, globalNorm } from './clip';
import { NonFiniteNormError, OptimError } from './errors';
import { chain } from './gradient-transformation';

const param = (grad: number[] | null, dtype: 'float32' | 'float64' = 'float64') => ({
  data: new Float64Array(grad?.length ?? 1),
  grad: grad === null ? null : dtype === 'float32' ? new Float32Array(grad) : new Float64Array(grad),
});

describe("clipGradNorm: PyTorch's clip_grad_norm_, total = ‖(‖g_i‖₂)‖₂, coef = maxNorm/(total + 1e-6), scale only when coef < 1", () => {
  it('returns the total norm and scales every gradient by maxNorm/(total + 1e-6)', () => {
    const a = param([3, 4]); // ‖a‖ = 5
    const b = param([12]); // ‖b‖ = 12
    const total = clipGradNorm([a, b], 1);
    expect(total).toBe(13); // sqrt(5² + 12²)
    const coef = 1 / (13 + 1e-6);
    expect(Array.from(a.grad!)).toEqual([3 * coef, 4 * coef]);
    expect(Array.from(b.grad!)).toEqual([12 * coef]);
  });

  it('leaves gradients untouched when the norm is within maxNorm, skips null grads, accepts {grad: {data}}', () => {
    const a = param([0.3, 0.4]);
    const core = { data: new Float32Array(2), grad: { data: new Float32Array([0, 0]) } };
    const none = param(null);
    expect(clipGradNorm([a, core, none], 1)).toBeCloseTo(0.5, 15);
    expect(Array.from(a.grad!)).toEqual([0.3, 0.4]);
  });

  it('supports the 1-norm and the ∞-norm', () => {
    expect(clipGradNorm([param([1, -2]), param([3])], 100, { normType: 1 })).toBe(6);
    const p = param([1, -5]);
    expect(clipGradNorm([p, param([3])], 2.5, { normType: Number.POSITIVE_INFINITY })).toBe(5);
    expect(p.grad![1]).toBeCloseTo(-2.5, 5);
    expect(globalNorm([new Float64Array([2, 2]), null, new Float64Array([2, 2])], 3)).toBeCloseTo(
      32 ** (1 / 3),
      14,
    );
  });

  it('errorIfNonfinite throws NonFiniteNormError (code NONFINITE_NORM) on NaN or Inf and leaves gradients alone', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const p = param([1, bad]);
      let err: unknown;
      try {
        clipGradNorm([p], 1, { errorIfNonfinite: true });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NonFiniteNormError);
      expect(err).toBeInstanceOf(OptimError);
      expect((err as OptimError).code).toBe('NONFINITE_NORM');
      expect((err as NonFiniteNormError).totalNorm).toBe(bad);
      expect(p.grad![0]).toBe(1);
    }
    // without the option the norm is returned (PyTorch's default)
    expect(clipGradNorm([param([1, Number.NaN])], 1)).toBeNaN();
  });

  it('rejects a negative maxNorm and a bad normType', () => {
    expect(() => clipGradNorm([param([1])], -1)).toThrow(
      /clipGradNorm: maxNorm = -1 is invalid; expected a finite number >= 0/,
    );
    expect(() => clipGradNorm([param([1])], 1, { normType: 0 })).toThrow(/normType = 0 is invalid/);
  });
});

describe('clipGradValue: clamp each gradient element into [−v, v] (clip_grad_value_)', () => {
  it('clamps in place', () => {
    const p = param([-3, 0.5, 2, -0.1], 'float32');
    clipGradValue([p], 1);
    expect(Array.from(p.grad!)).toEqual([-1, 0.5, 1, -0.10000000149011612]);
    expect(() => clipGradValue([p], -1)).toThrow(/clipValue = -1 is invalid/);
  });
});

describe('clip transformations compose with chain', () => {
  it('clipByGlobalNorm then clipByValue', () => {
    const tx = chain(clipByGlobalNorm(1), clipByValue(0.7));
    const params = [new Float64Array(2), new Float64Array(1)];
    const state = tx.init(params) as [{ lastNorm: number }, unknown];
    const u = [new Float64Array([3, 4]), new Float64Array([12])];
    tx.update(u, state, params);
    expect(state[0].lastNorm).toBe(13);
    const coef = 1 / (13 + 1e-6);
    expect(Array.from(u[0])).toEqual([3 * coef, 4 * coef]);
    expect(Array.from(u[1])).toEqual([0.7]);
  });

  it('clipByGlobalNorm with errorIfNonfinite throws NonFiniteNormError naming itself, before scaling', () => {
    const tx = clipByGlobalNorm(1, { errorIfNonfinite: true });
    const u = [new Float64Array([3, Number.POSITIVE_INFINITY])];
    expect(() => tx.update(u, tx.init([new Float64Array(2)]), [new Float64Array(2)])).toThrow(
      /^clipByGlobalNorm: the total gradient norm of order 2 is Infinity; expected a finite number/,
    );
    expect(Array.from(u[0])).toEqual([3, Number.POSITIVE_INFINITY]);
  });

  it('clipByGlobalNorm(maxNorm) equals clipGradNorm on the same gradients, bitwise, for p = 1, 2, 3, ∞', () => {
    for (const normType of [1, 2, 3, Number.POSITIVE_INFINITY]) {
      const values = [
        [0.5, -2, 7],
        [1e-3, 4],
      ];
      const params = values.map((g) => param(g));
      const total = clipGradNorm(params, 0.75, { normType });
      const tx = clipByGlobalNorm(0.75, { normType });
      const u = values.map((g) => new Float64Array(g));
      const state = tx.init(u);
      tx.update(u, state, u);
      expect(state.lastNorm).toBe(total);
      expect(u.map((a) => Array.from(a))).toEqual(params.map((p) => Array.from(p.grad!)));
    }
  });
});

describe('infinity norm with a NaN gradient (found by apps/fuzz)', () => {
  it('is NaN wherever the NaN is, so errorIfNonfinite throws', () => {
    const nanFirst = [Float64Array.from([Number.NaN]), Float64Array.from([0, 1])];
    expect(globalNorm(nanFirst, Number.POSITIVE_INFINITY)).toBeNaN();
    expect(globalNorm([Float64Array.from([2, Number.NaN, 1])], Number.POSITIVE_INFINITY)).toBeNaN();
    const params = [
      { data: new Float64Array(1), grad: Float64Array.from([Number.NaN]) },
      { data: new Float64Array(1), grad: Float64Array.from([0]) },
    ];
    expect(() =>
      clipGradNorm(params, 1, { normType: Number.POSITIVE_INFINITY, errorIfNonfinite: true }),
    ).toThrow(NonFiniteNormError);
  });
});
