import { Tensor } from '@hw3/core';
import { gradcheck } from '@hw3/core/testing';
import { describe, expect, it } from 'vitest';
import { binaryCrossEntropyWithLogits } from './binary-cross-entropy-with-logits.js';
import { crossEntropy } from './cross-entropy.js';
import { mseLoss } from './mse-loss.js';
import { nllLoss } from './nll-loss.js';
import { logSoftmax, softmax } from './softmax.js';
import { randomArray } from './test-helpers.js';

const reductions = ['mean', 'sum', 'none'] as const;

function leaf(values: Float64Array, shape: number[]): Tensor {
  return new Tensor(Float64Array.from(values), shape, { requiresGrad: true });
}

/** Probability rows bounded away from 0 (so finite-difference steps stay valid probabilities). */
function probabilities(rows: number, classes: number, seed: number): Float64Array {
  const y = randomArray(rows * classes, seed, 0.1, 1);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let c = 0; c < classes; c++) s += y[i * classes + c];
    for (let c = 0; c < classes; c++) y[i * classes + c] /= s;
  }
  return y;
}

describe('float64 gradcheck (@hw3/core/testing) of every op', () => {
  it.each([0, 1, 2, -1])('softmax and logSoftmax along axis %d of [2, 3, 4]', (axis) => {
    const x = randomArray(24, 10 + axis);
    gradcheck((t) => softmax(t, axis), [leaf(x, [2, 3, 4])]);
    gradcheck((t) => logSoftmax(t, axis), [leaf(x, [2, 3, 4])]);
  });

  it.each(reductions)(
    'crossEntropy, class indices, weights + label smoothing + ignoreIndex (%s)',
    (reduction) => {
      const z = leaf(randomArray(24, 20), [2, 3, 4]);
      const target = [3, 0, -100, 1, 2, 2];
      for (const labelSmoothing of [0, 0.2]) {
        gradcheck((t) => crossEntropy(t, target, { reduction, labelSmoothing, weight: [0.5, 2, 1, 3] }), [z]);
        gradcheck((t) => crossEntropy(t, target, { reduction, labelSmoothing }), [z]);
      }
    },
  );

  it.each(reductions)('crossEntropy, probability targets: ∂/∂logits and ∂/∂targets (%s)', (reduction) => {
    const z = leaf(randomArray(12, 30), [3, 4]);
    const y = leaf(probabilities(3, 4, 31), [3, 4]);
    gradcheck(
      (a, b) => crossEntropy(a, b, { reduction, labelSmoothing: 0.1, weight: [1, 2, 0.5, 1.5] }),
      [z, y],
    );
  });

  it('crossEntropy with large mixed logits (±30) still matches finite differences', () => {
    const z = leaf(Float64Array.from([30, -30, 0, -30, 30, 29.5]), [2, 3]);
    gradcheck((t) => crossEntropy(t, [1, 0], { labelSmoothing: 0.05 }), [z]);
  });

  it.each(reductions)('nllLoss with weights and ignoreIndex (%s)', (reduction) => {
    const x = leaf(randomArray(15, 40), [5, 3]);
    gradcheck((t) => nllLoss(t, [2, -100, 0, 1, 1], { reduction, weight: [1, 0.25, 4] }), [x]);
  });

  it.each(reductions)('mseLoss, input and target (%s)', (reduction) => {
    const x = leaf(randomArray(6, 50), [2, 3]);
    const y = leaf(randomArray(6, 51), [2, 3]);
    gradcheck((a, b) => mseLoss(a, b, { reduction }), [x, y]);
  });

  it.each(reductions)(
    'binaryCrossEntropyWithLogits with weight and posWeight, input and target (%s)',
    (reduction) => {
      const x = leaf(randomArray(8, 60, -5, 5), [2, 4]);
      const y = leaf(randomArray(8, 61, 0.05, 0.95), [2, 4]);
      const options = { reduction, weight: [1, 2, 0.5, 3], posWeight: [2, 1, 4, 0.5] };
      gradcheck((a, b) => binaryCrossEntropyWithLogits(a, b, options), [x, y]);
    },
  );

  it('gradcheck can fail: a wrong backward (softmax − y without the 1/N of the mean) is caught', () => {
    // Sanity check of the harness on this package's ops: compare 'sum' gradients against a 'mean' forward.
    const z = leaf(randomArray(6, 70), [2, 3]);
    let calls = 0;
    const wrong = (t: Tensor): Tensor => {
      calls++;
      // The first call (the analytic pass) uses 'sum', the finite-difference calls use 'mean'.
      return crossEntropy(t, [0, 2], { reduction: calls === 1 ? 'sum' : 'mean' });
    };
    expect(() => gradcheck(wrong, [z])).toThrow(/gradcheck failed/);
  });
});
