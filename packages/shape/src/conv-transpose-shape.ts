import { checkGroups, checkInChannels, checkLayout, joinShape, type Layout, splitShape } from './layout.js';
import { convTransposeSize } from './output-size.js';
import { expandTuple, type PaddingPair, resolvePaddingAt } from './padding.js';
import { checkInteger, type ErrorContext, fail } from './shape-error.js';

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

export function convTransposeShapeAt(
  what: string,
  inputShape: readonly number[],
  options: ConvTransposeShapeOptions,
  spatialRank: number | undefined,
  context: ErrorContext,
): number[] {
  const layout = checkLayout(options.layout ?? 'channels-last', context);
  const split = splitShape(what, inputShape, layout, spatialRank, context);
  const rank = split.spatial.length;
  checkInChannels(options.inChannels, split.channels, split.channelAxis, context);
  checkGroups(options.groups ?? 1, split.channels, options.outChannels, context);
  if ((options.padding as unknown) === 'same') {
    fail(
      'invalid-padding',
      `padding 'same' is not supported for transposed convolution; valid: a number, per-dimension numbers or ` +
        `[before, after] pairs, or 'valid'`,
      {},
      context,
    );
  }
  const kernelSize = expandTuple('kernelSize', options.kernelSize, rank, context);
  const stride = expandTuple('stride', options.stride ?? 1, rank, context);
  const dilation = expandTuple('dilation', options.dilation ?? 1, rank, context);
  const outputPadding = expandTuple('outputPadding', options.outputPadding ?? 0, rank, context);
  const dim = (i: number): ErrorContext => ({ ...context, dimension: i + split.spatialOffset });
  for (let i = 0; i < rank; i++) {
    checkInteger('kernelSize', kernelSize[i], 1, 'invalid-size', dim(i));
    checkInteger('stride', stride[i], 1, 'invalid-stride', dim(i));
    checkInteger('dilation', dilation[i], 1, 'invalid-dilation', dim(i));
  }
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
      dim(i),
    ),
  );
  return joinShape(split.batch, options.outChannels, outputSize, layout);
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
  return convTransposeShapeAt('transposed convolution', inputShape, options, undefined, {});
}

export function convTranspose1dShape(
  inputShape: readonly number[],
  options: ConvTransposeShapeOptions,
): number[] {
  return convTransposeShapeAt('convTranspose1d', inputShape, options, 1, {});
}

export function convTranspose2dShape(
  inputShape: readonly number[],
  options: ConvTransposeShapeOptions,
): number[] {
  return convTransposeShapeAt('convTranspose2d', inputShape, options, 2, {});
}

export function convTranspose3dShape(
  inputShape: readonly number[],
  options: ConvTransposeShapeOptions,
): number[] {
  return convTransposeShapeAt('convTranspose3d', inputShape, options, 3, {});
}
