import { describeValue, ValueError } from '../errors';
import type { Pair } from '../ops/conv2d';
import { dropout } from '../ops/dropout';
import {
  type AvgPool2dOptions,
  avgPool2d,
  checkDivisorOverride,
  type MaxPool2dOptions,
  type MaxPool2dWithIndices,
  maxPool2d,
} from '../ops/pool2d';
import { flatten } from '../ops/reshape';
import { relu, sigmoid, tanh } from '../ops/unary';
import { defaultRng, type Rng } from '../rng';
import type { Tensor } from '../tensor';
import { checkLayerOptions } from './linear';
import { Module, type TorchLayout } from './module';

/** Elementwise max(x, 0) as a layer (PyTorch `nn.ReLU`). */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
  override torchLayout(): TorchLayout {
    return { elementwise: true };
  }
}

/** Elementwise 1 / (1 + e^(−x)) as a layer (PyTorch `nn.Sigmoid`). */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
  override torchLayout(): TorchLayout {
    return { elementwise: true };
  }
}

/** Elementwise tanh as a layer (PyTorch `nn.Tanh`). */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
  override torchLayout(): TorchLayout {
    return { elementwise: true };
  }
}

/**
 * Max pooling over H, W (NHWC). Stride defaults to kernelSize. With `returnIndices: true`, `forward` still
 * returns the pooled tensor (so the layer composes in Sequential; PyTorch's returns a tuple) and keeps the
 * argmax of the last call in `indices` (PyTorch's per-plane h·W + w, see `maxPool2d`);
 * `forwardWithIndices(x)` returns both whatever the option.
 */
export class MaxPool2d extends Module {
  readonly options: MaxPool2dOptions;
  /** With returnIndices: the indices of the last forward (null before the first, and without the option). */
  indices: Int32Array | null = null;
  constructor(kernelSize: Pair, options: Omit<MaxPool2dOptions, 'kernelSize'> = {}) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new ValueError(
        `MaxPool2d: options must be an object, got ${describeValue(options)}`,
        'INVALID_OPTIONS',
      );
    }
    this.options = { ...options, kernelSize };
    // Validate eagerly (a bad option is reported at construction, not at the first forward).
    if (options.returnIndices !== undefined && typeof options.returnIndices !== 'boolean') {
      throw new ValueError(
        `MaxPool2d: options.returnIndices must be a boolean, got ${describeValue(options.returnIndices)}`,
        'INVALID_OPTIONS',
      );
    }
  }
  forward(x: Tensor): Tensor {
    if (this.options.returnIndices !== true) return maxPool2d(x, { ...this.options, returnIndices: false });
    const { output, indices } = this.forwardWithIndices(x);
    this.indices = indices;
    return output;
  }
  /** The pooled tensor and the argmax indices (PyTorch's return_indices=True). */
  forwardWithIndices(x: Tensor): MaxPool2dWithIndices {
    return maxPool2d(x, { ...this.options, returnIndices: true });
  }
}

/** Average pooling over H, W (NHWC); countIncludePad defaults to true as in PyTorch; divisorOverride as PyTorch's. */
export class AvgPool2d extends Module {
  readonly options: AvgPool2dOptions;
  constructor(kernelSize: Pair, options: Omit<AvgPool2dOptions, 'kernelSize'> = {}) {
    super();
    this.options = { ...options, kernelSize };
    checkDivisorOverride(this.options.divisorOverride, 'AvgPool2d');
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.options);
  }
}

/** Merges dims startDim..endDim (default: everything after the batch dim). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
}

/** Inverted dropout while training; the identity in eval mode. */
export class Dropout extends Module {
  readonly p: number;
  private readonly rng: Rng | undefined;
  constructor(p = 0.5, options: { rng?: Rng } = {}) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new ValueError(`Dropout: p must be a probability in [0, 1], got ${p}`, 'INVALID_PROBABILITY');
    }
    checkLayerOptions(options, 'Dropout');
    this.p = p;
    this.rng = options.rng;
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, rng: this.rng ?? defaultRng() });
  }
  override torchLayout(): TorchLayout {
    return { elementwise: true };
  }
}

/** Applies modules in order; children are named '0', '1', ... */
export class Sequential extends Module {
  private readonly layers: Module[];
  constructor(...modules: Module[]) {
    super();
    this.layers = modules;
    modules.forEach((m, i) => {
      this.registerModule(String(i), m);
    });
  }
  get length(): number {
    return this.layers.length;
  }
  at(index: number): Module {
    const m = this.layers.at(index);
    if (m === undefined) {
      throw new ValueError(
        `Sequential.at: index must be an integer in [${-this.layers.length}, ${this.layers.length - 1}], got ${index}`,
        'INDEX_OUT_OF_RANGE',
      );
    }
    return m;
  }
  /**
   * The layers in order; a layer with `forwardReLUMaxPool2d` followed by a `ReLU` and a `MaxPool2d`, or with
   * `forwardReLU` followed by a `ReLU`, runs as one fused op (same values).
   */
  forward(x: Tensor): Tensor {
    let y = x;
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const m = layers[i];
      const next = layers[i + 1];
      const after = layers[i + 2];
      // Only plain ReLU and MaxPool2d layers are fused (a subclass may override forward).
      const reluNext = next instanceof ReLU && next.forward === ReLU.prototype.forward;
      if (
        m.forwardReLUMaxPool2d !== undefined &&
        reluNext &&
        after instanceof MaxPool2d &&
        after.forward === MaxPool2d.prototype.forward &&
        after.options.returnIndices !== true
      ) {
        y = m.forwardReLUMaxPool2d(y, after.options);
        i += 2;
      } else if (m.forwardReLU !== undefined && reluNext) {
        y = m.forwardReLU(y);
        i++;
      } else y = m.forward(y);
    }
    return y;
  }
}
