import { describe, expect, test } from 'vitest';
import { tensor, zeros } from './creation';
import { ValueError } from './errors';
import { Conv2d } from './nn/conv2d';
import { Dropout, Flatten, MaxPool2d, ReLU, Sequential } from './nn/layers';
import { Linear } from './nn/linear';
import { Module, StateDictError, type TorchLayout } from './nn/module';
import { mul } from './ops/elementwise';
import { Rng } from './rng';
import { loadSafetensors, SafetensorsError } from './safetensors';
import { ShapeError } from './shape-error';
import { Tensor } from './tensor';
import {
  fromTorchStateDict,
  loadTorchSafetensors,
  nchwToNhwc,
  nhwcToNchw,
  saveTorchSafetensors,
  toTorchStateDict,
} from './torch-state-dict';

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * A per-channel scale with a step counter, declaring a BatchNorm-like PyTorch layout the way @hw3/batchnorm does
 * (which @hw3/core cannot import): hw3 names 'gamma' / 'steps', PyTorch names 'weight' / 'num_batches_tracked'
 * (int64). Training mode counts forward calls.
 */
class ChannelScale extends Module {
  readonly gamma: Tensor;
  readonly steps: Tensor;
  constructor(channels: number, rng: Rng) {
    super();
    this.gamma = this.registerParameter(
      'gamma',
      new Tensor(
        Float64Array.from({ length: channels }, () => rng.uniform(0.5, 1.5)),
        [channels],
      ),
    );
    this.steps = this.registerBuffer('steps', new Tensor(new Float64Array(1), []));
  }
  forward(x: Tensor): Tensor {
    if (this.training) this.steps.data[0]++;
    return mul(x, this.gamma);
  }
  override torchLayout(): TorchLayout {
    return {
      tensors: { gamma: { name: 'weight' }, steps: { name: 'num_batches_tracked', layout: 'int64' } },
    };
  }
}

/** hw3 input [N, 12, 8, 2] → conv 3×3 → scale → ReLU → pool 2 → conv 3×3 'same' → ReLU → pool 2 → flatten 24 → Linear 5. */
function makeNet(seed: number): Sequential {
  const rng = new Rng(seed);
  return new Sequential(
    new Conv2d(2, 3, 3, { padding: 1, rng, dtype: 'float64' }),
    new ChannelScale(3, rng),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(3, 4, 3, { padding: 'same', rng, dtype: 'float64' }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Dropout(0.25),
    new Linear(24, 5, { rng, dtype: 'float64' }),
  );
}
const INPUT: [number, number, number, number] = [2, 12, 8, 2];

function randomInput(seed: number): Tensor {
  const rng = new Rng(seed);
  const n = INPUT.reduce((a, b) => a * b, 1);
  return new Tensor(
    Float64Array.from({ length: n }, () => rng.normal()),
    INPUT,
  );
}

/** A direct NCHW implementation of the same network from a PyTorch-layout state dict (what torch.nn computes). */
function torchReference(sd: Record<string, Tensor>, xNchw: Tensor): number[] {
  type T = { d: Float64Array; s: number[] };
  const conv = (x: T, w: Tensor, b: Tensor, pad: number): T => {
    const [N, C, H, W] = x.s;
    const [O, I, kH, kW] = w.shape;
    expect(I).toBe(C);
    const d = new Float64Array(N * O * H * W);
    for (let n = 0; n < N; n++)
      for (let o = 0; o < O; o++)
        for (let h = 0; h < H; h++)
          for (let ww = 0; ww < W; ww++) {
            let acc = b.data[o];
            for (let i = 0; i < I; i++)
              for (let a = 0; a < kH; a++)
                for (let c = 0; c < kW; c++) {
                  const ih = h + a - pad;
                  const iw = ww + c - pad;
                  if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                  acc += x.d[((n * C + i) * H + ih) * W + iw] * w.data[((o * I + i) * kH + a) * kW + c];
                }
            d[((n * O + o) * H + h) * W + ww] = acc;
          }
    return { d, s: [N, O, H, W] };
  };
  const scaleRelu = (x: T, g: Tensor | null): T => {
    const [, C, H, W] = x.s;
    const d = x.d.map((v, i) => Math.max(0, g === null ? v : v * g.data[Math.floor(i / (H * W)) % C]));
    return { d, s: x.s };
  };
  const pool = (x: T): T => {
    const [N, C, H, W] = x.s;
    const oH = Math.floor(H / 2);
    const oW = Math.floor(W / 2);
    const d = new Float64Array(N * C * oH * oW);
    for (let p = 0; p < N * C; p++)
      for (let h = 0; h < oH; h++)
        for (let w = 0; w < oW; w++) {
          let m = Number.NEGATIVE_INFINITY;
          for (let a = 0; a < 2; a++)
            for (let b = 0; b < 2; b++) m = Math.max(m, x.d[(p * H + 2 * h + a) * W + 2 * w + b]);
          d[(p * oH + h) * oW + w] = m;
        }
    return { d, s: [N, C, oH, oW] };
  };
  let x: T = { d: Float64Array.from(xNchw.data), s: [...xNchw.shape] };
  x = pool(scaleRelu(conv(x, sd['0.weight'], sd['0.bias'], 1), sd['1.weight']));
  x = pool(scaleRelu(conv(x, sd['4.weight'], sd['4.bias'], 1), null));
  const [N] = x.s;
  const F = x.d.length / N; // torch.flatten of NCHW: (c, h, w) order
  const w = sd['9.weight'];
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < w.shape[0]; o++) {
      let acc = sd['9.bias'].data[o];
      for (let f = 0; f < F; f++) acc += x.d[n * F + f] * w.data[o * F + f];
      out.push(acc);
    }
  return out;
}

