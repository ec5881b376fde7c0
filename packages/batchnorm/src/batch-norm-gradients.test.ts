import { getKernels, setKernels } from '@hw3/core';
import { createWasmKernels, type Kernels, tsKernels } from '@hw3/core/kernels';
import { afterEach, describe, expect, it } from 'vitest';
import { batchNormBackward } from './batch-norm-backward';
import { batchNormForward, batchNormInference } from './batch-norm-forward';
import { randomArray } from './test-utils';

// The float32 forward/backward run through the active @hw3/core kernels' batchNormForward / batchNormBackward when
// they have them (the WebAssembly SIMD kernels do); this package's TypeScript kernels are the reference. Both use
// float64 arithmetic and round once, so they agree to float32 rounding (the sums are only ordered differently).

const wasm = createWasmKernels('simd');
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
  it('the WebAssembly SIMD kernels load in this engine (Node 20)', () => {
    expect(wasm).not.toBeNull();
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

  it('is really used for float32 (a kernel set without it falls back), and float64 stays on the TypeScript path', () => {
    const x = new Float32Array(randomArray(4 * 8, 7));
    let calls = 0;
    const spy: Kernels = Object.assign(Object.create(wasm!) as Kernels, {
      batchNormForward(...args: Parameters<NonNullable<Kernels['batchNormForward']>>) {
        calls++;
        return wasm!.batchNormForward!(...args);
      },
    });
    setKernels(spy);
    const viaWasm = batchNormForward(x, [4, 8]).output;
    expect(calls).toBe(1);
    setKernels(tsKernels);
    expect(err(viaWasm, batchNormForward(x, [4, 8]).output)).toBeLessThan(2e-7);
    const x64 = randomArray(4 * 8, 7);
    expect(
      wasm!.batchNormForward!(
        x64,
        4,
        8,
        1e-5,
        null,
        null,
        true,
        new Float64Array(8),
        new Float64Array(8),
        new Float64Array(8),
        new Float64Array(32),
      ),
    ).toBe(false);
  });
});
