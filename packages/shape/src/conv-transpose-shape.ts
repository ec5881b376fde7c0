import { joinShape, type Layout } from './layout.js';
import { convTransposeSize } from './output-size.js';
import { expandTuple, type PaddingPair } from './padding.js';
import type { ErrorContext } from './shape-error.js';
import { shapeFunction, windowSetup } from './window.js';

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
  const w = windowSetup(what, inputShape, options, spatialRank, context, 'transposed convolution');
  const { split, kernelSize, stride, dilation, padding } = w;
  const outputPadding = expandTuple(
    'outputPadding',
    options.outputPadding ?? 0,
    split.spatial.length,
    context,
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
      w.dimension(i),
    ),
  );
  return {
    outputShape: joinShape(split.batch, options.outChannels, outputSize, w.layout),
    inputSize: split.spatial,
    inChannels: split.channels,
    outChannels: options.outChannels,
    groups: w.groups,
    kernelSize,
  };
}

/**
 * Output shape of an N-d transposed convolution; per spatial dim
 * (n − 1)·stride − padBefore − padAfter + dilation·(k − 1) + outputPadding + 1.
 * @throws ShapeError
 */
export const convTransposeShape = shapeFunction(convTransposeGeometryAt, 'transposed convolution');

/** {@link convTransposeShape} for a rank-3 input. */
export const convTranspose1dShape = shapeFunction(convTransposeGeometryAt, 'convTranspose1d', 1);

/** {@link convTransposeShape} for a rank-4 input. */
export const convTranspose2dShape = shapeFunction(convTransposeGeometryAt, 'convTranspose2d', 2);

/** {@link convTransposeShape} for a rank-5 input. */
export const convTranspose3dShape = shapeFunction(convTransposeGeometryAt, 'convTranspose3d', 3);