describe('layout transforms on hand-computed tensors', () => {
  test('Conv2d weight: hw3 OHWI [2, 1, 2, 3] → PyTorch OIHW [2, 3, 1, 2]', () => {
    const conv = new Conv2d(3, 2, [1, 2], { bias: false });
    // hw3 w[o, 0, kw, i] = 6o + 3kw + i
    conv.weight.data.set(iota(12));
    const sd = toTorchStateDict(conv);
    expect(Object.keys(sd)).toEqual(['weight']);
    expect(sd.weight.shape).toEqual([2, 3, 1, 2]);
    // PyTorch t[o, i, 0, kw] = 6o + 3kw + i
    expect(Array.from(sd.weight.data)).toEqual([0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11]);
    const back = new Conv2d(3, 2, [1, 2], { bias: false });
    fromTorchStateDict(back, sd);
    expect(Array.from(back.weight.data)).toEqual(iota(12));
  });

  test('Linear after Flatten of [N, 1, 2, 2]: columns (h, w, c) → (c, h, w)', () => {
    // hw3 feature k = (h·W + w)·C + c: (w0,c0) (w0,c1) (w1,c0) (w1,c1); PyTorch: (c0,w0) (c0,w1) (c1,w0) (c1,w1)
    const net = new Sequential(new Flatten(), new Linear(4, 1));
    (net.at(1) as Linear).weight.data.set([1, 2, 3, 4]);
    const sd = toTorchStateDict(net, { inputShape: [1, 1, 2, 2] });
    expect(Array.from(sd['1.weight'].data)).toEqual([1, 3, 2, 4]);
  });

  test('Linear after Flatten of [N, 2, 3, 2] (H ≠ W), through a ReLU and a Dropout', () => {
    const net = new Sequential(new Flatten(), new ReLU(), new Dropout(0.5), new Linear(12, 2));
    const lin = net.at(3) as Linear;
    lin.weight.data.set(iota(24));
    const sd = toTorchStateDict(net, { inputShape: [3, 2, 3, 2] });
    const [H, W, C] = [2, 3, 2];
    const expected: number[] = [];
    for (let o = 0; o < 2; o++)
      for (let c = 0; c < C; c++)
        for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) expected.push(o * 12 + (h * W + w) * C + c);
    expect(Array.from(sd['3.weight'].data)).toEqual(expected);
    expect(expected.slice(0, 6)).toEqual([0, 2, 4, 6, 8, 10]); // channel 0 first
    // a Linear not behind a Flatten (or behind one of a rank-2 tensor) keeps its columns
    const plain = new Sequential(new Flatten(), new Linear(3, 1));
    (plain.at(1) as Linear).weight.data.set([7, 8, 9]);
    expect(Array.from(toTorchStateDict(plain, { inputShape: [4, 3] })['1.weight'].data)).toEqual([7, 8, 9]);
    // nor behind a Flatten of a 3-d [N, T, F] tensor (no hw3 op makes channels-last 3-d activations)
    const seq = new Sequential(new Flatten(), new Linear(6, 1));
    (seq.at(1) as Linear).weight.data.set(iota(6));
    expect(Array.from(toTorchStateDict(seq, { inputShape: [1, 2, 3] })['1.weight'].data)).toEqual(iota(6));
    expect(Array.from(toTorchStateDict(new Linear(3, 1)).weight.data)).toHaveLength(3);
  });

  test('nhwcToNchw / nchwToNhwc', () => {
    const x = tensor(iota(12), { shape: [1, 2, 3, 2] }); // x[0, h, w, c] = (3h + w)·2 + c
    const y = nhwcToNchw(x);
    expect(y.shape).toEqual([1, 2, 2, 3]);
    expect(Array.from(y.data)).toEqual([0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11]);
    expect(Array.from(nchwToNhwc(y).data)).toEqual(iota(12));
    expect(nchwToNhwc(y).shape).toEqual([1, 2, 3, 2]);
    expect(() => nhwcToNchw(tensor([1, 2]))).toThrow(ShapeError);
  });
});

