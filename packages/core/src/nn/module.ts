import { describeValue, ValueError } from '../errors';
import type { Pool2dOptions } from '../ops/pool2d';
import { shapeError } from '../shape-error';
import { fmtShape, shapesEqual } from '../shape-utils';
import { Tensor } from '../tensor';

/** Thrown by `loadStateDict` (strict) when keys are missing or unexpected; lists both. */
export class StateDictError extends ValueError {
  constructor(
    message: string,
    readonly missingKeys: readonly string[],
    readonly unexpectedKeys: readonly string[],
  ) {
    super(message, 'STATE_DICT_MISMATCH');
  }
}

/** Options of `Module.loadStateDict`. */
export interface LoadStateDictOptions {
  /** Default true: missing or unexpected keys throw a StateDictError. Shape mismatches always throw. */
  strict?: boolean;
}

/** Keys that did not match (returned by `loadStateDict` when strict is false). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * How one of a module's own tensors is stored in PyTorch's state dict (see `toTorchStateDict`):
 * - 'same': same shape and element order (biases, BatchNorm's per-channel vectors, …);
 * - 'conv-ohwi': a conv weight, hw3 [O, kH, kW, I] ↔ PyTorch [O, I, kH, kW];
 * - 'linear-weight': a [out, in] weight whose columns are input features; when the input is a Flatten of a
 *   channels-last activation the columns are permuted from hw3's (h, w, c) order to PyTorch's (c, h, w);
 * - 'int64': an integer counter PyTorch keeps as int64 (hw3: float64), written as I64 in safetensors.
 */
export type TorchTensorLayout = 'same' | 'conv-ohwi' | 'linear-weight' | 'int64';

/** A module's PyTorch counterpart, as far as its state dict is concerned (returned by `Module.torchLayout()`). */
export interface TorchLayout {
  /** Own parameters/buffers whose PyTorch name or layout differ: hw3 name → { name?: PyTorch name, layout? }. */
  tensors?: Record<string, { name?: string; layout?: TorchTensorLayout }>;
  /**
   * true when output feature i depends only on input feature i (ReLU, Dropout, …): the feature order set up by
   * a Flatten passes through to the next Linear. Any other module between a Flatten of a channels-last
   * activation and the Linear that reads it cannot be converted (a typed error, never silently wrong weights).
   */
  elementwise?: boolean;
}

/**
 * Base class of layers (like torch.nn.Module). Subclasses register parameters (trainable tensors),
 * buffers (state such as running statistics) and child modules by name; names are joined with '.'
 * in `namedParameters()` / `stateDict()` (e.g. '0.weight' inside a Sequential).
 */
export abstract class Module {
  /** Training mode (true) or evaluation mode (false); switched recursively by `train()` / `eval()`. */
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly buffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /**
   * Optional: relu(this.forward(x)) computed in one pass, bit-identical to the two steps. When a layer has it and the
   * next layer of a `Sequential` is a `ReLU`, the `Sequential` calls this instead of both (fewer passes over the
   * activations; state-dict names unchanged). @hw3/batchnorm's BatchNorm layers have it.
   */
  forwardReLU?(x: Tensor): Tensor;

  /**
   * Optional: maxPool2d(relu(this.forward(x)), pool) in one op, bit-identical to the three steps. When a layer has it
   * and the next two layers of a `Sequential` are a `ReLU` and a `MaxPool2d` (without returnIndices), the
   * `Sequential` calls this instead of the three. @hw3/batchnorm's BatchNorm layers have it.
   */
  forwardReLUMaxPool2d?(x: Tensor, pool: Pool2dOptions): Tensor;

  /**
   * How this module's own parameters and buffers map onto PyTorch's (names and layouts, see TorchLayout), for
   * `toTorchStateDict` / `fromTorchStateDict`. Default `{}`: same names, same layouts, not elementwise.
   * Layers whose PyTorch counterpart stores something differently override it (Conv2d, Linear, BatchNorm).
   */
  torchLayout(): TorchLayout {
    return {};
  }

  /** Same as `forward(x)`. */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  private checkName(name: string, kind: string, replaceable: Map<string, unknown>): void {
    if (typeof name !== 'string' || name.length === 0 || name.includes('.')) {
      throw new ValueError(
        `register${kind}: name must be a non-empty string without '.', got ${JSON.stringify(name)}`,
        'INVALID_NAME',
      );
    }
    const taken =
      (this.params.has(name) && this.params !== replaceable) ||
      (this.buffers.has(name) && this.buffers !== replaceable) ||
      (this.children.has(name) && this.children !== replaceable);
    if (taken) {
      throw new ValueError(
        `register${kind}: name '${name}' is already used by another parameter, buffer or module`,
        'DUPLICATE_NAME',
      );
    }
  }

