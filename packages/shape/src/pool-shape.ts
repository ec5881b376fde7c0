import { joinShape, type Layout } from './layout.js';
import { poolSize } from './output-size.js';
import type { Padding } from './padding.js';
import type { ErrorContext } from './shape-error.js';
import { shapeFunction, windowSetup } from './window.js';

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
  const w = windowSetup(what, inputShape, options, spatialRank, context, 'pooling');
  const { split, kernelSize, stride, dilation, padding } = w;
  const ceilMode = options.ceilMode ?? false;
  const outputSize = split.spatial.map((n, i) =>
    poolSize(
      n,
      kernelSize[i],
      stride[i],
      dilation[i],
      padding[i][0],
      padding[i][1],
      ceilMode,
      w.dimension(i),
    ),
  );
  return {
    inputShape: [...inputShape],
    outputShape: joinShape(split.batch, split.channels, outputSize, w.layout),
    layout: w.layout,
    ...w.window,
    outputSize,
    ceilMode,
  };
}

/** Resolved geometry of N-d max/avg pooling. */
export function poolGeometry(inputShape: readonly number[], options: PoolShapeOptions): PoolGeometry {
  return poolGeometryAt('pooling', inputShape, options, undefined, {});
}

/** Output shape of N-d max/avg pooling (channels unchanged). @throws ShapeError */
export const poolShape = shapeFunction(poolGeometryAt, 'pooling');

/** {@link poolShape} for a rank-3 input [B, L, C] (or [B, C, L]). @throws ShapeError */
export const pool1dShape = shapeFunction(poolGeometryAt, 'pool1d', 1);

/** {@link poolShape} for a rank-4 input [B, H, W, C] (or [B, C, H, W]). @throws ShapeError */
export const pool2dShape = shapeFunction(poolGeometryAt, 'pool2d', 2);

/** {@link poolShape} for a rank-5 input [B, D, H, W, C] (or [B, C, D, H, W]). @throws ShapeError */
export const pool3dShape = shapeFunction(poolGeometryAt, 'pool3d', 3);
