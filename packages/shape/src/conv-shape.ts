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
import { convSize } from './output-size.js';
import { type Padding, resolvePaddingAt } from './padding.js';
import type { ErrorContext } from './shape-error.js';

/**
 * Options of `convShape` / `conv1dShape` / `conv2dShape` / `conv3dShape` / `convGeometry` (PyTorch
 * `nn.ConvNd` arguments).
 */
export interface ConvShapeOptions {
  /** One number for every spatial dim, or a tuple in the order the spatial dims appear in the shape. */
  readonly kernelSize: number | readonly number[];
  readonly outChannels: number;
  /** Default 1. */
  readonly stride?: number | readonly number[];
  /** Default 0. See {@link Padding}. */
  readonly padding?: Padding;
  /** Default 1. */
  readonly dilation?: number | readonly number[];
  /** Default 1. groups = inChannels (with outChannels a multiple of it) is a depthwise convolution. */
  readonly groups?: number;
  /** If given, must equal the input's channel count (else `channel-mismatch`). */
  readonly inChannels?: number;
  /** Default `'channels-last'`. */
  readonly layout?: Layout;
}

/** Everything a convolution kernel needs, resolved per spatial dimension. */
export interface ConvGeometry {
  readonly inputShape: number[];
  readonly outputShape: number[];
  readonly layout: Layout;
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly inputSize: number[];
  readonly outputSize: number[];
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly dilation: number[];
  /** `[before, after]` per spatial dim, e.g. `[[top, bottom], [left, right]]` for NHWC. */
  readonly padding: Array<[number, number]>;
}

export function convGeometryAt(
  what: string,
  inputShape: readonly number[],
  options: ConvShapeOptions,
  spatialRank: number | undefined,
  context: ErrorContext,
): ConvGeometry {
  checkOptions(what, options, context);
  const layout = checkLayout(options.layout ?? 'channels-last', context);
  const split = splitShape(what, inputShape, layout, spatialRank, context);
  const groups = options.groups ?? 1;
  checkInChannels(options.inChannels, split.channels, split.channelAxis, context);
  checkGroups(groups, split.channels, options.outChannels, context);
  const { kernelSize, stride, dilation } = windowParams(options, split, context);
  const dim = (i: number): ErrorContext => ({ ...context, dimension: i + split.spatialOffset });
  const padding = resolvePaddingAt(
    options.padding ?? 0,
    { inputSize: split.spatial, kernelSize, stride, dilation },
    context,
    split.spatialOffset,
  );
  const outputSize = split.spatial.map((n, i) =>
    convSize(n, kernelSize[i], stride[i], dilation[i], padding[i][0], padding[i][1], dim(i)),
  );
  return {
    inputShape: [...inputShape],
    outputShape: joinShape(split.batch, options.outChannels, outputSize, layout),
    layout,
    batch: split.batch,
    inChannels: split.channels,
    outChannels: options.outChannels,
    groups,
    inputSize: split.spatial,
    outputSize,
    kernelSize,
    stride,
    dilation,
    padding,
  };
}

/**
 * Resolved geometry of an N-d convolution (spatial rank = input rank − 2): output shape, padding pairs,
 * per-dimension kernel/stride/dilation.
 */
export function convGeometry(inputShape: readonly number[], options: ConvShapeOptions): ConvGeometry {
  return convGeometryAt('convolution', inputShape, options, undefined, {});
}

/**
 * Output shape of an N-d convolution, spatial rank = input rank − 2.
 * Channels-last [B, ...spatial, C_in] → [B, ...spatial', outChannels]; channels-first likewise with C second.
 * @throws ShapeError
 */
export function convShape(inputShape: readonly number[], options: ConvShapeOptions): number[] {
  return convGeometryAt('convolution', inputShape, options, undefined, {}).outputShape;
}

/** {@link convShape} for a rank-3 input [B, L, C] (or [B, C, L]). */
export function conv1dShape(inputShape: readonly number[], options: ConvShapeOptions): number[] {
  return convGeometryAt('conv1d', inputShape, options, 1, {}).outputShape;
}

/**
 * {@link convShape} for a rank-4 input. With the handout's (B, W, H, C_in), kernelSize (k1, k2), stride (s1, s2),
 * padding (p1, p2) it returns (B, W', H', outChannels) with W' = floor((W + 2·p1 − k1) / s1 + 1).
 */
export function conv2dShape(inputShape: readonly number[], options: ConvShapeOptions): number[] {
  return convGeometryAt('conv2d', inputShape, options, 2, {}).outputShape;
}

/** {@link convShape} for a rank-5 input [B, D, H, W, C] (or [B, C, D, H, W]). */
export function conv3dShape(inputShape: readonly number[], options: ConvShapeOptions): number[] {
  return convGeometryAt('conv3d', inputShape, options, 3, {}).outputShape;
}
