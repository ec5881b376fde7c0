/** Machine-readable reason of a {@link ShapeError}. */
export type ShapeErrorCode =
  /** A size (input extent, kernel, channels, features, batch) is not a positive integer. */
  | 'invalid-size'
  /** The output along some dimension would be smaller than 1. */
  | 'output-too-small'
  /** A stride is not an integer >= 1. */
  | 'invalid-stride'
  /** A dilation is not an integer >= 1. */
  | 'invalid-dilation'
  /** Padding is negative, not an integer, malformed, or of the wrong length. */
  | 'invalid-padding'
  /** Pooling padding is larger than half the effective kernel. */
  | 'pool-padding-too-large'
  /** Transposed-convolution outputPadding is not smaller than stride or dilation. */
  | 'invalid-output-padding'
  /** groups is not a positive integer dividing both inChannels and outChannels. */
  | 'invalid-groups'
  /** The channels (or features) a layer expects differ from what the previous layer produces. */
  | 'channel-mismatch'
  /** The input has the wrong number of dimensions, or a per-dimension tuple has the wrong length. */
  | 'rank-mismatch'
  /** A layer specification is malformed (unknown type, bad option). */
  | 'invalid-layer'
  /** Operand shapes cannot combine (broadcasting, matmul, data length); used by @hw3/core's tensor ops. */
  | 'shape-mismatch';

/**
 * The facts of a {@link ShapeError} as properties: its code, the layer and dimension when known, and the
 * offending numbers.
 */
export interface ShapeErrorDetails {
  readonly code: ShapeErrorCode;
  /** Layer name or index (network summaries), when the error belongs to one layer. */
  readonly layer?: string | number;
  /** Index of the offending dimension in the full shape (e.g. 1 for W in [B, W, H, C]), when known. */
  readonly dimension?: number;
  /** The offending numbers, e.g. `{ inputSize: 2, kernelSize: 5 }`. */
  readonly values: Readonly<Record<string, number>>;
}

/**
 * Thrown for every impossible or malformed shape computation. The message names the argument, the value and what
 * would be valid; the same facts are available as properties for programs.
 */
export class ShapeError extends Error {
  readonly code: ShapeErrorCode;
  readonly layer: string | number | undefined;
  readonly dimension: number | undefined;
  readonly values: Readonly<Record<string, number>>;

  constructor(message: string, details: ShapeErrorDetails) {
    const where: string[] = [];
    if (details.layer !== undefined) where.push(`layer ${JSON.stringify(details.layer)}`);
    if (details.dimension !== undefined) where.push(`dimension ${details.dimension}`);
    super(where.length > 0 ? `${where.join(', ')}: ${message}` : message);
    this.name = 'ShapeError';
    this.code = details.code;
    this.layer = details.layer;
    this.dimension = details.dimension;
    this.values = Object.freeze({ ...details.values });
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Where a check happens, so errors can say which layer and which dimension. */
export interface ErrorContext {
  readonly layer?: string | number;
  readonly dimension?: number;
}

/** Rethrows a ShapeError with a layer attached (keeps code, dimension and values). */
export function withLayer(error: unknown, layer: string | number): unknown {
  if (error instanceof ShapeError && error.layer === undefined) {
    const prefix = error.dimension !== undefined ? `dimension ${error.dimension}: ` : '';
    const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    return new ShapeError(message, {
      code: error.code,
      layer,
      dimension: error.dimension,
      values: error.values,
    });
  }
  return error;
}

export function fail(
  code: ShapeErrorCode,
  message: string,
  values: Record<string, number>,
  context: ErrorContext = {},
): never {
  throw new ShapeError(message, { code, layer: context.layer, dimension: context.dimension, values });
}

/** Checks that `value` is an integer >= `min`; `code` and `name` go into the error. */
export function checkInteger(
  name: string,
  value: number,
  min: number,
  code: ShapeErrorCode,
  context: ErrorContext = {},
): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(
      code,
      `${name} must be an integer >= ${min}, got ${String(value)}`,
      { [name]: typeof value === 'number' ? value : Number.NaN },
      context,
    );
  }
}