describe('a conv net with a BatchNorm-like layer: PyTorch layout', () => {
  test("names and shapes are PyTorch's; the NCHW reference computes the same logits from the converted weights", () => {
    const net = makeNet(1);
    net.train();
    net.forward(randomInput(9)); // counts one step in the ChannelScale
    net.eval();
    const x = randomInput(2);
    const logits = Array.from(net.forward(x).data);
    const sd = toTorchStateDict(net, { inputShape: [1, 12, 8, 2] });
    expect(Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, t.shape]))).toEqual({
      '0.weight': [3, 2, 3, 3],
      '0.bias': [3],
      '1.weight': [3],
      '1.num_batches_tracked': [],
      '4.weight': [4, 3, 3, 3],
      '4.bias': [4],
      '9.weight': [5, 24],
      '9.bias': [5],
    });
    expect(sd['1.num_batches_tracked'].data[0]).toBe(1);
    const ref = torchReference(sd, nhwcToNchw(x));
    expect(ref).toHaveLength(10);
    ref.forEach((v, i) => {
      expect(Math.abs(v - logits[i])).toBeLessThan(1e-12);
    });
    // without the permutation the reference would disagree (the test can fail)
    const wrong = { ...sd, '9.weight': net.stateDict()['9.weight'] };
    expect(
      Math.max(...torchReference(wrong, nhwcToNchw(x)).map((v, i) => Math.abs(v - logits[i]))),
    ).toBeGreaterThan(1e-3);
  });

  test('round trip through safetensors (I64 counter) into a differently seeded net: identical logits', () => {
    const net = makeNet(3);
    net.train();
    for (let i = 0; i < 3; i++) net.forward(randomInput(10 + i));
    net.eval();
    const x = randomInput(4);
    const bytes = saveTorchSafetensors(net, { inputShape: [1, 12, 8, 2], metadata: { format: 'pt' } });
    const header = JSON.parse(
      new TextDecoder().decode(bytes.subarray(8, 8 + new DataView(bytes.buffer).getUint32(0, true))),
    );
    expect(header['1.num_batches_tracked']).toMatchObject({ dtype: 'I64', shape: [] });
    expect(header['0.weight']).toMatchObject({ dtype: 'F64', shape: [3, 2, 3, 3] });
    expect(header.__metadata__).toEqual({ format: 'pt' });
    const other = makeNet(99);
    other.eval();
    expect(Array.from(other.forward(x).data)).not.toEqual(Array.from(net.forward(x).data));
    expect(loadTorchSafetensors(other, bytes, { inputShape: [1, 12, 8, 2] })).toEqual({
      missingKeys: [],
      unexpectedKeys: [],
    });
    expect(Array.from(other.forward(x).data)).toEqual(Array.from(net.forward(x).data));
    expect((other.at(1) as ChannelScale).steps.data[0]).toBe(3);
    // and every hw3 tensor came back bit for bit
    const a = net.stateDict();
    const b = other.stateDict();
    for (const k of Object.keys(a)) expect(Array.from(b[k].data)).toEqual(Array.from(a[k].data));
  });

  test('the conversion leaves training flags and state as they were', () => {
    const net = makeNet(5);
    net.train();
    (net.at(8) as Module).eval();
    const before = Array.from((net.at(1) as ChannelScale).steps.data);
    toTorchStateDict(net, { inputShape: [1, 12, 8, 2] });
    expect(net.training).toBe(true);
    expect((net.at(1) as Module).training).toBe(true);
    expect((net.at(8) as Module).training).toBe(false);
    expect(Array.from((net.at(1) as ChannelScale).steps.data)).toEqual(before);
  });
});

