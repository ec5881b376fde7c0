import { ShapeError, type ShapeErrorCode } from '@hw3/shape';

export { ShapeError };

/** A ShapeError from @hw3/shape (core uses 'shape-mismatch', 'rank-mismatch', 'channel-mismatch', ...). */
export function shapeError(
  code: ShapeErrorCode,
  message: string,
  values: Record<string, number> = {},
): ShapeError {
  return new ShapeError(message, { code, values });
}

/**
 * Runs a @hw3/shape computation for `opName`; a ShapeError it throws is rethrown naming the op
 * (`layer "maxPool2d", dimension 1: …`), with the same code, dimension and values.
 */
export function withOpName<T>(opName: string, compute: () => T): T {
  try {
    return compute();
  } catch (e) {
    if (!(e instanceof ShapeError) || e.layer !== undefined) throw e;
    const prefix = e.dimension !== undefined ? `dimension ${e.dimension}: ` : '';
    const message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    throw new ShapeError(message, { code: e.code, layer: opName, dimension: e.dimension, values: e.values });
  }
}
