import { convGeometryAt } from './conv-shape.js';
import { convTransposeGeometryAt } from './conv-transpose-shape.js';
import { checkLayout, checkShape, type Layout } from './layout.js';
import { formatValue, type Padding, type PaddingPair } from './padding.js';
import { poolGeometryAt } from './pool-shape.js';
import { checkInteger, type ErrorContext, fail, withLayer } from './shape-error.js';

interface BaseLayerSpec {
  /** Row label; default `<kind><n>` (e.g. `conv1`, `batchNorm2`). */
  readonly name?: string;
}

/** N-d convolution; the spatial rank comes from the incoming shape. */
export interface ConvLayerSpec extends BaseLayerSpec {
  readonly type: 'conv';
  readonly outChannels: number;
  readonly kernelSize: number | readonly number[];
  readonly stride?: number | readonly number[];
  readonly padding?: Padding;
  readonly dilation?: number | readonly number[];
  readonly groups?: number;
  /** Default true. */
  readonly bias?: boolean;
  /** If given, checked against the incoming channels (`channel-mismatch`). */
  readonly inChannels?: number;
}

/**
 * N-d transposed convolution (PyTorch `nn.ConvTransposeNd`); the spatial rank comes from the incoming shape.
 */
export interface ConvTransposeLayerSpec extends BaseLayerSpec {
  readonly type: 'convTranspose';
  readonly outChannels: number;
  readonly kernelSize: number | readonly number[];
  readonly stride?: number | readonly number[];
  readonly padding?: number | 'valid' | readonly (number | PaddingPair)[];
  readonly dilation?: number | readonly number[];
  readonly outputPadding?: number | readonly number[];
  readonly groups?: number;
  readonly bias?: boolean;
  readonly inChannels?: number;
}

/** N-d max or average pooling (PyTorch `nn.MaxPoolNd` / `nn.AvgPoolNd`). */
export interface PoolLayerSpec extends BaseLayerSpec {
  readonly type: 'pool';
  readonly mode: 'max' | 'avg';
  readonly kernelSize: number | readonly number[];
  readonly stride?: number | readonly number[];
  readonly padding?: Padding;
  readonly dilation?: number | readonly number[];
  readonly ceilMode?: boolean;
}

/** Batch normalization over the channel axis (the features of a rank-2 input). */
export interface BatchNormLayerSpec extends BaseLayerSpec {
  readonly type: 'batchNorm';
  /** Learnable gamma and beta (2·C trainable). Default true. */
  readonly affine?: boolean;
  /** Running mean and variance (2·C non-trainable, as Keras counts them). Default true. */
  readonly trackRunningStats?: boolean;
  /** If given, checked against the incoming channels (`channel-mismatch`). */
  readonly numFeatures?: number;
}

/** Elementwise ReLU: shape unchanged, no parameters. */
export interface ReluLayerSpec extends BaseLayerSpec {
  readonly type: 'relu';
}

/** Flattens dims startDim..end into one (PyTorch nn.Flatten). */
export interface FlattenLayerSpec extends BaseLayerSpec {
  readonly type: 'flatten';
  /** Default 1; negative counts from the end. Must leave the batch dim alone. */
  readonly startDim?: number;
}

/** Fully connected layer on the last dimension (PyTorch nn.Linear). */
export interface LinearLayerSpec extends BaseLayerSpec {
  readonly type: 'linear';
  readonly outFeatures: number;
  /** If given, checked against the incoming last dimension (`channel-mismatch`). */
  readonly inFeatures?: number;
  readonly bias?: boolean;
}

/** Dropout: shape unchanged, no parameters. */
export interface DropoutLayerSpec extends BaseLayerSpec {
  readonly type: 'dropout';
  /** Drop probability in [0, 1]. Default 0.5. */
  readonly p?: number;
}

/** One layer of a {@link NetworkSpec}, told apart by its `type`. */
export type LayerSpec =
  | ConvLayerSpec
  | ConvTransposeLayerSpec
  | PoolLayerSpec
  | BatchNormLayerSpec
  | ReluLayerSpec
  | FlattenLayerSpec
  | LinearLayerSpec
  | DropoutLayerSpec;

/** A whole network: input shape (batch first) and its layers in order. */
export interface NetworkSpec {
  readonly name?: string;
  readonly inputShape: readonly number[];
  readonly layers: readonly LayerSpec[];
  /** Default `'channels-last'`. */
  readonly layout?: Layout;
}

