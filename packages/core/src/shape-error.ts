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
