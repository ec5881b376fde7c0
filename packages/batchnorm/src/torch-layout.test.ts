import { Tensor } from '@hw3/core';
import {
  fromTorchStateDict,
  loadSafetensors,
  saveTorchSafetensors,
  toTorchStateDict,
} from '@hw3/core/safetensors';
import { describe, expect, it } from 'vitest';
import { BatchNorm1d } from './batch-norm-1d';
import { BatchNorm2d } from './batch-norm-2d';

describe('BatchNorm in @hw3/core PyTorch-layout state dicts', () => {
  it("PyTorch's keys; num_batches_tracked is PyTorch's int64 (I64 in safetensors)", () => {
    const bn = new BatchNorm2d(3);
    bn.forward(
      new Tensor(
        Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)),
        [2, 2, 2, 3],
      ),
    );
    bn.forward(
      new Tensor(
        Float32Array.from({ length: 24 }, (_, i) => Math.cos(i)),
        [2, 2, 2, 3],
      ),
    );
    const sd = toTorchStateDict(bn);
    expect(Object.keys(sd)).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(sd.num_batches_tracked.shape).toEqual([]);
    expect(sd.num_batches_tracked.data[0]).toBe(2);
    const bytes = saveTorchSafetensors(bn);
    const header = JSON.parse(
      new TextDecoder().decode(bytes.subarray(8, 8 + new DataView(bytes.buffer).getUint32(0, true))),
    );
    expect(header.num_batches_tracked.dtype).toBe('I64');
    expect(header.running_var.dtype).toBe('F32');
    const back = new BatchNorm2d(3);
    fromTorchStateDict(back, loadSafetensors(bytes, { allowInt64: true }).tensors);
    expect(Array.from(back.runningVar?.data ?? [])).toEqual(Array.from(bn.runningVar?.data ?? []));
    expect(back.numBatchesTracked?.data[0]).toBe(2);
  });

  it('without running statistics there is no counter to declare', () => {
    const bn = new BatchNorm2d(2, { trackRunningStats: false });
    expect(Object.keys(toTorchStateDict(bn))).toEqual(['weight', 'bias']);
    expect(bn.torchLayout()).toEqual({});
    expect(Object.keys(toTorchStateDict(new BatchNorm1d(2, { affine: false })))).toEqual([
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
  });
});
