import { getKernels, relu, setKernels, sum, Tensor, ValueError } from '@hw3/core';
import { createWasmKernels, type Kernels, tsKernels } from '@hw3/core/kernels';
import { gradcheck } from '@hw3/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { batchNorm } from './batch-norm';
import { randomArray } from './test-utils';

// The fused BN + ReLU (`relu: true`) must give relu(batchNorm(x)) bit for bit, values and gradients, on the
// TypeScript kernels and on the WebAssembly path (where the mask is recomputed inside the wasm loops).

const saved = getKernels();
afterEach(() => setKernels(saved));

function grads(kernels: Kernels, fused: boolean, shape: number[], training: boolean) {
  setKernels(kernels);
  const C = shape[shape.length - 1];
  const size = shape.reduce((a, b) => a * b, 1);
  const x = new Tensor(new Float32Array(randomArray(size, 1 + C, 0.3, 1)), shape, { requiresGrad: true });
  const weight = new Tensor(new Float32Array(randomArray(C, 2, 1, 0.5)), [C], { requiresGrad: true });
  const bias = new Tensor(new Float32Array(randomArray(C, 3, 0, 0.5)), [C], { requiresGrad: true });
  const runningMean = new Tensor(new Float32Array(randomArray(C, 4, 0.2, 0.1)), [C]);
  const runningVar = new Tensor(new Float32Array(C).fill(1.5), [C]);
  const options = { weight, bias, training, runningMean, runningVar };
  const y = fused ? batchNorm(x, { ...options, relu: true }) : relu(batchNorm(x, options));
  const upstream = new Tensor(new Float32Array(randomArray(size, 9)), shape);
  y.backward(upstream);
  return {
    y: Array.from(y.data),
    dx: Array.from(x.grad!.data),
    dw: Array.from(weight.grad!.data),
    db: Array.from(bias.grad!.data),
  };
}

describe('batchNorm(x, { relu: true }): fused BN + ReLU', () => {
  const wasm = createWasmKernels('simd');

  it('equals relu(batchNorm(x)) bit for bit (values, dx, dγ, dβ), TypeScript and WebAssembly, training and eval', () => {
    expect(wasm).not.toBeNull();
    for (const kernels of [tsKernels, wasm!])
      for (const training of [true, false])
        for (const shape of [
          [16, 28, 28, 8],
          [3, 5, 7, 1],
          [2, 9, 1, 13],
          [7, 6],
        ]) {
          const where = `${kernels.name} training ${training} [${shape}]`;
          const fused = grads(kernels, true, shape, training);
          const plain = grads(kernels, false, shape, training);
          expect(fused.y, where).toEqual(plain.y);
          expect(fused.dx, where).toEqual(plain.dx);
          expect(fused.dw, where).toEqual(plain.dw);
          expect(fused.db, where).toEqual(plain.db);
          expect(fused.y.some((v) => v === 0) && fused.y.some((v) => v > 0), where).toBe(true);
        }
  });

  it('float64 gradcheck w.r.t. x, γ, β (training)', () => {
    const shape = [4, 3, 2];
    const x = new Tensor(randomArray(24, 5, 0.2, 1), shape, { requiresGrad: true });
    const w = new Tensor(randomArray(2, 6, 1, 0.3), [2], { requiresGrad: true });
    const b = new Tensor(randomArray(2, 7, 0.1, 0.3), [2], { requiresGrad: true });
    gradcheck(
      (xi, wi, bi) => batchNorm(xi, { weight: wi, bias: bi, training: true, relu: true }),
      [x, w, b],
      {
        atol: 1e-7,
        rtol: 1e-5,
      },
    );
    // The ReLU really cuts: some outputs are 0.
    const y = batchNorm(x, { weight: w, bias: b, training: true, relu: true });
    expect(Array.from(y.data).filter((v) => v === 0).length).toBeGreaterThan(0);
    expect(sum(y).data[0]).toBeGreaterThan(0);
  });

  it('rejects a non-boolean relu option with a ValueError naming it', () => {
    const x = new Tensor(new Float64Array(8), [4, 2]);
    expect(() => batchNorm(x, { training: true, relu: 1 as unknown as boolean })).toThrow(ValueError);
    expect(() => batchNorm(x, { training: true, relu: 1 as unknown as boolean })).toThrow(/options\.relu/);
  });
});

