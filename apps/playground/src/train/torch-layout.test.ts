import { noGrad, Rng, Tensor } from '@hw3/core';
import {
  loadSafetensors,
  loadTorchSafetensors,
  saveTorchSafetensors,
  toTorchStateDict,
} from '@hw3/core/safetensors';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../data/mnist-cache.node.js';
import { fillBatch, type MnistData, PIXELS } from '../data/mnist-data.js';
import { Trainer } from './loop.js';
import { createMnistCnnBn } from './model.js';

let data: MnistData;
beforeAll(() => {
  data = loadMnist();
});

const INPUT_SHAPE = [1, 28, 28, 1];

function heldOutBatch(t: Trainer, n: number): Tensor {
  const x = new Float32Array(n * PIXELS);
  fillBatch(data, t.heldOutIndices, 0, n, x, new Int32Array(n));
  return new Tensor(x, [n, 28, 28, 1]);
}

describe('mnist-cnn-bn in PyTorch layout', () => {
  it('an hw3-trained model round-trips through a PyTorch-layout safetensors file with bit-identical logits', () => {
    const t = new Trainer(data, {
      epochs: 1,
      batchSize: 32,
      optimizer: 'adam',
      lr: 3e-3,
      seed: 11,
      limitTrain: 192,
      limitHeldOut: 64,
    });
    for (let i = 0; i < 6; i++) t.trainStep();
    const model = t.model;
    model.eval();
    const x = heldOutBatch(t, 64);
    const logits = noGrad(() => model.forward(x));

    const bytes = saveTorchSafetensors(model, { inputShape: INPUT_SHAPE });
    // What safetensors.torch.load_file sees: PyTorch's nn.Sequential keys, shapes and dtypes.
    const header = JSON.parse(
      new TextDecoder().decode(bytes.subarray(8, 8 + new DataView(bytes.buffer).getUint32(0, true))),
    );
    const summary = Object.fromEntries(
      Object.entries(header as Record<string, { dtype: string; shape: number[] }>).map(([k, v]) => [
        k,
        `${v.dtype}${JSON.stringify(v.shape)}`,
      ]),
    );
    expect(summary).toEqual({
      '0.weight': 'F32[8,1,3,3]',
      '0.bias': 'F32[8]',
      '1.weight': 'F32[8]',
      '1.bias': 'F32[8]',
      '1.running_mean': 'F32[8]',
      '1.running_var': 'F32[8]',
      '1.num_batches_tracked': 'I64[]',
      '4.weight': 'F32[16,8,3,3]',
      '4.bias': 'F32[16]',
      '5.weight': 'F32[16]',
      '5.bias': 'F32[16]',
      '5.running_mean': 'F32[16]',
      '5.running_var': 'F32[16]',
      '5.num_batches_tracked': 'I64[]',
      '9.weight': 'F32[10,784]',
      '9.bias': 'F32[10]',
    });
    const read = loadSafetensors(bytes, { allowInt64: true }).tensors;
    expect(read['1.num_batches_tracked'].data[0]).toBe(6);

    // The Linear's columns are in PyTorch's (c, h, w) order of the [7, 7, 16] activation.
    const hw3W = model.stateDict()['9.weight'].data;
    const torchW = read['9.weight'].data;
    for (const [o, h, w, c] of [
      [0, 0, 0, 0],
      [3, 2, 5, 7],
      [9, 6, 6, 15],
      [4, 1, 0, 12],
    ])
      expect(torchW[o * 784 + c * 49 + h * 7 + w]).toBe(hw3W[o * 784 + (h * 7 + w) * 16 + c]);

    const fresh = createMnistCnnBn(new Rng(12345));
    fresh.eval();
    expect(Array.from(noGrad(() => fresh.forward(x)).data)).not.toEqual(Array.from(logits.data));
    expect(loadTorchSafetensors(fresh, bytes, { inputShape: INPUT_SHAPE })).toEqual({
      missingKeys: [],
      unexpectedKeys: [],
    });
    const again = noGrad(() => fresh.forward(x));
    expect(Array.from(again.data)).toEqual(Array.from(logits.data));
    // trained-for-real: the running statistics moved away from their initial 0 / 1
    expect(Array.from(read['1.running_mean'].data).some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });

  it('without inputShape the Flatten → Linear permutation is refused with a typed error', () => {
    const model = createMnistCnnBn(new Rng(1));
    expect(() => toTorchStateDict(model)).toThrow(
      /options.inputShape .* is required: '9' \(Linear\) follows a Flatten/,
    );
  });
});
