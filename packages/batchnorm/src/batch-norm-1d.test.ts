import { Linear, mean, mul, ReLU, Rng, Sequential, sub, Tensor } from '@hw3/core';
import { describe, expect, it } from 'vitest';
import { BatchNorm1d } from './batch-norm-1d';

describe('BatchNorm1d in a network', () => {
  it('linear → BatchNorm1d → ReLU → linear fits a smooth target with plain SGD', () => {
    const rng = new Rng(3);
    const count = 128;
    const features = 4;
    const xs = new Float32Array(count * features);
    for (let i = 0; i < xs.length; i++) xs[i] = 3 * rng.normal() + 5; // badly scaled inputs: BatchNorm's use case
    const ys = new Float32Array(count);
    for (let n = 0; n < count; n++) {
      const v = (xs[n * 4] - 5) / 3 - 0.5 * ((xs[n * 4 + 1] - 5) / 3) + 0.25 * ((xs[n * 4 + 2] - 5) / 3) ** 2;
      ys[n] = v;
    }
    const x = new Tensor(xs, [count, features]);
    const y = new Tensor(ys, [count, 1]);
    const model = new Sequential(
      new Linear(features, 16, { rng }),
      new BatchNorm1d(16),
      new ReLU(),
      new Linear(16, 1, { rng }),
    );
    const losses: number[] = [];
    for (let step = 0; step < 150; step++) {
      model.zeroGrad();
      const d = sub(model.call(x), y);
      const loss = mean(mul(d, d));
      loss.backward();
      losses.push(loss.item());
      for (const p of model.parameters()) {
        for (let i = 0; i < p.data.length; i++) p.data[i] -= 0.05 * p.grad!.data[i];
      }
    }
    expect(Number.isFinite(losses[losses.length - 1])).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(0.05 * losses[0]);
    // Eval mode (running statistics, momentum 0.1) gives nearly the same fit on the training inputs.
    model.eval();
    const d = sub(model.call(x), y);
    const evalLoss = mean(mul(d, d)).item();
    console.log(
      `BatchNorm1d network: loss ${losses[0].toFixed(4)} → ${losses[losses.length - 1].toFixed(4)}, eval ${evalLoss.toFixed(4)}`,
    );
    expect(evalLoss).toBeLessThan(0.05 * losses[0]);
  });
});
