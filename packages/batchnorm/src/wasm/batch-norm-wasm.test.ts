import { getKernels, setKernels } from '@hw3/core';
import { createWasmKernels, type Kernels, tsKernels } from '@hw3/core/kernels';
import { afterEach, describe, expect, it } from 'vitest';
import { batchNormBackward } from '../batch-norm-backward';
import { batchNormForward, batchNormInference } from '../batch-norm-forward';
import { randomArray, seededUniform as seededRandom } from '../test-utils';
import { BatchNormWasm, batchNormWasmFor } from './batch-norm-wasm';

// The float32 forward/backward run through this package's WebAssembly loops when the active @hw3/core kernels are a
// WebAssembly set (getKernels().wasmVariant), on that set's memory; this package's TypeScript kernels are the reference. Both use
// float64 arithmetic and round once, so they agree to float32 rounding (the sums are only ordered differently).

const wasm = createWasmKernels('simd');
const loops = batchNormWasmFor(wasm!)!;
const saved = getKernels();
afterEach(() => setKernels(saved));

function run(kernels: Kernels, x: Float32Array, shape: number[], gamma: Float32Array, beta: Float32Array) {
  setKernels(kernels);
  const dy = new Float32Array(randomArray(x.length, 99));
  const fwd = batchNormForward(x, shape, { gamma, beta });
  const stats = {
    mean: fwd.cache.mean.slice(),
    variance: fwd.cache.variance.slice(),
    invStd: fwd.cache.invStd.slice(),
  };
  const bwd = batchNormBackward(dy, fwd.cache, { gamma });
  const noDx = batchNormBackward(dy, fwd.cache, { gamma, inputGradient: false });
  const aliased = dy.slice();
  batchNormBackward(aliased, fwd.cache, { gamma, dx: aliased });
  const running = {
    runningMean: new Float32Array(randomArray(gamma.length, 5)),
    runningVar: new Float32Array(gamma.length).fill(2),
  };
  const inf = batchNormInference(x, shape, { gamma, beta, ...running });
  return {
    y: fwd.output,
    ...stats,
    dx: bwd.dx!,
    dGamma: bwd.dGamma,
    dBeta: bwd.dBeta,
    noDx,
    aliased,
    yEval: inf.output,
  };
}

/** max |a − b| / (1 + max |b|). */
function err(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / (1 + s);
}

describe('batch norm through the WebAssembly kernels (float32)', () => {
  it('the WebAssembly SIMD kernels and the batch-norm loops load in this engine (Node 20)', () => {
    expect(wasm).not.toBeNull();
    expect(loops).not.toBeNull();
  });

  it('forward (training and eval), backward, dγ, dβ, dx = null and dx aliasing dy match the TypeScript kernels', () => {
    for (const [n, h, w, c] of [
      [64, 28, 28, 8],
      [64, 14, 14, 16],
      [3, 5, 7, 1],
      [4, 3, 3, 3],
      [2, 9, 1, 13],
      [7, 1, 1, 4],
    ]) {
      const shape = [n, h, w, c];
      const size = n * h * w * c;
      const x = new Float32Array(randomArray(size, 1 + c, 3, 2));
      const gamma = new Float32Array(randomArray(c, 2, 1, 0.5));
      const beta = new Float32Array(randomArray(c, 3));
      const ref = run(tsKernels, x, shape, gamma, beta);
      const fast = run(wasm!, x, shape, gamma, beta);
      const where = `shape [${shape}]`;
      expect(err(fast.mean, ref.mean), where).toBeLessThan(1e-13);
      expect(err(fast.variance, ref.variance), where).toBeLessThan(1e-13);
      expect(err(fast.invStd, ref.invStd), where).toBeLessThan(1e-13);
      expect(err(fast.y, ref.y), where).toBeLessThan(2e-7);
      expect(Array.from(fast.yEval), where).toEqual(Array.from(ref.yEval)); // same statistics: bit-identical
      expect(err(fast.dx, ref.dx), where).toBeLessThan(2e-7);
      expect(err(fast.dGamma, ref.dGamma), where).toBeLessThan(1e-6);
      expect(err(fast.dBeta, ref.dBeta), where).toBeLessThan(1e-6);
      expect(Array.from(fast.noDx.dGamma)).toEqual(Array.from(fast.dGamma));
      expect(fast.noDx.dx).toBeNull();
      expect(Array.from(fast.aliased)).toEqual(Array.from(fast.dx));
    }
  });

  it('is really used for float32 with WebAssembly kernels, not with the TypeScript kernels; float64 is declined', () => {
    const x = new Float32Array(randomArray(4 * 8, 7));
    const original = BatchNormWasm.prototype.forward;
    let calls = 0;
    BatchNormWasm.prototype.forward = function (this: BatchNormWasm, ...args: Parameters<typeof original>) {
      calls++;
      return original.apply(this, args);
    };
    try {
      setKernels(wasm!);
      const viaWasm = batchNormForward(x, [4, 8]).output;
      expect(calls).toBe(1);
      setKernels(tsKernels);
      expect(err(viaWasm, batchNormForward(x, [4, 8]).output)).toBeLessThan(2e-7);
      expect(calls).toBe(1);
    } finally {
      BatchNormWasm.prototype.forward = original;
    }
    const x64 = randomArray(4 * 8, 7);
    const c8 = () => new Float64Array(8);
    expect(loops.forward(x64, 4, 8, 1e-5, null, null, true, c8(), c8(), c8(), new Float64Array(32))).toBe(
      false,
    );
  });
});

