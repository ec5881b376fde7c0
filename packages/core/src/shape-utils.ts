import { ValueError } from './errors';
import { shapeError } from './shape-error';

/**
 * The most elements one tensor may hold: the longest typed array JavaScript engines allocate (2^32 − 1 on 64-bit
 * V8). Larger shapes are refused before anything is allocated, with a ValueError instead of a RangeError.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 32 - 1;

/** Validates a shape (array of non-negative integers, at most MAX_TENSOR_ELEMENTS in all) and returns a frozen copy. */
export function checkShape(shape: unknown, argName = 'shape'): readonly number[] {
  if (!Array.isArray(shape)) {
    throw new ValueError(
      `${argName} must be an array of non-negative integers, got ${String(shape)}`,
      'INVALID_SHAPE',
    );
  }
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ValueError(
        `${argName}[${i}] must be a non-negative integer, got ${String(d)} (shape ${JSON.stringify(shape)})`,
        'INVALID_SHAPE',
      );
    }
  }
  const size = shapeSize(shape);
  if (size > MAX_TENSOR_ELEMENTS) {
    throw new ValueError(
      `${argName} ${JSON.stringify(shape)} has ${size} elements; a tensor holds at most 2^32 − 1 = ${MAX_TENSOR_ELEMENTS}`,
      'TOO_LARGE',
    );
  }
  return Object.freeze(shape.slice()) as readonly number[];
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Row-major strides of a contiguous tensor. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** NumPy / PyTorch broadcasting: align trailing dims; each pair must be equal or one of them 1. */
export function broadcastShapes(a: readonly number[], b: readonly number[], opName: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw shapeError(
        'shape-mismatch',
        `${opName}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast: dimension ${i} (aligned from the right) is ${da} vs ${db}; sizes must be equal or one of them 1`,
      );
    }
  }
  return out;
}

/** Normalises a possibly negative axis for a tensor of rank `ndim`; throws a ValueError when out of range. */
export function normalizeAxis(axis: number, ndim: number, argName = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= Math.max(ndim, 1)) {
    throw new ValueError(
      `${argName} must be an integer in [${-ndim}, ${Math.max(ndim - 1, 0)}] for a tensor of rank ${ndim}, got ${axis}`,
      'AXIS_OUT_OF_RANGE',
    );
  }
  return axis < 0 ? axis + ndim : axis;
}
