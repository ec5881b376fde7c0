import { checkInteger, type ErrorContext, fail } from './shape-error.js';

/** Padding of one dimension as `[before, after]` (top/bottom, left/right, ...). */
export type PaddingPair = readonly [before: number, after: number];

/** Padding of a single dimension: symmetric number, explicit pair, or a rule. */
export type Padding1d = number | PaddingPair | 'same' | 'valid';

/**
 * Padding of an N-d operation:
 * - `number`: the same symmetric padding on every spatial dimension;
 * - `[p1, p2, ...]`: symmetric padding per spatial dimension (in the order the dims appear in the shape);
 * - `[[before1, after1], [before2, after2], ...]`: explicit pairs per dimension (numbers and pairs may be mixed);
 * - `'valid'`: no padding;
 * - `'same'`: TensorFlow's rule, output = ceil(input / stride), the odd pixel of padding goes after.
 */
export type Padding = number | 'same' | 'valid' | readonly (number | PaddingPair)[];

/** What `'same'` padding needs to know. Per-dimension values follow the spatial dims of the shape. */
export interface PaddingGeometry {
  /** Spatial input sizes; its length is the spatial rank. */
  readonly inputSize: readonly number[];
  readonly kernelSize: number | readonly number[];
  readonly stride?: number | readonly number[];
  readonly dilation?: number | readonly number[];
}

/**
 * Expands a number or a per-dimension tuple to exactly `rank` entries.
 * @throws ShapeError `rank-mismatch` when a tuple has the wrong length.
 */
export function expandTuple(
  name: string,
  value: number | readonly number[],
  rank: number,
  context: ErrorContext = {},
): number[] {
  if (typeof value === 'number') return new Array<number>(rank).fill(value);
  if (!Array.isArray(value) || value.length !== rank) {
    const length = Array.isArray(value) ? value.length : Number.NaN;
    fail(
      'rank-mismatch',
      `${name} must be a number or a tuple of ${rank} numbers (one per spatial dimension), got ${formatValue(value)}`,
      { [`${name}Length`]: length, spatialRank: rank },
      context,
    );
  }
  return [...value];
}

/**
 * TensorFlow's 'same' padding for one dimension: output = ceil(inputSize / stride); the total padding
 * max((output − 1)·stride + dilation·(kernelSize − 1) + 1 − inputSize, 0) is split with the extra pixel after.
 */
export function samePadding(
  inputSize: number,
  kernelSize: number,
  stride = 1,
  dilation = 1,
): [number, number] {
  return samePaddingAt(inputSize, kernelSize, stride, dilation, {});
}

export function samePaddingAt(
  inputSize: number,
  kernelSize: number,
  stride: number,
  dilation: number,
  context: ErrorContext,
): [number, number] {
  checkInteger('inputSize', inputSize, 1, 'invalid-size', context);
  checkInteger('kernelSize', kernelSize, 1, 'invalid-size', context);
  checkInteger('stride', stride, 1, 'invalid-stride', context);
  checkInteger('dilation', dilation, 1, 'invalid-dilation', context);
  const output = Math.ceil(inputSize / stride);
  const effectiveKernel = dilation * (kernelSize - 1) + 1;
  const total = Math.max((output - 1) * stride + effectiveKernel - inputSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Validates one padding amount (non-negative integer). */
function checkPad(name: string, value: unknown, context: ErrorContext): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    fail(
      'invalid-padding',
      `${name} must be an integer >= 0, got ${formatValue(value)}`,
      { [name]: typeof value === 'number' ? value : Number.NaN },
      context,
    );
  }
  return value;
}

function resolveEntry(entry: unknown, dimension: number, context: ErrorContext): [number, number] {
  const ctx = { ...context, dimension: context.dimension ?? dimension };
  if (typeof entry === 'number') {
    const p = checkPad('padding', entry, ctx);
    return [p, p];
  }
  if (Array.isArray(entry) && entry.length === 2) {
    return [checkPad('paddingBefore', entry[0], ctx), checkPad('paddingAfter', entry[1], ctx)];
  }
  return fail(
    'invalid-padding',
    `padding entry must be a number or a [before, after] pair of integers >= 0, got ${formatValue(entry)}`,
    {},
    ctx,
  );
}

/**
 * Resolves any {@link Padding} to explicit `[before, after]` pairs, one per spatial dimension
 * (e.g. `[[top, bottom], [left, right]]` for an [N, H, W, C] input). `'same'` uses TensorFlow's rule.
 * Errors name the dimension by its index among the spatial dimensions.
 * @throws ShapeError `invalid-padding` / `rank-mismatch` / `invalid-size` / `invalid-stride` / `invalid-dilation`.
 */
export function resolvePadding(padding: Padding, geometry: PaddingGeometry): Array<[number, number]> {
  if (typeof geometry !== 'object' || geometry === null || !Array.isArray(geometry.inputSize)) {
    fail(
      'invalid-layer',
      `resolvePadding: geometry must be an object { inputSize: number[], kernelSize, stride?, dilation? }, got ${formatValue(geometry)}`,
      {},
    );
  }
  return resolvePaddingAt(padding, geometry, {}, 0);
}

/** {@link resolvePadding} with an error context; spatial dim i is reported as dimension i + dimensionOffset. */
export function resolvePaddingAt(
  padding: Padding,
  geometry: PaddingGeometry,
  context: ErrorContext,
  dimensionOffset: number,
): Array<[number, number]> {
  const rank = geometry.inputSize.length;
  const dimOf = (i: number) => i + dimensionOffset;
  if (padding === 'valid') return Array.from({ length: rank }, () => [0, 0] as [number, number]);
  if (padding === 'same') {
    const kernel = expandTuple('kernelSize', geometry.kernelSize, rank, context);
    const stride = expandTuple('stride', geometry.stride ?? 1, rank, context);
    const dilation = expandTuple('dilation', geometry.dilation ?? 1, rank, context);
    return geometry.inputSize.map((n, i) =>
      samePaddingAt(n, kernel[i], stride[i], dilation[i], { ...context, dimension: dimOf(i) }),
    );
  }
  if (typeof padding === 'number') {
    const p = checkPad('padding', padding, context);
    return Array.from({ length: rank }, () => [p, p] as [number, number]);
  }
  if (Array.isArray(padding)) {
    if (padding.length !== rank) {
      const hint =
        rank === 1 && padding.length === 2
          ? ' (for [before, after] on a 1-d input write [[before, after]])'
          : '';
      fail(
        'rank-mismatch',
        `padding must have one entry per spatial dimension (${rank}), got ${padding.length} entries ${formatValue(padding)}${hint}`,
        { paddingLength: padding.length, spatialRank: rank },
        context,
      );
    }
    return padding.map((entry, i) => resolveEntry(entry, dimOf(i), context));
  }
  return fail(
    'invalid-padding',
    `padding must be a number, a per-dimension tuple, 'same' or 'valid', got ${formatValue(padding)}`,
    {},
    context,
  );
}

/** Short printable form of an argument for error messages. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
