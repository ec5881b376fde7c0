import { zeros } from '../creation';
import type { DType } from '../dtype';
import { describeValue, ValueError } from '../errors';
import { linear } from '../ops/linear';
import { defaultRng, type Rng } from '../rng';
import type { Tensor } from '../tensor';
import { fillUniform, kaimingUniformBound } from './init';
import { Module, type TorchLayout } from './module';

/** Options of the `Linear` layer (PyTorch `nn.Linear` arguments). */
export interface LinearOptions {
  /** Default true. */
  bias?: boolean;
  /** Default: the module-level default generator (see manualSeed). */
  rng?: Rng;
  /** Default 'float32'. */
  dtype?: DType;
}

export function checkPositiveInt(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValueError(`${where}: ${name} must be an integer >= 1, got ${String(value)}`, 'INVALID_SIZE');
  }
  return value;
}

/** A layer's options argument must be an object (or omitted); else a ValueError naming it, not a TypeError. */
export function checkLayerOptions(options: unknown, where: string): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValueError(
      `${where}: options must be an object, got ${describeValue(options)}`,
      'INVALID_OPTIONS',
    );
  }
}

/**
 * y = x·Wᵀ + b with weight [outFeatures, inFeatures] and bias [outFeatures] (PyTorch layout).
 * Init as PyTorch: W ~ U(±gain·√(3/fanIn)) with gain = √(2/(1+a²)), a = √5 (i.e. ±1/√fanIn); b ~ U(±1/√fanIn).
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = checkPositiveInt(inFeatures, 'inFeatures', 'Linear');
    this.outFeatures = checkPositiveInt(outFeatures, 'outFeatures', 'Linear');
    checkLayerOptions(options, 'Linear');
    const rng = options.rng ?? defaultRng();
    const dtype = options.dtype ?? 'float32';
    this.weight = this.registerParameter('weight', zeros([outFeatures, inFeatures], { dtype }));
    fillUniform(this.weight, kaimingUniformBound(inFeatures), rng);
    if (options.bias ?? true) {
      this.bias = this.registerParameter('bias', zeros([outFeatures], { dtype }));
      fillUniform(this.bias, 1 / Math.sqrt(inFeatures), rng);
    } else this.bias = null;
  }

  /** Same layout as PyTorch, but the columns follow the input's feature order (permuted after a Flatten). */
  override torchLayout(): TorchLayout {
    return { tensors: { weight: { layout: 'linear-weight' } } };
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
