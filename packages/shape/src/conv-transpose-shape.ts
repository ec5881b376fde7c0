import {
  checkGroups,
  checkInChannels,
  checkLayout,
  checkOptions,
  joinShape,
  type Layout,
  splitShape,
  windowParams,
} from './layout.js';
import { convTransposeSize } from './output-size.js';
import { expandTuple, type PaddingPair, resolvePaddingAt } from './padding.js';
import { type ErrorContext, fail } from './shape-error.js';

/** Options of the transposed-convolution shape functions (PyTorch `nn.ConvTransposeNd` arguments). */
export interface ConvTransposeShapeOptions {
  readonly kernelSize: number | readonly number[];
  readonly outChannels: number;
  readonly stride?: number | readonly number[];
  /** Number, per-dim numbers or [before, after] pairs, or `'valid'` (0). `'same'` is not accepted. */
  readonly padding?: number | 'valid' | readonly (number | PaddingPair)[];
  readonly dilation?: number | readonly number[];
  /** Per-dim extra size on the after side; each must be smaller than its stride or dilation. Default 0. */
  readonly outputPadding?: number | readonly number[];
  readonly groups?: number;
  readonly inChannels?: number;
  readonly layout?: Layout;
}

/** Resolved transposed-convolution geometry (what the network summary needs). */
export interface ConvTransposeGeometry {
  readonly outputShape: number[];
  readonly inputSize: number[];
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly kernelSize: number[];
}

export function convTransposeGeometryAt(
  what: string,
  inputShape: readonly number[],
  options: ConvTransposeShapeOptions,
  spatialRank: number | undefined,
  context: ErrorContext,
): ConvTransposeGeometry {
  checkOptions(what, options, context);
  const layout = checkLayout(options.layout ?? 'channels-last', context);
  const split = splitShape(what, inputShape, layout, spatialRank, context);
  const groups = options.groups ?? 1;
  checkInChannels(options.inChannels, split.channels, split.channelAxis, context);
  checkGroups(groups, split.channels, options.outChannels, context);
  if ((options.padding as unknown) === 'same') {
    fail(
      'invalid-padding',
      `padding 'same' is not supported for transposed convolution; valid: a number, per-dimension numbers or ` +
        `[before, after] pairs, or 'valid'`,
      {},
      context,
    );
  }
  const { kernelSize, stride, dilation } = windowParams(options, split, context);
  const outputPadding = expandTuple(
    'outputPadding',
    options.outputPadding ?? 0,
    split.spatial.length,
    context,
  );
  const padding = resolvePaddingAt(
    options.padding ?? 0,
    { inputSize: split.spatial, kernelSize, stride, dilation },
    context,
    split.spatialOffset,
  );
  const outputSize = split.spatial.map((n, i) =>
    convTransposeSize(
      n,
      kernelSize[i],
      stride[i],
      dilation[i],
      padding[i][0],
      padding[i][1],
      outputPadding[i],
      { ...context, dimension: i + split.spatialOffset },
    ),
  );
  return {
    outputShape: joinShape(split.batch, options.outChannels, outputSize, layout),
    inputSize: split.spatial,
    inChannels: split.channels,
    outChannels: options.outChannels,
    groups,
    kernelSize,
  };
}

/**
 * Output shape of an N-d transposed convolution; per spatial dim
 * (n − 1)·stride − padBefore − padAfter + dilation·(k − 1) + outputPadding + 1.
 * @throws ShapeError
 */
export function convTransposeShape(
  inputShape: readonly number[],
  options: ConvTransposeShapeOptions,
): number[] {
  return convTransposeGeometryAt('transposed convolution', inputShape, options, undefined, {}).outputShape;
}

/** {@link convTransposeShape} for a rank-3 input. */
export function convTranspose1dShape(
  inputShape: readonly number[],
  options: ConvTransposeShapeOptions,
): number[] {
  return convTransposeGeometryAt('convTranspose1d', inputShape, options, 1, {}).outputShape;
}

/** {@link convTransposeShape} for a rank-4 input. */
export function convTranspose2dShape(
  inputShape: readonly number[],
  options: ConvTransposeShapeOptions,
): number[] {
  return convTransposeGeometryAt('convTranspose2d', inputShape, options, 2, {}).outputShape;
}

/** {@link convTransposeShape} for a rank-5 input. */
export function convTranspose3dShape(
  inputShape: readonly number[],
  options: ConvTransposeShapeOptions,
): number[] {
  return convTransposeGeometryAt('convTranspose3d', inputShape, options, 3, {}).outputShape;
}