/** One row of a network summary: a layer, its output shape, parameter counts and MACs. */
export interface SummaryRow {
  readonly index: number;
  readonly name: string;
  /** PyTorch-style class name, e.g. `Conv2d`, `BatchNorm2d`, `MaxPool2d`. */
  readonly type: string;
  readonly outputShape: number[];
  /** Trainable parameters (weights, biases, BatchNorm gamma and beta). */
  readonly params: number;
  /** Non-trainable state (BatchNorm running mean and variance). */
  readonly nonTrainableParams: number;
  /** Multiply-accumulates for one sample (see README for the convention). */
  readonly macs: number;
}

/** The totals of a network summary: parameters, MACs and float32 memory for one forward pass of the batch. */
export interface SummaryTotals {
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
  readonly totalParams: number;
  readonly macsPerSample: number;
  /** macsPerSample · batchSize. */
  readonly macs: number;
  /** float32 bytes of the input batch. */
  readonly inputBytes: number;
  /** float32 bytes of every layer's output for the whole batch (one forward pass). */
  readonly activationBytes: number;
  /** float32 bytes of trainable and non-trainable parameters. */
  readonly parameterBytes: number;
  readonly totalBytes: number;
}

/**
 * What `summarizeNetwork` returns: one row per layer and the totals (`formatSummary` prints it as a table).
 */
export interface NetworkSummary {
  readonly name: string | undefined;
  readonly inputShape: number[];
  readonly outputShape: number[];
  readonly layout: Layout;
  readonly batchSize: number;
  readonly rows: SummaryRow[];
  readonly totals: SummaryTotals;
}

const product = (values: readonly number[]): number => values.reduce((a, b) => a * b, 1);

/** Channel axis of an activation: last for channels-last or rank 2, 1 for channels-first. */
function channelAxis(shape: readonly number[], layout: Layout): number {
  return layout === 'channels-first' || shape.length === 2 ? 1 : shape.length - 1;
}

const LAYER_TYPES: readonly LayerSpec['type'][] = [
  'conv',
  'convTranspose',
  'pool',
  'batchNorm',
  'relu',
  'flatten',
  'linear',
  'dropout',
];

interface LayerResult {
  type: string;
  outputShape: number[];
  params: number;
  nonTrainableParams: number;
  macs: number;
}

