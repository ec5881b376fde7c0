import type { Padding } from '@hw3/shape';
import { zeros } from '../creation';
import type { DType } from '../dtype';
import { describeValue, ValueError } from '../errors';
import { type Conv2dOptions, conv2d, type Pair } from '../ops/conv2d';
import { defaultRng, type Rng } from '../rng';
import { shapeError } from '../shape-error';
import type { Tensor } from '../tensor';
import { fillUniform, kaimingUniformBound } from './init';
import { checkLayerOptions, checkPositiveInt } from './linear';
import { Module, type TorchLayout } from './module';

/** Options of the `Conv2d` layer (PyTorch `nn.Conv2d` arguments, NHWC). */
export interface Conv2dLayerOptions {
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  groups?: number;
  /** Default true. */
  bias?: boolean;
  rng?: Rng;
  /** Default 'float32'. */
  dtype?: DType;
}

/**
 * 2-d convolution layer, channels-last: input [N, H, W, inChannels] → [N, outH, outW, outChannels].
 * weight [outChannels, kH, kW, inChannels / groups] (OHWI; PyTorch stores OIHW), bias [outChannels].
 * Init as PyTorch with fanIn = (inChannels / groups)·kH·kW.
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly [number, number];
  readonly options: Conv2dOptions;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dLayerOptions = {}) {
    super();
    this.inChannels = checkPositiveInt(inChannels, 'inChannels', 'Conv2d');
    this.outChannels = checkPositiveInt(outChannels, 'outChannels', 'Conv2d');
    if (typeof kernelSize !== 'number' && !(Array.isArray(kernelSize) && kernelSize.length === 2)) {
      throw new ValueError(
        `Conv2d: kernelSize must be an integer >= 1 or a pair [kH, kW], got ${Array.isArray(kernelSize) ? JSON.stringify(kernelSize) : describeValue(kernelSize)}`,
        'INVALID_SIZE',
      );
    }
    checkLayerOptions(options, 'Conv2d');
    const [kH, kW] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    checkPositiveInt(kH, 'kernelSize[0]', 'Conv2d');
    checkPositiveInt(kW, 'kernelSize[1]', 'Conv2d');
    this.kernelSize = [kH, kW];
    const groups = options.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw shapeError(
        'invalid-groups',
        `Conv2d: groups must be an integer >= 1 dividing inChannels ${inChannels} and outChannels ${outChannels}, got ${groups}`,
        { groups, inChannels, outChannels },
      );
    }
    this.options = { stride: options.stride, padding: options.padding, dilation: options.dilation, groups };
    const rng = options.rng ?? defaultRng();
    const dtype = options.dtype ?? 'float32';
    const fanIn = (inChannels / groups) * kH * kW;
    this.weight = this.registerParameter(
      'weight',
      zeros([outChannels, kH, kW, inChannels / groups], { dtype }),
    );
    fillUniform(this.weight, kaimingUniformBound(fanIn), rng);
    if (options.bias ?? true) {
      this.bias = this.registerParameter('bias', zeros([outChannels], { dtype }));
      fillUniform(this.bias, 1 / Math.sqrt(fanIn), rng);
    } else this.bias = null;
  }

  /** PyTorch's Conv2d stores the weight OIHW. */
  override torchLayout(): TorchLayout {
    return { tensors: { weight: { layout: 'conv-ohwi' } } };
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.options);
  }
}
