import {
  getKernels,
  MaxPool2d,
  maxPool2d,
  neg,
  type Pool2dOptions,
  ReLU,
  relu,
  Sequential,
  ShapeError,
  setKernels,
  sum,
  Tensor,
  tidy,
  ValueError,
} from '@hw3/core';
import { createWasmKernels, type Kernels, tsKernels } from '@hw3/core/kernels';
import { gradcheck } from '@hw3/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchNorm } from './batch-norm';
import { BatchNorm2d } from './batch-norm-2d';
import { randomArray } from './test-utils';

// batchNorm(x, { maxPool2d }) (the fused BN (+ ReLU) + max pool) must give maxPool2d(batchNorm(x)) (after relu with
// `relu`) bit for bit: values, dx, dγ, dβ and the running statistics, on the TypeScript kernels and on the
// WebAssembly path — where a 2×2 stride-2 pool of resident tensors (inside `tidy`) runs the one-pass loop
// bnNormalizePool2x2 and any other case runs batch norm, then @hw3/core's max-pool kernel.

const saved = getKernels();
afterEach(() => {
  setKernels(saved);
  vi.restoreAllMocks();
});

const wasm = createWasmKernels('simd') as Kernels;

/** Sign bits included: −0 and +0 differ, NaN payloads compared. */
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

interface Case {
  shape: number[];
  pool: Pool2dOptions;
  relu: boolean;
  training: boolean;
  /** eval mode only: a NaN and exact ties inside windows */
  special?: boolean;
}

function run(kernels: Kernels, c: Case, fused: boolean, resident: boolean) {
  setKernels(kernels);
  const { shape, pool } = c;
  const C = shape[3];
  const size = shape.reduce((a, b) => a * b, 1);
  const xs = new Float32Array(randomArray(size, 1 + C, 0.3, 1));
  if (c.special) {
    xs[5] = Number.NaN;
    // Equal values across a window's taps: the first maximum must win in both paths.
    for (let i = 0; i + shape[2] * C + C < size; i += 7 * C) {
      xs[i + C] = xs[i];
      xs[i + shape[2] * C] = xs[i];
    }
  }
  const x = new Tensor(xs, shape, { requiresGrad: true });
  const weight = new Tensor(new Float32Array(randomArray(C, 2, 1, 0.5)), [C], { requiresGrad: true });
  const bias = new Tensor(new Float32Array(randomArray(C, 3, 0, 0.5)), [C], { requiresGrad: true });
  const runningMean = new Tensor(new Float32Array(randomArray(C, 4, 0.2, 0.1)), [C]);
  const runningVar = new Tensor(new Float32Array(C).fill(1.5), [C]);
  const options = { weight, bias, training: c.training, runningMean, runningVar, relu: c.relu };
  const step = () => {
    // −(−x): exact, and inside tidy an op output in the kernels' memory, as a conv output in a training step.
    const h = neg(neg(x));
    const y = fused ? batchNorm(h, { ...options, maxPool2d: pool }) : maxPool2d(batchNorm(h, options), pool);
    const upstream = new Tensor(new Float32Array(randomArray(y.size, 9)), y.shape);
    y.backward(upstream);
    return { shape: y.shape, y: bits(y.data) };
  };
  const { shape: outShape, y } = resident ? tidy(step) : step();
  return {
    outShape,
    y,
    dx: bits(x.grad!.data),
    dw: bits(weight.grad!.data),
    db: bits(bias.grad!.data),
    rm: bits(runningMean.data),
    rv: bits(runningVar.data),
  };
}

