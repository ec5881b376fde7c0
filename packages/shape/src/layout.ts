import { expandTuple, formatValue } from './padding.js';
import { checkInteger, type ErrorContext, fail } from './shape-error.js';

/**
 * Where the channel dimension sits: `'channels-last'` is [B, ...spatial, C] (NHWC, the default, as the
 * handout's (B, W, H, C)); `'channels-first'` is [B, C, ...spatial] (NCHW, PyTorch).
 */
export type Layout = 'channels-last' | 'channels-first';

export interface SplitShape {
  readonly batch: number;
  readonly channels: number;
  readonly spatial: number[];
  /** Index of the first spatial dimension in the full shape (1 for both layouts). */
  readonly spatialOffset: number;
  /** Index of the channel dimension in the full shape. */
  readonly channelAxis: number;
}

/** The options argument of a whole-tensor shape function must be an object (else a ShapeError, not a TypeError). */
export function checkOptions(what: string, options: unknown, context: ErrorContext): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail(
      'invalid-layer',
      `${what} options must be an object such as { kernelSize, ... }, got ${formatValue(options)}`,
      {},
      context,
    );
  }
}

export function checkLayout(layout: unknown, context: ErrorContext): Layout {
  if (layout !== 'channels-last' && layout !== 'channels-first') {
    fail(
      'invalid-layer',
      `layout must be 'channels-last' or 'channels-first', got ${formatValue(layout)}`,
      {},
      context,
    );
  }
  return layout;
}

/** Checks that every entry of a shape is an integer >= 1. */
export function checkShape(name: string, shape: readonly number[], context: ErrorContext): void {
  if (!Array.isArray(shape)) {
    fail('invalid-size', `${name} must be an array of integers >= 1, got ${formatValue(shape)}`, {}, context);
  }
  shape.forEach((size, i) => {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
      fail(
        'invalid-size',
        `${name}[${i}] must be an integer >= 1, got ${formatValue(size)} in ${formatValue(shape)}`,
        { [`${name}[${i}]`]: typeof size === 'number' ? size : Number.NaN },
        { ...context, dimension: i },
      );
    }
  });
}

/**
 * Splits [B, ...spatial, C] or [B, C, ...spatial] into parts, checking the rank.
 * @param spatialRank required number of spatial dims, or undefined for "at least 1".
 */
export function splitShape(
  what: string,
  inputShape: readonly number[],
  layout: Layout,
  spatialRank: number | undefined,
  context: ErrorContext,
): SplitShape {
  checkShape('inputShape', inputShape, context);
  const rank = inputShape.length;
  const wanted = spatialRank === undefined ? undefined : spatialRank + 2;
  if ((wanted !== undefined && rank !== wanted) || rank < 3) {
    const layoutText =
      layout === 'channels-last' ? '[batch, ...spatial, channels]' : '[batch, channels, ...spatial]';
    fail(
      'rank-mismatch',
      `${what} input must have rank ${wanted ?? '>= 3'} (${layoutText}, ${layout}), got rank ${rank} ${formatValue(inputShape)}`,
      { rank, expectedRank: wanted ?? 3 },
      context,
    );
  }
  const batch = inputShape[0];
  if (layout === 'channels-last') {
    return {
      batch,
      channels: inputShape[rank - 1],
      spatial: inputShape.slice(1, rank - 1),
      spatialOffset: 1,
      channelAxis: rank - 1,
    };
  }
  return { batch, channels: inputShape[1], spatial: inputShape.slice(2), spatialOffset: 2, channelAxis: 1 };
}

export function joinShape(
  batch: number,
  channels: number,
  spatial: readonly number[],
  layout: Layout,
): number[] {
  return layout === 'channels-last' ? [batch, ...spatial, channels] : [batch, channels, ...spatial];
}

/** Checks groups against in/out channels (PyTorch: both must be divisible by groups). */
export function checkGroups(
  groups: number,
  inChannels: number,
  outChannels: number,
  context: ErrorContext,
): void {
  checkInteger('groups', groups, 1, 'invalid-groups', context);
  checkInteger('outChannels', outChannels, 1, 'invalid-size', context);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    const which = inChannels % groups !== 0 ? `inChannels ${inChannels}` : `outChannels ${outChannels}`;
    const divisors: number[] = [];
    for (let g = 1; g <= Math.min(inChannels, outChannels); g++) {
      if (inChannels % g === 0 && outChannels % g === 0) divisors.push(g);
    }
    fail(
      'invalid-groups',
      `${which} is not divisible by groups ${groups}; valid groups divide both inChannels ${inChannels} and ` +
        `outChannels ${outChannels}: ${divisors.join(', ')}`,
      { groups, inChannels, outChannels },
      context,
    );
  }
}

export function checkInChannels(
  expected: number | undefined,
  actual: number,
  channelAxis: number,
  context: ErrorContext,
): void {
  if (expected === undefined) return;
  checkInteger('inChannels', expected, 1, 'invalid-size', context);
  if (expected !== actual) {
    fail(
      'channel-mismatch',
      `inChannels is ${expected} but the input has ${actual} channels (dimension ${channelAxis}); ` +
        `valid: inChannels ${actual}, or an input with ${expected} channels`,
      { inChannels: expected, inputChannels: actual },
      context,
    );
  }
}

/** Per-spatial-dimension window parameters, expanded and checked. */
export interface WindowParams {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly dilation: number[];
}

/**
 * Expands kernelSize, stride and dilation to one entry per spatial dimension and checks that each is an
 * integer >= 1 (errors name the dimension by its index in the full shape). An absent stride defaults to 1, or
 * to the kernel size when `strideDefaultsToKernel` (pooling).
 */
export function windowParams(
  options: {
    readonly kernelSize: number | readonly number[];
    readonly stride?: number | readonly number[];
    readonly dilation?: number | readonly number[];
  },
  split: SplitShape,
  context: ErrorContext,
  strideDefaultsToKernel = false,
): WindowParams {
  const rank = split.spatial.length;
  const kernelSize = expandTuple('kernelSize', options.kernelSize, rank, context);
  const stride = expandTuple(
    'stride',
    options.stride ?? (strideDefaultsToKernel ? kernelSize : 1),
    rank,
    context,
  );
  const dilation = expandTuple('dilation', options.dilation ?? 1, rank, context);
  for (let i = 0; i < rank; i++) {
    const dim = { ...context, dimension: i + split.spatialOffset };
    checkInteger('kernelSize', kernelSize[i], 1, 'invalid-size', dim);
    checkInteger('stride', stride[i], 1, 'invalid-stride', dim);
    checkInteger('dilation', dilation[i], 1, 'invalid-dilation', dim);
  }
  return { kernelSize, stride, dilation };
}
