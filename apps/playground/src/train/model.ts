/** mnist-cnn-bn (the contract's reference network), built from @hw3/core layers and @hw3/batchnorm. */
import { BatchNorm2d } from '@hw3/batchnorm';
import { Conv2d, type DType, Flatten, Linear, MaxPool2d, ReLU, type Rng, Sequential } from '@hw3/core';

/**
 * Input [N, 28, 28, 1] NHWC → conv 3×3 1→8 'same' → BN → ReLU → maxpool 2 → conv 3×3 8→16 'same' → BN → ReLU
 * → maxpool 2 → flatten (784) → linear 784→10. 9,146 trainable parameters.
 */
export function createMnistCnnBn(rng: Rng, dtype: DType = 'float32'): Sequential {
  return new Sequential(
    new Conv2d(1, 8, 3, { padding: 'same', rng, dtype }),
    new BatchNorm2d(8, { dtype }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(8, 16, 3, { padding: 'same', rng, dtype }),
    new BatchNorm2d(16, { dtype }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(784, 10, { rng, dtype }),
  );
}

export function countParameters(model: Sequential): number {
  let n = 0;
  for (const p of model.parameters()) n += p.size;
  return n;
}