function layerResult(
  layer: LayerSpec,
  shape: readonly number[],
  layout: Layout,
  context: ErrorContext,
): LayerResult {
  const rank = shape.length;
  switch (layer.type) {
    case 'conv': {
      const g = convGeometryAt('conv', shape, { ...layer, layout }, undefined, context);
      const kernelVolume = product(g.kernelSize);
      const bias = layer.bias ?? true;
      return {
        type: `Conv${g.kernelSize.length}d`,
        outputShape: g.outputShape,
        params: g.outChannels * kernelVolume * (g.inChannels / g.groups) + (bias ? g.outChannels : 0),
        nonTrainableParams: 0,
        macs: product(g.outputSize) * g.outChannels * kernelVolume * (g.inChannels / g.groups),
      };
    }
    case 'convTranspose': {
      const g = convTransposeGeometryAt('convTranspose', shape, { ...layer, layout }, undefined, context);
      const weights = g.inChannels * product(g.kernelSize) * (g.outChannels / g.groups);
      return {
        type: `ConvTranspose${g.kernelSize.length}d`,
        outputShape: g.outputShape,
        params: weights + ((layer.bias ?? true) ? g.outChannels : 0),
        nonTrainableParams: 0,
        macs: product(g.inputSize) * weights,
      };
    }
    case 'pool': {
      if (layer.mode !== 'max' && layer.mode !== 'avg') {
        fail('invalid-layer', `pool mode must be 'max' or 'avg', got ${String(layer.mode)}`, {}, context);
      }
      const g = poolGeometryAt('pool', shape, { ...layer, layout }, undefined, context);
      return {
        type: `${layer.mode === 'max' ? 'Max' : 'Avg'}Pool${g.kernelSize.length}d`,
        outputShape: g.outputShape,
        params: 0,
        nonTrainableParams: 0,
        macs: 0,
      };
    }
    case 'batchNorm': {
      if (rank < 2) {
        fail('rank-mismatch', `batchNorm input must have rank >= 2, got rank ${rank}`, { rank }, context);
      }
      const axis = channelAxis(shape, layout);
      const channels = shape[axis];
      if (layer.numFeatures !== undefined && layer.numFeatures !== channels) {
        fail(
          'channel-mismatch',
          `numFeatures is ${layer.numFeatures} but the previous layer produces ${channels} channels ` +
            `(dimension ${axis}); valid: numFeatures ${channels}`,
          { numFeatures: layer.numFeatures, inputChannels: channels },
          context,
        );
      }
      return {
        type: `BatchNorm${Math.max(1, rank - 2)}d`,
        outputShape: [...shape],
        params: (layer.affine ?? true) ? 2 * channels : 0,
        nonTrainableParams: (layer.trackRunningStats ?? true) ? 2 * channels : 0,
        macs: 0,
      };
    }
    case 'relu':
      return { type: 'ReLU', outputShape: [...shape], params: 0, nonTrainableParams: 0, macs: 0 };
    case 'dropout': {
      const p = layer.p ?? 0.5;
      if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
        fail('invalid-layer', `dropout p must be in [0, 1], got ${String(p)}`, { p: Number(p) }, context);
      }
      return { type: 'Dropout', outputShape: [...shape], params: 0, nonTrainableParams: 0, macs: 0 };
    }
    case 'flatten': {
      const raw = layer.startDim ?? 1;
      const start = raw < 0 ? rank + raw : raw;
      if (!Number.isInteger(raw) || start < 1 || start >= rank) {
        fail(
          'invalid-layer',
          `flatten startDim ${raw} is out of range for rank ${rank}; valid: 1..${rank - 1} (or ${1 - rank}..-1)`,
          { startDim: raw, rank },
          context,
        );
      }
      return {
        type: 'Flatten',
        outputShape: [...shape.slice(0, start), product(shape.slice(start))],
        params: 0,
        nonTrainableParams: 0,
        macs: 0,
      };
    }
    case 'linear': {
      if (rank < 2) {
        fail('rank-mismatch', `linear input must have rank >= 2, got rank ${rank}`, { rank }, context);
      }
      checkInteger('outFeatures', layer.outFeatures, 1, 'invalid-size', context);
      const inFeatures = shape[rank - 1];
      if (layer.inFeatures !== undefined && layer.inFeatures !== inFeatures) {
        const hint = rank > 2 ? ' (add a flatten layer before it?)' : '';
        fail(
          'channel-mismatch',
          `inFeatures is ${layer.inFeatures} but the previous layer produces ${inFeatures} features ` +
            `(last dimension of ${JSON.stringify(shape)}); valid: inFeatures ${inFeatures}${hint}`,
          { inFeatures: layer.inFeatures, inputFeatures: inFeatures },
          context,
        );
      }
      const bias = layer.bias ?? true;
      return {
        type: 'Linear',
        outputShape: [...shape.slice(0, -1), layer.outFeatures],
        params: inFeatures * layer.outFeatures + (bias ? layer.outFeatures : 0),
        nonTrainableParams: 0,
        macs: product(shape.slice(1, -1)) * inFeatures * layer.outFeatures,
      };
    }
    default: {
      const type = (layer as { type?: unknown }).type;
      return fail(
        'invalid-layer',
        `unknown layer type ${JSON.stringify(type)}; valid: ${LAYER_TYPES.join(', ')}`,
        {},
        context,
      );
    }
  }
}

/**
 * Shapes, parameter counts and MACs of a network, layer by layer (like torchinfo / Keras `summary()`).
 * Errors are ShapeErrors whose `layer` is the layer's name.
 */
