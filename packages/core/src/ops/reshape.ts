import { ValueError } from '../errors';
import { normalizeAxis } from '../shape-utils';
import type { Tensor } from '../tensor';
import { checkTensor } from './check';

/** Same data in a new shape (one dim may be -1). Shares data; autograd-aware. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return checkTensor(x, 'reshape').reshape(shape);
}

/** Merges dims startDim..endDim into one (PyTorch `torch.flatten`; default keeps the batch dim). */
export function flatten(x: Tensor, startDim = 1, endDim = -1): Tensor {
  checkTensor(x, 'flatten');
  if (x.ndim === 0) return x.reshape([1]);
  const s = normalizeAxis(startDim, x.ndim, 'flatten: startDim');
  const e = normalizeAxis(endDim, x.ndim, 'flatten: endDim');
  if (s > e) {
    throw new ValueError(
      `flatten: startDim (${startDim}) must not come after endDim (${endDim}) for rank ${x.ndim}`,
      'INVALID_AXES',
    );
  }
  const shape: number[] = x.shape.slice(0, s);
  let merged = 1;
  for (let i = s; i <= e; i++) merged *= x.shape[i];
  shape.push(merged);
  for (let i = e + 1; i < x.ndim; i++) shape.push(x.shape[i]);
  return x.reshape(shape);
}
