import { Conv2d, Flatten, Linear, mean, mul, ReLU, Rng, Sequential, sub, Tensor } from '@hw3/core';
import { describe, expect, it } from 'vitest';
import { BatchNorm2d } from './batch-norm-2d';

/** Plain SGD written inline (optim is another package): p ← p − lr · ∂l/∂p. */
function sgdStep(parameters: readonly Tensor[], learningRate: number): void {
  for (const p of parameters) {
    const g = p.grad;
    if (g === null) continue;
    for (let i = 0; i < p.data.length; i++) p.data[i] -= learningRate * g.data[i];
  }
}

/** 6×6 single-channel images: class 0 = a horizontal bar, class 1 = a vertical bar, plus noise. */
function barsDataset(count: number, rng: Rng): { x: Tensor; target: Tensor; labels: number[] } {
  const size = 6;
  const x = new Float32Array(count * size * size);
  const target = new Float32Array(count * 2);
  const labels: number[] = [];
  for (let n = 0; n < count; n++) {
    const label = n % 2;
    const line = rng.int(size);
    for (let h = 0; h < size; h++) {
      for (let w = 0; w < size; w++) {
        const on = label === 0 ? h === line : w === line;
        x[(n * size + h) * size + w] = (on ? 1 : 0) + 0.1 * rng.normal();
      }
    }
    target[n * 2 + label] = 1;
    labels.push(label);
  }
  return { x: new Tensor(x, [count, size, size, 1]), target: new Tensor(target, [count, 2]), labels };
}

function mse(output: Tensor, target: Tensor): Tensor {
  const d = sub(output, target);
  return mean(mul(d, d));
}

describe('BatchNorm2d in a network', () => {
  it('conv → BatchNorm2d → ReLU → flatten → linear trains with plain SGD on a small synthetic task', () => {
    const rng = new Rng(7);
    const bn = new BatchNorm2d(4);
    const model = new Sequential(
      new Conv2d(1, 4, 3, { padding: 'same', rng }),
      bn,
      new ReLU(),
      new Flatten(),
      new Linear(6 * 6 * 4, 2, { rng }),
    );
    const { x, target, labels } = barsDataset(64, rng);
    const losses: number[] = [];
    for (let step = 0; step < 80; step++) {
      model.zeroGrad();
      const loss = mse(model.call(x), target);
      loss.backward();
      losses.push(loss.item());
      sgdStep(model.parameters(), 0.1);
    }
    console.log(
      `BatchNorm2d network: loss ${losses[0].toFixed(4)} → ${losses[losses.length - 1].toFixed(4)}`,
    );
    expect(losses[losses.length - 1]).toBeLessThan(0.05 * losses[0]);
    // BatchNorm's own parameters learned something and its running statistics tracked the batches.
    expect(bn.weight!.grad!.data.some((g) => g !== 0)).toBe(true);
    expect(Array.from(bn.weight!.data).some((w) => Math.abs(w - 1) > 1e-3)).toBe(true);
    expect(bn.numBatchesTracked!.item()).toBe(80);
    expect(Array.from(bn.runningVar!.data).some((v) => Math.abs(v - 1) > 1e-3)).toBe(true);
    // Eval mode (running statistics) classifies fresh samples.
    model.eval();
    const test = barsDataset(64, new Rng(8));
    const out = model.call(test.x).data;
    let correct = 0;
    for (let n = 0; n < 64; n++) if ((out[n * 2 + 1] > out[n * 2] ? 1 : 0) === test.labels[n]) correct++;
    console.log(`BatchNorm2d network: eval accuracy on fresh samples ${correct}/64`);
    expect(correct / 64).toBeGreaterThan(0.9);
    // and the training samples
    const trainOut = model.call(x).data;
    let trainCorrect = 0;
    for (let n = 0; n < 64; n++)
      if ((trainOut[n * 2 + 1] > trainOut[n * 2] ? 1 : 0) === labels[n]) trainCorrect++;
    expect(trainCorrect / 64).toBeGreaterThan(0.9);
  });
});
