import { Tensor } from '@hw3/core';
import { describe, expect, it } from 'vitest';
import { LossError } from './loss-error.js';
import {
  logSoftmax,
  logSoftmaxArray,
  logSoftmaxBackwardArray,
  softmax,
  softmaxArray,
  softmaxBackwardArray,
} from './softmax.js';
import { expectClose, naiveLogSoftmaxRow, numericGradient, randomArray } from './test-helpers.js';

describe('softmaxArray / logSoftmaxArray', () => {
  it('handout: softmax(z_t) = e^{z_t} / Σ_i e^{z_i} (matches the formula computed directly)', () => {
    const z = Float64Array.from([0.5, -1, 2, 0]);
    const y = softmaxArray(z, [4]);
    const denom = Math.exp(0.5) + Math.exp(-1) + Math.exp(2) + Math.exp(0);
    expectClose(
      y,
      [Math.exp(0.5) / denom, Math.exp(-1) / denom, Math.exp(2) / denom, 1 / denom],
      1e-15,
      1e-14,
    );
    expectClose(logSoftmaxArray(z, [4]), naiveLogSoftmaxRow(z), 1e-14, 1e-14);
  });

  it('works along any axis: axis 0 of [3, 4] equals the last axis of the transpose', () => {
    const x = randomArray(12, 1);
    const t = new Float64Array(12);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) t[j * 3 + i] = x[i * 4 + j];
    const a = softmaxArray(x, [3, 4], 0);
    const b = softmaxArray(t, [4, 3], -1);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 4; j++) expect(a[i * 4 + j]).toBeCloseTo(b[j * 3 + i], 15);
    const la = logSoftmaxArray(x, [3, 4], 0);
    const lb = logSoftmaxArray(t, [4, 3], 1);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 4; j++) expect(la[i * 4 + j]).toBeCloseTo(lb[j * 3 + i], 14);
  });

  it('middle axis of [2, 3, 2]: every fibre sums to 1', () => {
    const y = softmaxArray(randomArray(12, 2), [2, 3, 2], 1);
    for (let o = 0; o < 2; o++) {
      for (let k = 0; k < 2; k++) {
        let s = 0;
        for (let c = 0; c < 3; c++) s += y[o * 6 + c * 2 + k];
        expect(s).toBeCloseTo(1, 14);
      }
    }
  });

  it.each([
    ['float32', Float32Array],
    ['float64', Float64Array],
  ] as const)('is stable for logits of magnitude 1e4 (%s): no NaN, no Inf', (_name, Ctor) => {
    const z = Ctor.from([1e4, -1e4, 0, 1e4 - 1, -5e3, 9999.5]);
    const y = softmaxArray(z, [6]);
    const ly = logSoftmaxArray(z, [6]);
    for (let i = 0; i < 6; i++) {
      expect(Number.isFinite(y[i])).toBe(true);
      expect(Number.isFinite(ly[i])).toBe(true);
    }
    // Exact values: only 1e4, 1e4 − 1 and 9999.5 matter.
    const s = 1 + Math.exp(-1) + Math.exp(-0.5);
    const tol = Ctor === Float32Array ? 1e-6 : 1e-14;
    expectClose([y[0], y[3], y[5]], [1 / s, Math.exp(-1) / s, Math.exp(-0.5) / s], tol, tol);
    expectClose([ly[0], ly[1]], [-Math.log(s), -2e4 - Math.log(s)], tol, tol);
    expect(y[1]).toBe(0);
  });

  it('keeps the input type and writes into out when given', () => {
    const x = Float32Array.from([1, 2, 3]);
    const out = new Float32Array(3);
    expect(softmaxArray(x, [3], -1, out)).toBe(out);
    expect(logSoftmaxArray(x, [3])).toBeInstanceOf(Float32Array);
  });

  it('softmax backward dz = y ⊙ (dy − Σ dy⊙y) matches float64 finite differences', () => {
    const x = randomArray(15, 3);
    const dy = randomArray(15, 4);
    const shape = [3, 5];
    for (const axis of [0, 1]) {
      const y = softmaxArray(x, shape, axis);
      const analytic = softmaxBackwardArray(y, dy, shape, axis);
      const numeric = numericGradient((v) => {
        const s = softmaxArray(v, shape, axis);
        let d = 0;
        for (let i = 0; i < s.length; i++) d += s[i] * dy[i];
        return d;
      }, x);
      expectClose(analytic, numeric, 1e-8, 1e-6);
    }
  });

  it('logSoftmax backward dz = dy − softmax·Σdy matches float64 finite differences', () => {
    const x = randomArray(12, 5);
    const dy = randomArray(12, 6);
    const shape = [2, 3, 2];
    for (const axis of [0, 1, 2]) {
      const y = logSoftmaxArray(x, shape, axis);
      const analytic = logSoftmaxBackwardArray(y, dy, shape, axis);
      const numeric = numericGradient((v) => {
        const s = logSoftmaxArray(v, shape, axis);
        let d = 0;
        for (let i = 0; i < s.length; i++) d += s[i] * dy[i];
        return d;
      }, x);
      expectClose(analytic, numeric, 1e-8, 1e-6);
    }
  });

  it('rejects a bad axis, a shape that does not match, and non-float arrays with LossError', () => {
    const x = new Float64Array(6);
    expect(() => softmaxArray(x, [2, 3], 2)).toThrow(
      /axis 2 is invalid for shape \[2, 3\]; valid: integers in \[-2, 2\)/,
    );
    expect(() => softmaxArray(x, [2, 3], 0.5)).toThrow(LossError);
    expect(() => softmaxArray(x, [4, 2])).toThrow(/holds 8 elements but the array has 6/);
    expect(() => softmaxArray([1, 2] as unknown as Float64Array, [2])).toThrow(
      expect.objectContaining({ code: 'LOSS_INVALID_DTYPE' }),
    );
    expect(() => softmaxArray(x, [6], -1, new Float32Array(6))).toThrow(
      /out must be a separate Float64Array/,
    );
  });
});

