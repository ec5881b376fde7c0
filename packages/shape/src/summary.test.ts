import { describe, expect, test } from 'vitest';
import { mnistCnnBn } from './mnist-cnn-bn.js';
import { formatSummary, type LayerSpec, summarize, summarizeNetwork } from './summary.js';
import { errorOf } from './test-utils.js';

describe('mnist-cnn-bn reference network', () => {
  const summary = summarizeNetwork(mnistCnnBn);

  test('9,146 trainable, 9,194 with BatchNorm running stats, 290,080 MACs per sample', () => {
    expect(summary.totals.trainableParams).toBe(9146);
    expect(summary.totals.nonTrainableParams).toBe(48);
    expect(summary.totals.totalParams).toBe(9194);
    expect(summary.totals.macsPerSample).toBe(290080);
    expect(summary.totals.macs).toBe(290080 * 64);
    expect(summary.batchSize).toBe(64);
    expect(summary.outputShape).toEqual([64, 10]);
  });

  test('MAC convention: conv = outH·outW·outC·kH·kW·inC/groups, linear = in·out, BN/ReLU/pool = 0', () => {
    const macs = Object.fromEntries(summary.rows.map((r) => [r.name, r.macs]));
    expect(macs).toEqual({
      conv1: 28 * 28 * 8 * 3 * 3 * 1,
      bn1: 0,
      relu1: 0,
      pool1: 0,
      conv2: 14 * 14 * 16 * 3 * 3 * 8,
      bn2: 0,
      relu2: 0,
      pool2: 0,
      flatten: 0,
      fc: 784 * 10,
    });
  });

  test('per-layer shapes and parameters', () => {
    expect(summary.rows.map((r) => [r.name, r.type, r.outputShape, r.params, r.nonTrainableParams])).toEqual([
      ['conv1', 'Conv2d', [64, 28, 28, 8], 8 * 9 + 8, 0],
      ['bn1', 'BatchNorm2d', [64, 28, 28, 8], 16, 16],
      ['relu1', 'ReLU', [64, 28, 28, 8], 0, 0],
      ['pool1', 'MaxPool2d', [64, 14, 14, 8], 0, 0],
      ['conv2', 'Conv2d', [64, 14, 14, 16], 16 * 72 + 16, 0],
      ['bn2', 'BatchNorm2d', [64, 14, 14, 16], 32, 32],
      ['relu2', 'ReLU', [64, 14, 14, 16], 0, 0],
      ['pool2', 'MaxPool2d', [64, 7, 7, 16], 0, 0],
      ['flatten', 'Flatten', [64, 784], 0, 0],
      ['fc', 'Linear', [64, 10], 7850, 0],
    ]);
  });

  test('float32 memory: input, forward activations, parameters', () => {
    const perSample = 3 * 6272 + 1568 + 3 * 3136 + 784 + 784 + 10;
    expect(summary.totals.inputBytes).toBe(4 * 64 * 784);
    expect(summary.totals.activationBytes).toBe(4 * 64 * perSample);
    expect(summary.totals.parameterBytes).toBe(4 * 9194);
    expect(summary.totals.totalBytes).toBe(4 * (64 * 784 + 64 * perSample + 9194));
  });

  test('formatted table: content lines and aligned columns', () => {
    const text = formatSummary(summary);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Network: mnist-cnn-bn (channels-last)');
    const header = lines.find((l) => l.startsWith('Layer (type)'));
    expect(header).toBeDefined();
    const conv1 = lines.find((l) => l.startsWith('conv1 (Conv2d)'));
    expect(conv1?.split(/\s{2,}/)).toEqual(['conv1 (Conv2d)', '[64, 28, 28, 8]', '80', '0', '56,448']);
    const bn1 = lines.find((l) => l.startsWith('bn1 (BatchNorm2d)'));
    expect(bn1?.split(/\s{2,}/)).toEqual(['bn1 (BatchNorm2d)', '[64, 28, 28, 8]', '16', '16', '0']);
    const fc = lines.find((l) => l.startsWith('fc (Linear)'));
    expect(fc?.split(/\s{2,}/)).toEqual(['fc (Linear)', '[64, 10]', '7,850', '0', '7,840']);
    expect(lines).toContain('Trainable params: 9,146');
    expect(lines).toContain('Non-trainable params: 48 (BatchNorm running mean and variance)');
    expect(lines).toContain('Total params: 9,194');
    expect(lines).toContain('MACs per sample: 290,080');
    expect(lines).toContain('MACs per batch of 64: 18,565,120');
    expect(lines).toContain('Params size (float32): 0.04 MB');
    // Output-shape column starts at the same place on every row; numeric columns end at the same place.
    const shapeColumn = header!.indexOf('Output shape');
    const rows = lines.filter((l) => l !== header && (/^\S+ \(\w+\)\s/.test(l) || l.startsWith('input ')));
    expect(rows).toHaveLength(11);
    for (const row of rows) {
      expect(row.indexOf('[')).toBe(shapeColumn);
      expect(row.length).toBe(header!.length);
    }
  });

  test('channels-first gives the same counts', () => {
    const first = summarize([64, 1, 28, 28], mnistCnnBn.layers, { layout: 'channels-first' });
    expect(first.rows[3].outputShape).toEqual([64, 8, 14, 14]);
    expect(first.totals).toEqual(summary.totals);
  });
});

