import { BatchNormBase } from './batch-norm-base';

/**
 * Batch normalization over [N, C] or [N, L, C] input (channels last; PyTorch's BatchNorm1d takes [N, C] or
 * [N, C, L]). Statistics per channel over N (or N·L) values.
 */
export class BatchNorm1d extends BatchNormBase {
  protected readonly layerName = 'BatchNorm1d';
  protected readonly validRanks: readonly number[] = [2, 3];
  protected readonly layouts = '[N, C] or [N, L, C], channels last';
}