/** Uniform [−1, 1) float32 values. */
function uniform32(size: number, rand: () => number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rand() * 2 - 1;
  return out;
}

/** '' when |actual − expected| ≤ atol + rtol·|expected| everywhere, else the worst index. */
function mismatch(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
): string {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (excess > worstExcess || !(excess <= worstExcess || excess > 0)) {
      worstExcess = excess;
      worst = i;
      if (Number.isNaN(excess)) break;
    }
  }
  return worst < 0 ? '' : `index ${worst}: actual ${actual[worst]}, expected ${expected[worst]}`;
}

describe('wasm batch-norm loops (float32 data, float64 arithmetic)', () => {
  /** The definitions in float64, two passes (mean, then centred variance). */
  function reference(
    x: Float32Array,
    rows: number,
    C: number,
    eps: number,
    gamma: Float32Array,
    dy: Float32Array,
  ) {
    const mean = new Float64Array(C);
    const variance = new Float64Array(C);
    const invStd = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += x[r * C + c];
      mean[c] = s / rows;
      let v = 0;
      for (let r = 0; r < rows; r++) v += (x[r * C + c] - mean[c]) ** 2;
      variance[c] = v / rows;
      invStd[c] = 1 / Math.sqrt(variance[c] + eps);
    }
    const y = new Float64Array(rows * C);
    const dx = new Float64Array(rows * C);
    const sumDy = new Float64Array(C);
    const sumDyXhat = new Float64Array(C);
    for (let i = 0; i < rows * C; i++) {
      const c = i % C;
      const xhat = (x[i] - mean[c]) * invStd[c];
      y[i] = gamma[c] * xhat + 0.25;
      sumDy[c] += dy[i];
      sumDyXhat[c] += dy[i] * xhat;
    }
    for (let i = 0; i < rows * C; i++) {
      const c = i % C;
      const xhat = (x[i] - mean[c]) * invStd[c];
      dx[i] = ((gamma[c] * invStd[c]) / rows) * (rows * dy[i] - sumDy[c] - xhat * sumDyXhat[c]);
    }
    return { mean, variance, invStd, y, dx, sumDy };
  }

  it('training forward (statistics + normalize) and backward (sums + dx) match the definitions; C = 1…16', () => {
    const rand = seededRandom(11);
    for (const [rows, C] of [
      [50, 1],
      [33, 3],
      [40, 4],
      [64 * 7 * 7, 8],
      [25, 13],
      [200, 16],
    ]) {
      const x = new Float32Array(rows * C);
      for (let i = 0; i < x.length; i++) x[i] = 5 + 3 * (rand() * 2 - 1); // |mean| > std: the shift matters
      const dy = uniform32(rows * C, rand);
      const gamma = uniform32(C, rand);
      const beta = new Float32Array(C).fill(0.25);
      const ref = reference(x, rows, C, 1e-5, gamma, dy);
      const mean = new Float64Array(C);
      const variance = new Float64Array(C);
      const invStd = new Float64Array(C);
      const y = new Float32Array(rows * C);
      expect(loops.forward(x, rows, C, 1e-5, gamma, beta, true, mean, variance, invStd, y)).toBe(true);
      const where = `rows ${rows} C ${C}`;
      expect(mismatch(mean, ref.mean, 1e-12, 1e-12), where).toBe('');
      expect(mismatch(variance, ref.variance, 1e-12, 1e-10), where).toBe('');
      expect(mismatch(y, ref.y, 1e-5, 1e-5), where).toBe('');
      const sumDy = new Float64Array(C);
      const sumDyXmu = new Float64Array(C);
      const dx = new Float32Array(rows * C);
      expect(loops.backward(dy, x, rows, C, mean, invStd, gamma, sumDy, sumDyXmu, dx)).toBe(true);
      expect(mismatch(sumDy, ref.sumDy, 1e-10, 1e-10), where).toBe('');
      expect(mismatch(dx, ref.dx, 1e-5, 1e-4), where).toBe('');
      // Eval mode reads mean / invStd: the same statistics give the same y.
      const y2 = new Float32Array(rows * C);
      expect(loops.forward(x, rows, C, 1e-5, gamma, beta, false, mean, variance, invStd, y2)).toBe(true);
      expect(Array.from(y2)).toEqual(Array.from(y));
    }
  });

  it('declines float64 (the caller runs its TypeScript kernels)', () => {
    const c1 = new Float64Array(1);
    expect(
      loops.forward(new Float64Array(4), 4, 1, 1e-5, null, null, true, c1, c1, c1, new Float64Array(4)),
    ).toBe(false);
  });
});