  /** Registers (or replaces) a trainable tensor; sets requiresGrad = true. Returns it. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    this.checkName(name, 'Parameter', this.params);
    if (!(t instanceof Tensor)) {
      throw new ValueError(
        `registerParameter: '${name}' must be a Tensor, got ${describeValue(t)}`,
        'INVALID_INPUT',
      );
    }
    t.requiresGrad = true;
    this.params.set(name, t);
    return t;
  }

  /** Registers (or replaces) a non-trainable state tensor that is saved in the state dict. Returns it. */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.checkName(name, 'Buffer', this.buffers);
    if (!(t instanceof Tensor)) {
      throw new ValueError(
        `registerBuffer: '${name}' must be a Tensor, got ${describeValue(t)}`,
        'INVALID_INPUT',
      );
    }
    this.buffers.set(name, t);
    return t;
  }

  /** Registers (or replaces) a child module. Returns it. */
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.checkName(name, 'Module', this.children);
    if (!(m instanceof Module)) {
      throw new ValueError(
        `registerModule: '${name}' must be a Module, got ${describeValue(m)}`,
        'INVALID_INPUT',
      );
    }
    this.children.set(name, m);
    return m;
  }

  /** Direct children with their names. */
  namedChildren(): Array<[string, Module]> {
    return [...this.children];
  }

  /**
   * Every parameter with its dotted name, depth-first in registration order. A tensor shared by several
   * modules is listed once, under its first name (PyTorch's `named_parameters()`); `stateDict()` keeps
   * every name.
   */
  namedParameters(): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    this.collect('', out, 'params');
    const seen = new Set<Tensor>();
    return out.filter(([, t]) => {
      if (seen.has(t)) return false;
      seen.add(t);
      return true;
    });
  }

  /** Every buffer with its dotted name. */
  namedBuffers(): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    this.collect('', out, 'buffers');
    return out;
  }

  private collect(prefix: string, out: Array<[string, Tensor]>, kind: 'params' | 'buffers'): void {
    for (const [name, t] of this[kind]) out.push([prefix + name, t]);
    for (const [name, m] of this.children) m.collect(`${prefix}${name}.`, out, kind);
  }

  /** Distinct parameters (a tensor shared by two layers appears once). */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Sets training mode on this module and all children. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') {
      throw new ValueError(`train: mode must be true or false, got ${describeValue(mode)}`, 'INVALID_VALUE');
    }
    this.training = mode;
    for (const m of this.children.values()) m.train(mode);
    return this;
  }

  /** Evaluation mode (`train(false)`): Dropout is the identity, BatchNorm uses running statistics. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Zeroes the gradients of all parameters in place (keeps the buffers, so a training step allocates
   * nothing; PyTorch's default set_to_none instead drops them).
   */
  zeroGrad(): void {
    for (const p of this.parameters()) if (p.grad !== null) p.grad.data.fill(0);
  }

  /**
   * Parameters and buffers by dotted name, as tensors sharing data with the module (no graph). Key order is
   * PyTorch's: each module's own parameters, then its own buffers, then its children in registration order.
   */
  stateDict(): Record<string, Tensor> {
    const sd: Record<string, Tensor> = {};
    for (const [name, t] of this.namedState()) sd[name] = t.detach();
    return sd;
  }

  /** Every parameter and buffer under every name, in state-dict order (shared tensors repeat). */
  private namedState(prefix = '', out: Array<[string, Tensor]> = []): Array<[string, Tensor]> {
    for (const [name, t] of this.params) out.push([prefix + name, t]);
    for (const [name, t] of this.buffers) out.push([prefix + name, t]);
    for (const [name, m] of this.children) m.namedState(`${prefix}${name}.`, out);
    return out;
  }

  /**
   * Copies values from `sd` into the parameters and buffers (converting float32/float64 as needed).
   * Everything is checked before anything is copied: a shape mismatch throws a ShapeError naming the key;
   * with strict (default) missing or unexpected keys throw a StateDictError listing them.
   */
  loadStateDict(sd: Record<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    if (sd === null || typeof sd !== 'object') {
      throw new ValueError(
        `loadStateDict: sd must be an object mapping names to Tensors, got ${describeValue(sd)}`,
        'INVALID_INPUT',
      );
    }
    if (typeof options !== 'object' || options === null) {
      throw new ValueError(
        `loadStateDict: options must be an object { strict? }, got ${describeValue(options)}`,
        'INVALID_OPTIONS',
      );
    }
    const strict = options.strict ?? true;
    const targets = new Map<string, Tensor>(this.namedState());
    const missingKeys: string[] = [];
    const unexpectedKeys: string[] = [];
    const pairs: Array<[Tensor, Tensor]> = [];
    for (const [name, target] of targets) {
      if (!Object.hasOwn(sd, name)) {
        missingKeys.push(name);
        continue;
      }
      const src = sd[name];
      if (!(src instanceof Tensor)) {
        throw new ValueError(
          `loadStateDict: sd['${name}'] must be a Tensor, got ${describeValue(src)}`,
          'INVALID_INPUT',
        );
      }
      if (!shapesEqual(src.shape, target.shape)) {
        throw shapeError(
          'shape-mismatch',
          `loadStateDict: '${name}' has shape ${fmtShape(src.shape)} in the state dict but ${fmtShape(target.shape)} in the module`,
        );
      }
      pairs.push([src, target]);
    }
    for (const name of Object.keys(sd)) if (!targets.has(name)) unexpectedKeys.push(name);
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      throw new StateDictError(
        `loadStateDict: missing keys [${missingKeys.join(', ')}], unexpected keys [${unexpectedKeys.join(', ')}] (pass { strict: false } to ignore)`,
        missingKeys,
        unexpectedKeys,
      );
    }
    for (const [src, target] of pairs) if (src.data !== target.data) target.data.set(src.data);
    return { missingKeys, unexpectedKeys };
  }
}