describe('BatchNorm2d({ relu: true })', () => {
  it('is BatchNorm2d followed by ReLU, bit for bit, in training and eval mode', async () => {
    const { BatchNorm2d } = await import('./batch-norm-2d');
    const fused = new BatchNorm2d(3, { relu: true });
    const plain = new BatchNorm2d(3);
    const x = new Tensor(new Float32Array(randomArray(2 * 4 * 4 * 3, 11, 0.2, 1)), [2, 4, 4, 3]);
    expect(Array.from(fused.forward(x).data)).toEqual(Array.from(relu(plain.forward(x)).data));
    fused.eval();
    plain.eval();
    expect(Array.from(fused.forward(x).data)).toEqual(Array.from(relu(plain.forward(x)).data));
    expect(String(fused)).toContain('relu=true');
    expect(() => new BatchNorm2d(3, { relu: 'yes' as unknown as boolean })).toThrow(/relu must be a boolean/);
  });
});

describe('Sequential runs a BatchNorm layer followed by ReLU as the fused pass (forwardReLU)', () => {
  it('same outputs, gradients and running statistics bit for bit as the two layers one by one; the fused path is taken', async () => {
    const { BatchNorm2d } = await import('./batch-norm-2d');
    const { ReLU, Sequential } = await import('@hw3/core');
    for (const kernels of [tsKernels, createWasmKernels()!]) {
      setKernels(kernels);
      const shape = [4, 6, 6, 3];
      const size = 4 * 6 * 6 * 3;
      const run = (fusedPath: boolean) => {
        const bn = new BatchNorm2d(3);
        let fusedCalls = 0;
        const forwardReLU = bn.forwardReLU.bind(bn);
        bn.forwardReLU = (t: Tensor) => {
          fusedCalls++;
          return forwardReLU(t);
        };
        const x = new Tensor(new Float32Array(randomArray(size, 7, 0.2, 1)), shape, { requiresGrad: true });
        const out: number[][] = [];
        for (const training of [true, false]) {
          bn.train(training);
          const y = fusedPath ? new Sequential(bn, new ReLU()).forward(x) : relu(bn.forward(x));
          if (training) sum(y).backward();
          out.push(Array.from(y.data));
        }
        return { out, dx: Array.from(x.grad!.data), rm: Array.from(bn.runningMean!.data), fusedCalls };
      };
      const a = run(true);
      const b = run(false);
      expect(a.fusedCalls).toBe(2);
      expect(b.fusedCalls).toBe(0);
      expect(a.out).toEqual(b.out);
      expect(a.dx).toEqual(b.dx);
      expect(a.rm).toEqual(b.rm);
    }
  });
});

describe('Sequential fusion keeps overridden forwards', () => {
  it('a ReLU subclass with its own forward, or a BatchNorm subclass overriding forward, is not bypassed', async () => {
    const { BatchNorm2d } = await import('./batch-norm-2d');
    const { ReLU, Sequential } = await import('@hw3/core');
    setKernels(tsKernels);
    const shape = [2, 3, 3, 2];
    const x = new Tensor(new Float32Array(randomArray(36, 5, 0.1, 1)), shape);
    let reluCalls = 0;
    class CountingReLU extends ReLU {
      override forward(t: Tensor): Tensor {
        reluCalls++;
        return super.forward(t);
      }
    }
    const plain = new Sequential(new BatchNorm2d(2), new ReLU()).forward(x);
    expect(Array.from(new Sequential(new BatchNorm2d(2), new CountingReLU()).forward(x).data)).toEqual(
      Array.from(plain.data),
    );
    expect(reluCalls).toBe(1);
    let bnCalls = 0;
    class CountingBatchNorm extends BatchNorm2d {
      override forward(t: Tensor): Tensor {
        bnCalls++;
        return super.forward(t);
      }
    }
    expect(Array.from(new Sequential(new CountingBatchNorm(2), new ReLU()).forward(x).data)).toEqual(
      Array.from(plain.data),
    );
    expect(bnCalls).toBe(1);
  });
});