describe('known architectures (cross-checked against published counts)', () => {
  test('LeNet-5: 61,706 parameters (PyTorch "Neural Networks" tutorial net), 416,520 MACs', () => {
    const s = summarize(
      [1, 32, 32, 1],
      [
        { type: 'conv', outChannels: 6, kernelSize: 5 },
        { type: 'relu' },
        { type: 'pool', mode: 'max', kernelSize: 2 },
        { type: 'conv', outChannels: 16, kernelSize: 5 },
        { type: 'relu' },
        { type: 'pool', mode: 'max', kernelSize: 2 },
        { type: 'flatten' },
        { type: 'linear', inFeatures: 400, outFeatures: 120 },
        { type: 'relu' },
        { type: 'linear', outFeatures: 84 },
        { type: 'relu' },
        { type: 'linear', outFeatures: 10 },
      ],
    );
    expect(s.totals.trainableParams).toBe(61706);
    expect(s.totals.macsPerSample).toBe(
      28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 400 * 120 + 120 * 84 + 84 * 10,
    );
    expect(s.totals.macsPerSample).toBe(416520);
  });

  test('VGG-16 (NCHW): 138,357,544 parameters and 15.47 GMACs (torchvision model table)', () => {
    const layers: LayerSpec[] = [];
    for (const [repeat, channels] of [
      [2, 64],
      [2, 128],
      [3, 256],
      [3, 512],
      [3, 512],
    ]) {
      for (let i = 0; i < repeat; i++) {
        layers.push({ type: 'conv', outChannels: channels, kernelSize: 3, padding: 1 }, { type: 'relu' });
      }
      layers.push({ type: 'pool', mode: 'max', kernelSize: 2 });
    }
    layers.push(
      { type: 'flatten' },
      { type: 'linear', inFeatures: 25088, outFeatures: 4096 },
      { type: 'relu' },
      { type: 'dropout' },
      { type: 'linear', outFeatures: 4096 },
      { type: 'relu' },
      { type: 'dropout' },
      { type: 'linear', outFeatures: 1000 },
    );
    const s = summarize([1, 3, 224, 224], layers, { layout: 'channels-first' });
    expect(s.totals.trainableParams).toBe(138357544);
    expect(Math.round(s.totals.macsPerSample / 1e7) / 100).toBe(15.47);
  });

  test('MobileNet v1 1.0-224 (depthwise, Keras): 4,231,976 trainable, 21,888 non-trainable, ~569M mult-adds', () => {
    const layers: LayerSpec[] = [
      { type: 'conv', outChannels: 32, kernelSize: 3, stride: 2, padding: 'same', bias: false },
      { type: 'batchNorm' },
      { type: 'relu' },
    ];
    let channels = 32;
    const blocks = [
      [1, 64],
      [2, 128],
      [1, 128],
      [2, 256],
      [1, 256],
      [2, 512],
      [1, 512],
      [1, 512],
      [1, 512],
      [1, 512],
      [1, 512],
      [2, 1024],
      [1, 1024],
    ];
    for (const [stride, out] of blocks) {
      layers.push(
        {
          type: 'conv',
          outChannels: channels,
          groups: channels,
          kernelSize: 3,
          stride,
          padding: 'same',
          bias: false,
        },
        { type: 'batchNorm' },
        { type: 'relu' },
        { type: 'conv', outChannels: out, kernelSize: 1, bias: false },
        { type: 'batchNorm' },
        { type: 'relu' },
      );
      channels = out;
    }
    layers.push(
      { type: 'pool', mode: 'avg', kernelSize: 7 },
      { type: 'dropout', p: 0.001 },
      { type: 'conv', outChannels: 1000, kernelSize: 1 },
      { type: 'flatten' },
    );
    const s = summarize([1, 224, 224, 3], layers);
    expect(s.outputShape).toEqual([1, 1000]);
    expect(s.totals.trainableParams).toBe(4231976);
    expect(s.totals.nonTrainableParams).toBe(21888);
    expect(s.totals.totalParams).toBe(4253864);
    expect(Math.round(s.totals.macsPerSample / 1e6)).toBe(569);
  });

  test('transposed convolution counts (DCGAN generator block)', () => {
    const s = summarize(
      [8, 4, 4, 512],
      [{ type: 'convTranspose', outChannels: 256, kernelSize: 4, stride: 2, padding: 1, bias: false }],
    );
    expect(s.outputShape).toEqual([8, 8, 8, 256]);
    expect(s.rows[0].params).toBe(512 * 256 * 16);
    expect(s.rows[0].macs).toBe(4 * 4 * 512 * 16 * 256);
    expect(s.rows[0].type).toBe('ConvTranspose2d');
  });
});

