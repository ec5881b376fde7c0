import {
  checkGroups,
  checkInChannels,
  checkLayout,
  checkOptions,
  type Layout,
  type SplitShape,
  splitShape,
  windowParams,
} from './layout.js';
import { type Padding, resolvePaddingAt } from './padding.js';
import { type ErrorContext, fail } from './shape-error.js';

/** The options every windowed op (convolution, transposed convolution, pooling) reads the same way. */
export interface WindowOptions {
  readonly kernelSize: number | readonly number[];
  readonly stride?: number | readonly number[];
  readonly padding?: Padding;
  readonly dilation?: number | readonly number[];
  readonly layout?: Layout;
  /** Convolutions only. */
  readonly outChannels?: number;
  readonly groups?: number;
  readonly inChannels?: number;
}

/** What kind of window: it decides the channel checks, the stride default and the accepted padding. */
export type WindowKind = 'convolution' | 'transposed convolution' | 'pooling';

/** The checked and resolved input of a windowed op, per spatial dimension. */
export interface WindowSetup {
  readonly layout: Layout;
  readonly split: SplitShape;
  /** 1 for pooling */
  readonly groups: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly dilation: number[];
  /** `[before, after]` per spatial dim */
  readonly padding: Array<[number, number]>;
  /** The error context of spatial dim i (its axis in the shape). */
  dimension(i: number): ErrorContext;
  /** The per-dimension fields a geometry reports: inputSize, kernelSize, stride, dilation, padding. */
  readonly window: {
    readonly inputSize: number[];
    readonly kernelSize: number[];
    readonly stride: number[];
    readonly dilation: number[];
    readonly padding: Array<[number, number]>;
  };
}

/**
 * The checks every windowed op starts with, in order: the options object, the layout, the input shape (rank,
 * batch, channels, spatial dims); for convolutions `inChannels` and `groups` (and, transposed, no `'same'`
 * padding); then kernelSize / stride / dilation (pooling's stride defaults to its kernel) and the padding per
 * spatial dim. Each failure is a ShapeError naming the value and what is valid.
 */
export function windowSetup(
  what: string,
  inputShape: readonly number[],
  options: WindowOptions,
  spatialRank: number | undefined,
  context: ErrorContext,
  kind: WindowKind,
): WindowSetup {
  checkOptions(what, options, context);
  const layout = checkLayout(options.layout ?? 'channels-last', context);
  const split = splitShape(what, inputShape, layout, spatialRank, context);
  const groups = options.groups ?? 1;
  if (kind !== 'pooling') {
    checkInChannels(options.inChannels, split.channels, split.channelAxis, context);
    checkGroups(groups, split.channels, options.outChannels as number, context);
  }
  if (kind === 'transposed convolution' && (options.padding as unknown) === 'same') {
    fail(
      'invalid-padding',
      `padding 'same' is not supported for transposed convolution; valid: a number, per-dimension numbers or ` +
        `[before, after] pairs, or 'valid'`,
      {},
      context,
    );
  }
  const { kernelSize, stride, dilation } = windowParams(options, split, context, kind === 'pooling');
  const padding = resolvePaddingAt(
    options.padding ?? 0,
    { inputSize: split.spatial, kernelSize, stride, dilation },
    context,
    split.spatialOffset,
  );
  const dimension = (i: number): ErrorContext => ({ ...context, dimension: i + split.spatialOffset });
  const window = { inputSize: split.spatial, kernelSize, stride, dilation, padding };
  return { layout, split, groups, kernelSize, stride, dilation, padding, dimension, window };
}

/**
 * A public shape function of one spatial rank (undefined: any rank ≥ 1) from a geometry resolver; `what` names the
 * operation in its errors.
 */
export function shapeFunction<O>(
  geometryAt: (
    what: string,
    inputShape: readonly number[],
    options: O,
    spatialRank: number | undefined,
    context: ErrorContext,
  ) => { readonly outputShape: number[] },
  what: string,
  spatialRank?: number,
): (inputShape: readonly number[], options: O) => number[] {
  return (inputShape, options) => geometryAt(what, inputShape, options, spatialRank, {}).outputShape;
}