describe('typed errors', () => {
  const errorOf = (fn: () => unknown): ValueError => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ValueError);
      return e as ValueError;
    }
    throw new Error('expected a ValueError');
  };

  test('a Linear behind a Flatten needs inputShape; bad inputShape', () => {
    const e = errorOf(() => toTorchStateDict(makeNet(1)));
    expect(e.code).toBe('INPUT_SHAPE_REQUIRED');
    expect(e.message).toMatch(/options.inputShape .* is required: '9' \(Linear\) follows a Flatten/);
    for (const bad of [[], [1, 0, 2], [1.5], 'x', [2 ** 31]]) {
      expect(errorOf(() => toTorchStateDict(makeNet(1), { inputShape: bad as never })).code).toBe(
        'INVALID_OPTIONS',
      );
    }
    expect(
      errorOf(() => toTorchStateDict(makeNet(1), { inputShape: [4096, 4096, 4096, 2] })).message,
    ).toMatch(/use a batch of 1/);
    expect(errorOf(() => toTorchStateDict({} as never)).message).toMatch(
      /module must be a Module, got Object/,
    );
    // a wrong inputShape fails in the forward pass with the layer's own ShapeError
    expect(() => toTorchStateDict(makeNet(1), { inputShape: [1, 12, 8, 3] })).toThrow(ShapeError);
  });

  test('a layer that mixes feature positions between Flatten and Linear cannot be converted', () => {
    const net = new Sequential(new Flatten(), new ChannelScale(12, new Rng(1)), new Linear(12, 2));
    const e = errorOf(() => toTorchStateDict(net, { inputShape: [1, 2, 3, 2] }));
    expect(e.code).toBe('TORCH_LAYOUT_UNSUPPORTED');
    expect(e.message).toMatch(
      /'1' \(ChannelScale\) sits between a Flatten .* does not declare torchLayout\(\)\.elementwise/,
    );
    const partial = new Sequential(new Flatten(2), new Linear(6, 2));
    expect(errorOf(() => toTorchStateDict(partial, { inputShape: [1, 2, 3, 2] })).message).toMatch(
      /flattens dims 2\.\.3 of the NHWC activation \[1, 2, 3, 2\]/,
    );
  });

  test('Flatten and Linear inside a custom container are refused, not converted wrongly', () => {
    class Net extends Module {
      readonly flat = this.registerModule('flat', new Flatten());
      readonly fc = this.registerModule('fc', new Linear(12, 2));
      forward(x: Tensor): Tensor {
        return this.fc.forward(this.flat.forward(x));
      }
    }
    expect(errorOf(() => toTorchStateDict(new Net(), { inputShape: [1, 2, 3, 2] })).message).toMatch(
      /the root Net holds a Flatten and a Linear inside a container that is not a Sequential/,
    );
    // a custom container without a Flatten converts its children by their layouts
    class Wrap extends Module {
      readonly conv = this.registerModule('conv', new Conv2d(1, 1, [1, 2], { bias: false }));
      forward(x: Tensor): Tensor {
        return this.conv.forward(x);
      }
    }
    const w = new Wrap();
    w.conv.weight.data.set([1, 2]);
    expect(toTorchStateDict(w)['conv.weight'].shape).toEqual([1, 1, 1, 2]);
  });

  test('fromTorchStateDict: PyTorch shapes, PyTorch key names in StateDictError, integer counters', () => {
    const net = makeNet(1);
    const sd = toTorchStateDict(net, { inputShape: [1, 12, 8, 2] });
    const opts = { inputShape: [1, 12, 8, 2] };
    // an hw3-layout (OHWI) conv weight is refused by shape, naming the key and the PyTorch shape wanted
    expect(() => fromTorchStateDict(net, { ...sd, '0.weight': net.stateDict()['0.weight'] }, opts)).toThrow(
      /fromTorchStateDict: '0.weight' has shape \[3, 3, 3, 2\] but the module needs \[3, 2, 3, 3\] in PyTorch's layout \(OIHW\)/,
    );
    const { '1.num_batches_tracked': _, ...rest } = sd;
    let err: unknown;
    try {
      fromTorchStateDict(net, { ...rest, extra: zeros([1]) }, opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateDictError);
    expect((err as StateDictError).missingKeys).toEqual(['1.num_batches_tracked']);
    expect((err as StateDictError).unexpectedKeys).toEqual(['extra']);
    expect(fromTorchStateDict(net, rest, { ...opts, strict: false }).missingKeys).toEqual([
      '1.num_batches_tracked',
    ]);
    expect(
      errorOf(() => fromTorchStateDict(net, { ...sd, '1.num_batches_tracked': tensor(1.5) }, opts)).message,
    ).toMatch(
      /'1.num_batches_tracked' is an integer counter \(PyTorch int64\) and must hold integers, got 1.5/,
    );
    expect(errorOf(() => fromTorchStateDict(net, null as never, opts)).code).toBe('INVALID_INPUT');
    expect(errorOf(() => fromTorchStateDict(net, { ...sd, '0.bias': 3 as never }, opts)).message).toMatch(
      /tensors\['0.bias'\] must be a Tensor, got number 3/,
    );
  });

  test('a layout naming two tensors with one PyTorch key, or an unknown layout', () => {
    class Clash extends ChannelScale {
      override torchLayout(): TorchLayout {
        return { tensors: { gamma: { name: 'steps' } } };
      }
    }
    expect(errorOf(() => toTorchStateDict(new Clash(2, new Rng(1)))).message).toMatch(
      /'steps' and 'gamma' both map to the PyTorch key 'steps'/,
    );
    class Odd extends ChannelScale {
      override torchLayout(): TorchLayout {
        return { tensors: { gamma: { layout: 'nchw' as never } } };
      }
    }
    expect(errorOf(() => toTorchStateDict(new Odd(2, new Rng(1)))).message).toMatch(
      /layout of 'gamma' must be one of 'same', 'conv-ohwi', 'linear-weight', 'int64', got string "nchw"/,
    );
  });
});