describe('summary errors name the layer', () => {
  test('channel mismatch between consecutive layers', () => {
    const e = errorOf(() =>
      summarize(
        [1, 28, 28, 1],
        [
          { type: 'conv', outChannels: 8, kernelSize: 3 },
          { type: 'conv', name: 'second', inChannels: 4, outChannels: 8, kernelSize: 3 },
        ],
      ),
    );
    expect(e.code).toBe('channel-mismatch');
    expect(e.layer).toBe('second');
    expect(e.message).toMatch(/^layer "second": inChannels is 4 but the input has 8 channels/);
    const bn = errorOf(() => summarize([1, 8, 8, 3], [{ type: 'batchNorm', numFeatures: 4 }]));
    expect(bn.code).toBe('channel-mismatch');
    expect(bn.layer).toBe('batchNorm1');
  });

  test('linear without flatten, or with the wrong inFeatures', () => {
    const e = errorOf(() =>
      summarize([1, 7, 7, 16], [{ type: 'linear', name: 'fc', inFeatures: 784, outFeatures: 10 }]),
    );
    expect(e.code).toBe('channel-mismatch');
    expect(e.layer).toBe('fc');
    expect(e.message).toContain('flatten');
  });

  test('too many poolings: output-too-small with layer and dimension', () => {
    const pools: LayerSpec[] = Array.from(
      { length: 6 },
      () => ({ type: 'pool', mode: 'max', kernelSize: 2 }) as const,
    );
    const e = errorOf(() => summarize([1, 28, 28, 1], pools));
    expect(e.code).toBe('output-too-small');
    expect(e.layer).toBe('maxPool5');
    expect(e.dimension).toBe(1);
    expect(e.message).toMatch(/^layer "maxPool5", dimension 1: /);
  });

  test('rank errors and malformed layers', () => {
    expect(
      errorOf(() =>
        summarize([1, 28, 28, 1], [{ type: 'flatten' }, { type: 'conv', outChannels: 4, kernelSize: 3 }]),
      ).code,
    ).toBe('rank-mismatch');
    expect(errorOf(() => summarize([1, 4], [{ type: 'dropout', p: 1.5 }])).code).toBe('invalid-layer');
    expect(errorOf(() => summarize([1, 4], [{ type: 'flatten', startDim: 0 }])).code).toBe('invalid-layer');
    expect(errorOf(() => summarize([1, 4], [{ type: 'softmax' } as unknown as LayerSpec])).code).toBe(
      'invalid-layer',
    );
    expect(errorOf(() => summarize([1, 4.5], [])).code).toBe('invalid-size');
    expect(errorOf(() => summarize([1, 4], [{ type: 'linear', outFeatures: 0 }])).code).toBe('invalid-size');
  });
});

describe('arguments of the wrong type (found by apps/fuzz)', () => {
  test('summarize: layers, a layer or options that are not objects are ShapeErrors naming them', () => {
    expect(errorOf(() => summarize([1, 4, 4, 1], undefined as never)).message).toMatch(
      /layers must be an array/,
    );
    expect(errorOf(() => summarize([1, 4, 4, 1], [null] as never)).message).toMatch(
      /layers\[0\] must be a layer spec/,
    );
    expect(errorOf(() => summarize([1, 4, 4, 1], [], null as never)).message).toMatch(
      /options must be an object/,
    );
  });
  test('summarizeNetwork and formatSummary refuse non-objects with a ShapeError', () => {
    expect(errorOf(() => summarizeNetwork(undefined as never)).message).toMatch(/spec must be a NetworkSpec/);
    expect(errorOf(() => summarizeNetwork({ inputShape: [1, 4, 4, 1] } as never)).message).toMatch(
      /layers must be an array/,
    );
    expect(errorOf(() => formatSummary(undefined as never)).message).toMatch(
      /summary must be a NetworkSummary/,
    );
    expect(errorOf(() => formatSummary({ rows: [] } as never)).message).toMatch(
      /summary must be a NetworkSummary/,
    );
  });
});