describe('batchNorm(x, { maxPool2d }): fused batch norm (+ ReLU) + max pool', () => {
  const cases: Case[] = [];
  // The first three shapes are large enough to be resident inside tidy (≥ 1024 pooled floats: the one-pass loop).
  for (const training of [true, false])
    for (const r of [true, false])
      for (const shape of [
        [8, 28, 28, 8],
        [4, 17, 15, 8],
        [3, 14, 12, 12],
        [3, 5, 7, 4],
        [2, 5, 5, 3],
      ])
        for (const pool of [
          { kernelSize: 2 },
          { kernelSize: 3, stride: 2, padding: 1 },
          { kernelSize: 2, stride: 1 },
          { kernelSize: 2, ceilMode: true },
        ] as Pool2dOptions[])
          cases.push({ shape, pool, relu: r, training });
  cases.push({ shape: [4, 16, 18, 4], pool: { kernelSize: 2 }, relu: true, training: false, special: true });
  cases.push({ shape: [4, 16, 18, 4], pool: { kernelSize: 2 }, relu: false, training: false, special: true });

  it('equals maxPool2d(batchNorm(x)) bit for bit (values, dx, dγ, dβ, running statistics), every kernel set, in and out of tidy', () => {
    expect(wasm).not.toBeNull();
    for (const kernels of [tsKernels, wasm])
      for (const resident of [true, false])
        for (const c of cases) {
          const where = `${kernels.name} resident ${resident} ${JSON.stringify(c)}`;
          const a = run(kernels, c, true, resident);
          const b = run(kernels, c, false, resident);
          expect(a, where).toEqual(b);
        }
  });

  it('takes the one-pass loop for a 2×2 stride-2 pool of resident float32 tensors (no max-pool forward kernel call)', () => {
    const spy = vi.spyOn(wasm, 'maxPool2dForward');
    const c: Case = { shape: [4, 16, 16, 8], pool: { kernelSize: 2 }, relu: true, training: true };
    run(wasm, c, true, true);
    expect(spy).not.toHaveBeenCalled();
    // Any other case goes through the kernel (the same values, as the test above shows).
    run(wasm, c, true, false);
    expect(spy).toHaveBeenCalledTimes(1);
    run(wasm, { ...c, pool: { kernelSize: 3, stride: 2 } }, true, true);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('the output has the pooled shape, the ReLU cuts and the maximum is taken', () => {
    setKernels(tsKernels);
    const x = new Tensor(new Float32Array(randomArray(2 * 4 * 6 * 3, 5, 0, 1)), [2, 4, 6, 3]);
    const y = batchNorm(x, { training: true, relu: true, maxPool2d: { kernelSize: 2 } });
    expect(y.shape).toEqual([2, 2, 3, 3]);
    const full = relu(batchNorm(x, { training: true }));
    // out[0, 0, 0, c] = max over x rows 0..1, columns 0..1
    for (let c = 0; c < 3; c++) {
      const taps = [0, 1, 6, 7].map((p) => full.data[p * 3 + c]);
      expect(y.data[c]).toBe(Math.max(...taps));
    }
    expect(Array.from(y.data).some((v) => v === 0)).toBe(true);
  });

  it('float64 gradcheck w.r.t. x, γ, β (training, with and without ReLU)', () => {
    setKernels(tsKernels);
    const shape = [2, 4, 4, 3];
    for (const r of [true, false]) {
      const x = new Tensor(randomArray(96, 15, 0.2, 1), shape, { requiresGrad: true });
      const w = new Tensor(randomArray(3, 16, 1, 0.3), [3], { requiresGrad: true });
      const b = new Tensor(randomArray(3, 17, 0.1, 0.3), [3], { requiresGrad: true });
      gradcheck(
        (xi, wi, bi) =>
          batchNorm(xi, { weight: wi, bias: bi, training: true, relu: r, maxPool2d: { kernelSize: 2 } }),
        [x, w, b],
        { atol: 1e-7, rtol: 1e-5 },
      );
    }
  });

  it('rejects bad pool options with the errors of maxPool2d, and returnIndices', () => {
    setKernels(tsKernels);
    const x4 = new Tensor(new Float32Array(2 * 4 * 4 * 2), [2, 4, 4, 2]);
    const x2 = new Tensor(new Float32Array(8), [4, 2]);
    expect(() => batchNorm(x2, { training: true, maxPool2d: { kernelSize: 2 } })).toThrow(ShapeError);
    expect(() => batchNorm(x2, { training: true, maxPool2d: { kernelSize: 2 } })).toThrow(
      /maxPool2d: x must be/,
    );
    expect(() => batchNorm(x4, { training: true, maxPool2d: {} as Pool2dOptions })).toThrow(/kernelSize/);
    expect(() => batchNorm(x4, { training: true, maxPool2d: { kernelSize: 5 } })).toThrow(ShapeError);
    const withIndices = { kernelSize: 2, returnIndices: true } as Pool2dOptions;
    expect(() => batchNorm(x4, { training: true, maxPool2d: withIndices })).toThrow(ValueError);
    expect(() => batchNorm(x4, { training: true, maxPool2d: withIndices })).toThrow(/returnIndices/);
  });
});

describe('Sequential runs BatchNorm → ReLU → MaxPool2d as the fused op (forwardReLUMaxPool2d)', () => {
  it('same outputs, gradients and running statistics bit for bit as the layers one by one; the fused path is taken', () => {
    for (const kernels of [tsKernels, wasm]) {
      setKernels(kernels);
      const shape = [4, 6, 6, 4];
      const size = 4 * 6 * 6 * 4;
      const runLayers = (fusedPath: boolean, resident: boolean) => {
        const bn = new BatchNorm2d(4);
        const spy = vi.spyOn(bn, 'forwardReLUMaxPool2d');
        const x = new Tensor(new Float32Array(randomArray(size, 7, 0.2, 1)), shape, { requiresGrad: true });
        const out: number[][] = [];
        for (const training of [true, false]) {
          bn.train(training);
          const step = () => {
            const h = neg(neg(x));
            const y = fusedPath
              ? new Sequential(bn, new ReLU(), new MaxPool2d(2)).forward(h)
              : new MaxPool2d(2).forward(relu(bn.forward(h)));
            if (training) sum(y).backward();
            return bits(y.data);
          };
          out.push(resident ? tidy(step) : step());
        }
        return { out, dx: bits(x.grad!.data), rm: bits(bn.runningMean!.data), calls: spy.mock.calls.length };
      };
      for (const resident of [true, false]) {
        const a = runLayers(true, resident);
        const b = runLayers(false, resident);
        expect(a.calls).toBe(2);
        expect(b.calls).toBe(0);
        expect({ ...a, calls: 0 }).toEqual({ ...b, calls: 0 });
      }
    }
  });

  it('a MaxPool2d with returnIndices, or a subclass overriding forward, is not fused', () => {
    setKernels(tsKernels);
    const x = new Tensor(new Float32Array(randomArray(2 * 4 * 4 * 2, 5, 0.1, 1)), [2, 4, 4, 2]);
    const bn = new BatchNorm2d(2);
    const spy = vi.spyOn(bn, 'forwardReLUMaxPool2d');
    const withIndices = new MaxPool2d(2, { returnIndices: true });
    const y = new Sequential(bn, new ReLU(), withIndices).forward(x);
    expect(spy).not.toHaveBeenCalled();
    expect(withIndices.indices).not.toBeNull();
    let poolCalls = 0;
    class CountingPool extends MaxPool2d {
      override forward(t: Tensor): Tensor {
        poolCalls++;
        return super.forward(t);
      }
    }
    const z = new Sequential(bn, new ReLU(), new CountingPool(2)).forward(x);
    expect(spy).not.toHaveBeenCalled();
    expect(poolCalls).toBe(1);
    expect(bits(z.data)).toEqual(bits(y.data));
  });
});
