import { describeValue, ValueError } from '../errors';
import { Tensor } from '../tensor';

/** Throws a ValueError naming the op, the argument and what it got unless `x` is a Tensor. */
export function checkTensor(x: unknown, opName: string, argName = 'x'): Tensor {
  if (!(x instanceof Tensor)) {
    throw new ValueError(`${opName}: ${argName} must be a Tensor, got ${describeValue(x)}`, 'INVALID_INPUT');
  }
  return x;
}

/** Like checkTensor, but null is allowed (an optional bias). */
export function checkOptionalTensor(x: unknown, opName: string, argName: string): Tensor | null {
  if (x === null) return null;
  if (!(x instanceof Tensor)) {
    throw new ValueError(
      `${opName}: ${argName} must be a Tensor or null, got ${describeValue(x)}`,
      'INVALID_INPUT',
    );
  }
  return x;
}