export function summarize(
  inputShape: readonly number[],
  layers: readonly LayerSpec[],
  options: { readonly layout?: Layout; readonly name?: string } = {},
): NetworkSummary {
  if (typeof options !== 'object' || options === null) {
    fail(
      'invalid-layer',
      `summarize: options must be an object { layout?, name? }, got ${formatValue(options)}`,
      {},
    );
  }
  const layout = checkLayout(options.layout ?? 'channels-last', {});
  checkShape('inputShape', inputShape, {});
  if (inputShape.length < 2) {
    fail(
      'rank-mismatch',
      `inputShape must have a batch dimension and at least one more, got ${JSON.stringify(inputShape)}`,
      {
        rank: inputShape.length,
      },
    );
  }
  if (!Array.isArray(layers)) {
    fail('invalid-layer', `layers must be an array of layer specs, got ${formatValue(layers)}`, {});
  }
  const counters = new Map<string, number>();
  const rows: SummaryRow[] = [];
  let shape: number[] = [...inputShape];
  layers.forEach((layer, index) => {
    if (typeof layer !== 'object' || layer === null) {
      fail(
        'invalid-layer',
        `layers[${index}] must be a layer spec such as { type: 'relu' }, got ${formatValue(layer)}`,
        {},
      );
    }
    const kind =
      layer.type === 'pool' ? `${layer.mode}Pool` : LAYER_TYPES.includes(layer.type) ? layer.type : 'layer';
    const count = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, count);
    const name = layer.name ?? `${kind}${count}`;
    let result: LayerResult;
    try {
      result = layerResult(layer, shape, layout, { layer: name });
    } catch (error) {
      throw withLayer(error, name);
    }
    rows.push({ index, name, ...result });
    shape = result.outputShape;
  });
  const trainableParams = rows.reduce((a, r) => a + r.params, 0);
  const nonTrainableParams = rows.reduce((a, r) => a + r.nonTrainableParams, 0);
  const macsPerSample = rows.reduce((a, r) => a + r.macs, 0);
  const batchSize = inputShape[0];
  const inputBytes = 4 * product(inputShape);
  const activationBytes = 4 * rows.reduce((a, r) => a + product(r.outputShape), 0);
  const parameterBytes = 4 * (trainableParams + nonTrainableParams);
  return {
    name: options.name,
    inputShape: [...inputShape],
    outputShape: shape,
    layout,
    batchSize,
    rows,
    totals: {
      trainableParams,
      nonTrainableParams,
      totalParams: trainableParams + nonTrainableParams,
      macsPerSample,
      macs: macsPerSample * batchSize,
      inputBytes,
      activationBytes,
      parameterBytes,
      totalBytes: inputBytes + activationBytes + parameterBytes,
    },
  };
}

/** {@link summarize} for a {@link NetworkSpec}. */
export function summarizeNetwork(spec: NetworkSpec): NetworkSummary {
  if (typeof spec !== 'object' || spec === null) {
    fail('invalid-layer', `spec must be a NetworkSpec { inputShape, layers }, got ${formatValue(spec)}`, {});
  }
  return summarize(spec.inputShape, spec.layers, { layout: spec.layout, name: spec.name });
}

const integer = new Intl.NumberFormat('en-US');
const formatInt = (n: number): string => integer.format(n);
const formatShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
const formatMB = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;

/**
 * An aligned text table in the style of torchinfo / Keras `summary()`: one row per layer with output shape,
 * trainable and non-trainable parameters and MACs per sample, then totals and float32 memory (MB = 10^6 bytes).
 */
export function formatSummary(summary: NetworkSummary): string {
  if (
    typeof summary !== 'object' ||
    summary === null ||
    !Array.isArray(summary.inputShape) ||
    !Array.isArray(summary.rows) ||
    typeof summary.totals !== 'object' ||
    summary.totals === null
  ) {
    fail(
      'invalid-layer',
      `summary must be a NetworkSummary from summarize(), got ${formatValue(summary)}`,
      {},
    );
  }
  const header = ['Layer (type)', 'Output shape', 'Params', 'Non-trainable', 'MACs/sample'];
  const body = [
    ['input', formatShape(summary.inputShape), '0', '0', '0'],
    ...summary.rows.map((r) => [
      `${r.name} (${r.type})`,
      formatShape(r.outputShape),
      formatInt(r.params),
      formatInt(r.nonTrainableParams),
      formatInt(r.macs),
    ]),
  ];
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('   ')
      .trimEnd();
  const width = widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1);
  const t = summary.totals;
  const lines = [
    ...(summary.name ? [`Network: ${summary.name} (${summary.layout})`] : []),
    '='.repeat(width),
    line(header),
    '='.repeat(width),
    ...body.map(line),
    '='.repeat(width),
    `Trainable params: ${formatInt(t.trainableParams)}`,
    `Non-trainable params: ${formatInt(t.nonTrainableParams)} (BatchNorm running mean and variance)`,
    `Total params: ${formatInt(t.totalParams)}`,
    `MACs per sample: ${formatInt(t.macsPerSample)}`,
    `MACs per batch of ${formatInt(summary.batchSize)}: ${formatInt(t.macs)}`,
    '-'.repeat(width),
    `Input size (float32): ${formatMB(t.inputBytes)}`,
    `Forward activations (float32): ${formatMB(t.activationBytes)}`,
    `Params size (float32): ${formatMB(t.parameterBytes)}`,
    `Estimated total size: ${formatMB(t.totalBytes)}`,
    '='.repeat(width),
  ];
  return lines.join('\n');
}