describe('safetensors I64 (PyTorch int64 counters)', () => {
  test('read only on request, as float64; values beyond 2^53 refused', () => {
    const net = new ChannelScale(2, new Rng(1));
    net.steps.data[0] = 123456789012;
    const bytes = saveTorchSafetensors(net);
    expect(() => loadSafetensors(bytes)).toThrow(
      /dtype I64; supported dtypes are F32 and F64 \(pass \{ allowInt64: true \}/,
    );
    const { tensors } = loadSafetensors(bytes, { allowInt64: true });
    expect(tensors.num_batches_tracked.dtype).toBe('float64');
    expect(tensors.num_batches_tracked.data[0]).toBe(123456789012);
    // patch the I64 value to 2^60
    const big = bytes.slice();
    const headerLen = new DataView(big.buffer).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(big.subarray(8, 8 + headerLen)));
    const [begin] = header.num_batches_tracked.data_offsets;
    new DataView(big.buffer).setBigInt64(8 + headerLen + begin, 2n ** 60n, true);
    let err: unknown;
    try {
      loadSafetensors(big, { allowInt64: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SafetensorsError);
    expect((err as SafetensorsError).code).toBe('INT64_OUT_OF_RANGE');
    net.steps.data[0] = 0.5;
    expect(() => saveTorchSafetensors(net)).toThrow(/must be integers in ±\(2\^53 − 1\), got 0.5/);
    expect(() => loadSafetensors(bytes, { allowInt64: 'yes' as never })).toThrow(SafetensorsError);
  });
});