describe('softmax / logSoftmax autograd ops', () => {
  it('forward equals the array functions; backward equals the array backward', () => {
    const xs = randomArray(12, 7);
    const dy = randomArray(12, 8);
    for (const [op, fwd, bwd] of [
      [softmax, softmaxArray, softmaxBackwardArray],
      [logSoftmax, logSoftmaxArray, logSoftmaxBackwardArray],
    ] as const) {
      const x = new Tensor(Float64Array.from(xs), [3, 4], { requiresGrad: true });
      const y = op(x, 0);
      expect(y.shape).toEqual([3, 4]);
      const expectedY = fwd(xs, [3, 4], 0);
      expectClose(y.data, expectedY, 0, 0);
      y.backward(new Tensor(Float64Array.from(dy), [3, 4]));
      expectClose(x.grad!.data, bwd(expectedY, dy, [3, 4], 0), 0, 0);
    }
  });

  it('is stable on float32 tensors with logits ±1e4', () => {
    const x = new Tensor(Float32Array.from([1e4, -1e4, 0, -1e4, 1e4, 1e4]), [2, 3], { requiresGrad: true });
    const y = logSoftmax(x);
    y.backward(new Tensor(Float32Array.from([1, 0, 0, 0, 1, 0]), [2, 3]));
    for (const v of [...y.data, ...x.grad!.data]) expect(Number.isFinite(v)).toBe(true);
    expect(y.data[0]).toBe(0);
    expect(y.data[4]).toBeCloseTo(-Math.LN2, 6);
  });

  it('rejects a non-tensor and a bad axis', () => {
    expect(() => softmax(new Float64Array(3) as unknown as Tensor)).toThrow(/softmax: x must be a Tensor/);
    expect(() => logSoftmax(new Tensor(new Float64Array(3), [3]), -2)).toThrow(LossError);
  });
});

describe('an out argument that is not a typed array (found by apps/fuzz)', () => {
  it('is a LossError naming out, not a TypeError', () => {
    const x = new Float32Array(6);
    expect(() => softmaxArray(x, [2, 3], -1, null as never)).toThrow(LossError);
    expect(() => logSoftmaxArray(x, [2, 3], -1, 3 as never)).toThrow(
      /out must be a separate Float32Array of length 6, got/,
    );
    expect(() => softmaxBackwardArray(x, x, [2, 3], -1, null as never)).toThrow(LossError);
  });
});
