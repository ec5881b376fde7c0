import { joinShape, type Layout } from './layout.js';
import { convSize } from './output-size.js';
import type { Padding } from './padding.js';
import type { ErrorContext } from './shape-error.js';
import { shapeFunction, windowSetup } from './window.js';

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
  const w = windowSetup(what, inputShape, options, spatialRank, context, 'convolution');
  const { split, kernelSize, stride, dilation, padding } = w;
  const outputSize = split.spatial.map((n, i) =>
    convSize(n, kernelSize[i], stride[i], dilation[i], padding[i][0], padding[i][1], w.dimension(i)),
  );
  return {
    inputShape: [...inputShape],
    outputShape: joinShape(split.batch, options.outChannels, outputSize, w.layout),
    layout: w.layout,
    batch: split.batch,
    inChannels: split.channels,
    outChannels: options.outChannels,
    groups: w.groups,
    ...w.window,
    outputSize,
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
export const convShape = shapeFunction(convGeometryAt, 'convolution');

/** {@link convShape} for a rank-3 input [B, L, C] (or [B, C, L]). */
export const conv1dShape = shapeFunction(convGeometryAt, 'conv1d', 1);

/**
 * {@link convShape} for a rank-4 input. With the handout's (B, W, H, C_in), kernelSize (k1, k2), stride (s1, s2),
 * padding (p1, p2) it returns (B, W', H', outChannels) with W' = floor((W + 2·p1 − k1) / s1 + 1).
 */
export const conv2dShape = shapeFunction(convGeometryAt, 'conv2d', 2);

/** {@link convShape} for a rank-5 input [B, D, H, W, C] (or [B, C, D, H, W]). */
export const conv3dShape = shapeFunction(convGeometryAt, 'conv3d', 3);
