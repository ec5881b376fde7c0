import { ShapeError, Tensor, ValueError } from '@hw3/core';
import { loadSafetensors, saveSafetensors } from '@hw3/core/safetensors';
import { gradcheck } from '@hw3/core/testing';
import { describe, expect, it } from 'vitest';
import { BatchNorm1d } from './batch-norm-1d';
import { BatchNorm2d } from './batch-norm-2d';
import { batchNormForward, batchNormInference } from './batch-norm-forward';
import { maxRelativeError, randomArray } from './test-utils';

// One channel, m = 4 values per step (shape [2, 2, 1, 1] for BatchNorm2d):
//   step 1: 1, 2, 3, 4 → μ = 2.5, biased σ² = 1.25, unbiased = 5/3
//   step 2: 2, 4, 6, 8 → μ = 5,   biased σ² = 5,    unbiased = 20/3
const step1 = () => new Tensor(Float32Array.of(1, 2, 3, 4), [2, 2, 1, 1]);
const step2 = () => new Tensor(Float32Array.of(2, 4, 6, 8), [2, 2, 1, 1]);

describe('BatchNorm2d / BatchNorm1d (PyTorch semantics)', () => {
  it('defaults: eps 1e-5, momentum 0.1, γ = 1, β = 0, running_mean 0, running_var 1, PyTorch state dict names', () => {
    const bn = new BatchNorm2d(3);
    expect(bn.eps).toBe(1e-5);
    expect(bn.momentum).toBe(0.1);
    expect(bn.training).toBe(true);
    expect(Object.keys(bn.stateDict())).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    expect(bn.namedParameters().map(([name]) => name)).toEqual(['weight', 'bias']);
    expect(Array.from(bn.weight!.data)).toEqual([1, 1, 1]);
    expect(Array.from(bn.bias!.data)).toEqual([0, 0, 0]);
    expect(Array.from(bn.runningMean!.data)).toEqual([0, 0, 0]);
    expect(Array.from(bn.runningVar!.data)).toEqual([1, 1, 1]);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    expect(bn.weight!.requiresGrad).toBe(true);
    expect(bn.weight!.dtype).toBe('float32');
    expect(new BatchNorm1d(2, { dtype: 'float64' }).weight!.dtype).toBe('float64');
  });

  it('running statistics, momentum 0.1 (two steps by hand): running = 0.9·running + 0.1·batch, unbiased variance', () => {
    const bn = new BatchNorm2d(1);
    bn.call(step1());
    // 0.9·0 + 0.1·2.5 = 0.25;  0.9·1 + 0.1·5/3 = 1.0666…
    expect(bn.runningMean!.data[0]).toBeCloseTo(0.25, 6);
    expect(bn.runningVar!.data[0]).toBeCloseTo(0.9 + 0.5 / 3, 6);
    bn.call(step2());
    // 0.9·0.25 + 0.1·5 = 0.725;  0.9·1.0666… + 0.1·20/3 = 1.6266…
    expect(bn.runningMean!.data[0]).toBeCloseTo(0.725, 6);
    expect(bn.runningVar!.data[0]).toBeCloseTo(0.96 + 2 / 3, 6);
    expect(bn.numBatchesTracked!.item()).toBe(2);
  });

  it('running statistics, momentum null (cumulative moving average): weights 1/1, then 1/2', () => {
    const bn = new BatchNorm2d(1, { momentum: null });
    bn.call(step1());
    expect(bn.runningMean!.data[0]).toBeCloseTo(2.5, 6);
    expect(bn.runningVar!.data[0]).toBeCloseTo(5 / 3, 6);
    bn.call(step2());
    expect(bn.runningMean!.data[0]).toBeCloseTo(3.75, 6); // (2.5 + 5) / 2
    expect(bn.runningVar!.data[0]).toBeCloseTo(25 / 6, 6); // (5/3 + 20/3) / 2
    expect(bn.numBatchesTracked!.item()).toBe(2);
  });

  it('training normalises with the biased batch variance; eval uses the running statistics and does not update them', () => {
    const bn = new BatchNorm2d(1);
    const y = bn.call(step1());
    const s = Math.sqrt(1.25 + 1e-5); // biased σ² = 1.25
    expect(maxRelativeError(y.data, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s])).toBeLessThan(1e-6);
    bn.eval();
    const before = Array.from(bn.runningMean!.data);
    const x = step2();
    const z = bn.call(x);
    const expected = batchNormInference(x.data, x.shape, {
      runningMean: bn.runningMean!.data,
      runningVar: bn.runningVar!.data,
    }).output;
    expect(Array.from(z.data)).toEqual(Array.from(expected));
    expect(Array.from(bn.runningMean!.data)).toEqual(before);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    // eval works on a single value per channel
    expect(bn.call(new Tensor(Float32Array.of(3), [1, 1, 1, 1])).data[0]).toBeCloseTo(
      (3 - 0.25) / Math.sqrt(0.9 + 0.5 / 3 + 1e-5),
      5,
    );
  });

  it('eval-mode backward is the affine one: ∂l/∂x = γ · ∂l/∂y / √(running_var + ε)', () => {
    const bn = new BatchNorm2d(2, { dtype: 'float64' });
    bn.weight!.data.set([2, -0.5]);
    bn.runningVar!.data.set([4, 0.25]);
    bn.eval();
    const x = new Tensor(randomArray(12, 1), [3, 1, 2, 2], { requiresGrad: true });
    const dy = randomArray(12, 2);
    bn.call(x).backward(new Tensor(dy.slice(), [3, 1, 2, 2]));
    const scale = [2 / Math.sqrt(4 + 1e-5), -0.5 / Math.sqrt(0.25 + 1e-5)];
    expect(
      maxRelativeError(
        x.grad!.data,
        Array.from(dy, (g, k) => g * scale[k % 2]),
      ),
    ).toBeLessThan(1e-14);
  });

  it('float64 gradcheck through the layer w.r.t. x, weight and bias, in training and in eval mode', () => {
    const bn = new BatchNorm2d(3, { dtype: 'float64' });
    bn.weight!.data.set([0.5, 1.5, -1]);
    bn.bias!.data.set([0.1, -0.2, 0.3]);
    const x = new Tensor(randomArray(2 * 3 * 2 * 3, 5, 1, 2), [2, 3, 2, 3], { requiresGrad: true });
    // The layer reads its own weight and bias; gradcheck perturbs those same tensors in place.
    gradcheck((xi) => bn.call(xi), [x, bn.weight!, bn.bias!], { atol: 1e-7, rtol: 1e-5 });
    expect(bn.numBatchesTracked!.item()).toBeGreaterThan(0);
    bn.eval();
    gradcheck((xi) => bn.call(xi), [x, bn.weight!, bn.bias!], { atol: 1e-7, rtol: 1e-5 });
  });

  it('trackRunningStats: false keeps no buffers and uses batch statistics in eval mode too', () => {
    const bn = new BatchNorm2d(1, { trackRunningStats: false });
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias']);
    const train = bn.call(step1()).data;
    bn.eval();
    expect(Array.from(bn.call(step1()).data)).toEqual(Array.from(train));
    expect(() => bn.call(new Tensor(Float32Array.of(3), [1, 1, 1, 1]))).toThrow(/Expected more than 1 value/);
  });

  it('affine: false has no parameters', () => {
    const bn = new BatchNorm1d(4, { affine: false });
    expect(bn.parameters()).toEqual([]);
    expect(Object.keys(bn.stateDict())).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    const x = randomArray(20, 3);
    const y = bn.call(new Tensor(Float32Array.from(x), [5, 4])).data;
    const ref = batchNormForward(Float32Array.from(x), [5, 4]).output;
    expect(Array.from(y)).toEqual(Array.from(ref));
  });

  it('BatchNorm1d on [N, L, C] takes statistics over N·L, like BatchNorm2d on [N, L, 1, C]', () => {
    const x = Float32Array.from(randomArray(3 * 5 * 2, 4));
    const a = new BatchNorm1d(2).call(new Tensor(x.slice(), [3, 5, 2]));
    const b = new BatchNorm2d(2).call(new Tensor(x.slice(), [3, 5, 1, 2]));
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(a.shape).toEqual([3, 5, 2]);
  });

  it('state dict round trip through loadStateDict', () => {
    const a = new BatchNorm2d(1);
    a.call(step1());
    a.weight!.data[0] = 1.5;
    const b = new BatchNorm2d(1);
    b.loadStateDict(a.stateDict());
    expect(b.runningVar!.data[0]).toBe(a.runningVar!.data[0]);
    expect(b.weight!.data[0]).toBe(1.5);
    expect(b.numBatchesTracked!.item()).toBe(1);
    b.call(step2()); // buffers still live after loading (data copied in place)
    expect(b.numBatchesTracked!.item()).toBe(2);
  });

  it('state dict survives a safetensors checkpoint (float32 statistics, float64 num_batches_tracked)', () => {
    const a = new BatchNorm2d(1, { momentum: null });
    a.call(step1());
    a.call(step2());
    const { tensors } = loadSafetensors(saveSafetensors(a.stateDict()));
    expect(Object.keys(tensors).sort()).toEqual([
      'bias',
      'num_batches_tracked',
      'running_mean',
      'running_var',
      'weight',
    ]);
    const b = new BatchNorm2d(1, { momentum: null });
    b.loadStateDict(tensors);
    expect(b.runningMean!.data[0]).toBe(a.runningMean!.data[0]);
    expect(b.runningVar!.data[0]).toBe(a.runningVar!.data[0]);
    expect(b.numBatchesTracked!.item()).toBe(2);
    b.eval();
    a.eval();
    expect(Array.from(b.call(step1()).data)).toEqual(Array.from(a.call(step1()).data));
  });

  it('one value per channel in training mode throws and leaves the state unchanged', () => {
    const bn = new BatchNorm1d(3);
    const call = () => bn.call(new Tensor(new Float32Array(3), [1, 3]));
    expect(call).toThrow(ValueError);
    expect(call).toThrow(/Expected more than 1 value per channel when training/);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    expect(Array.from(bn.runningVar!.data)).toEqual([1, 1, 1]);
  });

  it('wrong rank or channel count throws a ShapeError naming the layer, argument, value and what is valid', () => {
    const bn2 = new BatchNorm2d(16);
    expect(() => bn2.call(new Tensor(new Float32Array(32), [2, 16]))).toThrow(ShapeError);
    expect(() => bn2.call(new Tensor(new Float32Array(32), [2, 16]))).toThrow(
      /BatchNorm2d: x must have rank 4 \(\[N, H, W, C\], channels last\), got rank 2 with shape \[2, 16\]/,
    );
    expect(() => bn2.call(new Tensor(new Float32Array(64), [2, 2, 2, 8]))).toThrow(
      /BatchNorm2d: x must have 16 channels \(numFeatures\) in its last dimension, got 8 in shape \[2, 2, 2, 8\]/,
    );
    const bn1 = new BatchNorm1d(4);
    expect(() => bn1.call(new Tensor(new Float32Array(16), [1, 2, 2, 4]))).toThrow(
      /BatchNorm1d: x must have rank 2 or 3 \(\[N, C\] or \[N, L, C\], channels last\), got rank 4/,
    );
    const f64 = new Tensor(new Float64Array(8), [2, 4]);
    expect(() => bn1.call(f64)).toThrow(/BatchNorm1d: x must have the layer's dtype float32, got float64/);
  });

  it('rejects bad constructor options with a typed error', () => {
    expect(() => new BatchNorm2d(0)).toThrow(/numFeatures must be a positive integer.*got 0/);
    expect(() => new BatchNorm2d(2.5)).toThrow(ValueError);
    expect(() => new BatchNorm2d(4, { momentum: -0.1 })).toThrow(
      /momentum must be a number in \[0, 1\] or null.*-0.1/,
    );
    expect(() => new BatchNorm2d(4, { eps: -1 })).toThrow(/eps must be a finite number > 0/);
  });

  it('a momentum set on the field after construction is checked too, before any state changes', () => {
    const bn = new BatchNorm2d(1);
    bn.momentum = 1.5;
    expect(() => bn.call(step1())).toThrow(/momentum must be a number in \[0, 1\] or null.*1.5/);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    expect(bn.runningMean!.data[0]).toBe(0);
  });
});

describe('layer options that are not an object (found by apps/fuzz)', () => {
  it('BatchNorm1d / BatchNorm2d refuse them with a ValueError, not a TypeError', () => {
    expect(() => new BatchNorm1d(3, null as never)).toThrow(/options must be an object, got null/);
    expect(() => new BatchNorm2d(3, 5 as never)).toThrow(ValueError);
  });
});

describe('a huge numFeatures (found by apps/fuzz)', () => {
  it('is refused with a ValueError before allocating, not a RangeError', () => {
    expect(() => new BatchNorm1d(2 ** 33)).toThrow(
      /numFeatures must be a positive integer \(the number of channels\) at most 2\^32 − 1/,
    );
    expect(() => new BatchNorm2d(1e15)).toThrow(ValueError);
  });
});
