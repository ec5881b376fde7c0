import { BatchNormBase } from './batch-norm-base';

/**
 * Batch normalization over [N, H, W, C] input (channels last; PyTorch's BatchNorm2d takes [N, C, H, W]).
 * Statistics per channel over N·H·W values.
 */
export class BatchNorm2d extends BatchNormBase {
  protected readonly layerName = 'BatchNorm2d';
  protected readonly validRanks: readonly number[] = [4];
  protected readonly layouts = '[N, H, W, C], channels last';
}
