import { checkLayout, checkOptions, joinShape, type Layout, splitShape, windowParams } from './layout.js';
import { poolSize } from './output-size.js';
import { type Padding, resolvePaddingAt } from './padding.js';
import type { ErrorContext } from './shape-error.js';

/**
 * Options of `poolShape` / `pool1dShape` / `pool2dShape` / `pool3dShape` / `poolGeometry` (PyTorch
 * `nn.MaxPoolNd` / `nn.AvgPoolNd` arguments).
 */
export interface PoolShapeOptions {
  readonly kernelSize: number | readonly number[];
  /** Default: kernelSize. */
  readonly stride?: number | readonly number[];
  /** Default 0; at most floor(effectiveKernel / 2) per side. `'same'` uses TensorFlow's rule. */
  readonly padding?: Padding;
  /** Default 1. */
  readonly dilation?: number | readonly number[];
  /** PyTorch `ceil_mode`. Default false. */
  readonly ceilMode?: boolean;
  /** Default `'channels-last'`. */
  readonly layout?: Layout;
}

/**
 * Everything `poolGeometry` resolves: input and output shapes, the spatial sizes, and per-dimension kernel,
 * stride, dilation and `[before, after]` padding.
 */
export interface PoolGeometry {
  readonly inputShape: number[];
  readonly outputShape: number[];
  readonly layout: Layout;
  readonly inputSize: number[];
  readonly outputSize: number[];
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly dilation: number[];
  readonly padding: Array<[number, number]>;
  readonly ceilMode: boolean;
}

export function poolGeometryAt(
  what: string,
  inputShape: readonly number[],
  options: PoolShapeOptions,
  spatialRank: number | undefined,
  context: ErrorContext,
): PoolGeometry {
  checkOptions(what, options, context);
  const layout = checkLayout(options.layout ?? 'channels-last', context);
  const split = splitShape(what, inputShape, layout, spatialRank, context);
  const { kernelSize, stride, dilation } = windowParams(options, split, context, true);
  const ceilMode = options.ceilMode ?? false;
  const dim = (i: number): ErrorContext => ({ ...context, dimension: i + split.spatialOffset });
  const padding = resolvePaddingAt(
    options.padding ?? 0,
    { inputSize: split.spatial, kernelSize, stride, dilation },
    context,
    split.spatialOffset,
  );
  const outputSize = split.spatial.map((n, i) =>
    poolSize(n, kernelSize[i], stride[i], dilation[i], padding[i][0], padding[i][1], ceilMode, dim(i)),
  );
  return {
    inputShape: [...inputShape],
    outputShape: joinShape(split.batch, split.channels, outputSize, layout),
    layout,
    inputSize: split.spatial,
    outputSize,
    kernelSize,
    stride,
    dilation,
    padding,
    ceilMode,
  };
}

/** Resolved geometry of N-d max/avg pooling. */
export function poolGeometry(inputShape: readonly number[], options: PoolShapeOptions): PoolGeometry {
  return poolGeometryAt('pooling', inputShape, options, undefined, {});
}

/** Output shape of N-d max/avg pooling (channels unchanged). @throws ShapeError */
export function poolShape(inputShape: readonly number[], options: PoolShapeOptions): number[] {
  return poolGeometryAt('pooling', inputShape, options, undefined, {}).outputShape;
}

/** {@link poolShape} for a rank-3 input [B, L, C] (or [B, C, L]). @throws ShapeError */
export function pool1dShape(inputShape: readonly number[], options: PoolShapeOptions): number[] {
  return poolGeometryAt('pool1d', inputShape, options, 1, {}).outputShape;
}

/** {@link poolShape} for a rank-4 input [B, H, W, C] (or [B, C, H, W]). @throws ShapeError */
export function pool2dShape(inputShape: readonly number[], options: PoolShapeOptions): number[] {
  return poolGeometryAt('pool2d', inputShape, options, 2, {}).outputShape;
}

/** {@link poolShape} for a rank-5 input [B, D, H, W, C] (or [B, C, D, H, W]). @throws ShapeError */
export function pool3dShape(inputShape: readonly number[], options: PoolShapeOptions): number[] {
  return poolGeometryAt('pool3d', inputShape, options, 3, {}).outputShape;
}
