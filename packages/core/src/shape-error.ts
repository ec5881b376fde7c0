import { ShapeError, type ShapeErrorCode } from '@hw3/shape';

export { ShapeError };

/**
 * Core's shape errors. @hw3/shape's ShapeErrorCode covers conv/pool geometry; core adds
 * 'shape-mismatch' (operands whose shapes cannot combine: broadcasting, matmul, gradients, data length).
 */
export type CoreShapeErrorCode = ShapeErrorCode | 'shape-mismatch';

export function shapeError(
  code: CoreShapeErrorCode,
  message: string,
  values: Record<string, number> = {},
): ShapeError {
  return new ShapeError(message, { code: code as ShapeErrorCode, values });
}
