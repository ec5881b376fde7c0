import { BatchNorm2d, batchNormBackward, batchNormForward } from '@hw3/batchnorm';
import { Conv2d, Flatten, Linear, mean, mul, ReLU, Rng, Sequential, sub, Tensor } from '@hw3/core';

// 1. Functional API on plain typed arrays: x is [N, H, W, C] = [2, 2, 2, 3], channels last.
const x = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
const { output, cache } = batchNormForward(x, [2, 2, 2, 3], { gamma: Float32Array.of(1, 2, 3) });
console.log('μ_B', cache.mean, 'σ²_B', cache.variance); // per channel, over N·H·W = 8 values
const dy = Float32Array.from({ length: 24 }, (_, i) => Math.cos(i)); // ∂l/∂y
const g = batchNormBackward(dy, cache, { gamma: Float32Array.of(1, 2, 3), intermediates: true });
console.log('∂l/∂γ', g.dGamma, '∂l/∂β', g.dBeta, '∂l/∂σ²', g.intermediates?.dVariance, 'y[0]', output[0]);

// 2. A layer in a network, trained with a few steps of plain SGD.
const rng = new Rng(0);
const model = new Sequential(
  new Conv2d(1, 4, 3, { padding: 'same', rng }),
  new BatchNorm2d(4),
  new ReLU(),
  new Flatten(),
  new Linear(4 * 4 * 4, 1, { rng }),
);
const images = new Tensor(
  Float32Array.from({ length: 8 * 16 }, () => rng.normal()),
  [8, 4, 4, 1],
);
const targets = new Tensor(
  Float32Array.from({ length: 8 }, (_, i) => i % 2),
  [8, 1],
);
for (let step = 0; step < 20; step++) {
  model.zeroGrad();
  const d = sub(model.call(images), targets);
  const loss = mean(mul(d, d));
  loss.backward();
  for (const p of model.parameters()) {
    for (let i = 0; i < p.data.length; i++) p.data[i] -= 0.05 * p.grad!.data[i]; // plain SGD
  }
  if (step % 5 === 0) console.log(`step ${step} loss ${loss.item().toFixed(4)}`);
}
model.eval(); // BatchNorm2d now normalises with running_mean / running_var
console.log(Object.keys(model.stateDict())); // ..., '1.running_mean', '1.running_var', '1.num_batches_tracked', ...
