import { zeros } from './creation';
import type { DType } from './dtype';
import { describeValue, ValueError } from './errors';
import { Flatten, Sequential } from './nn/layers';
import {
  type LoadStateDictResult,
  Module,
  StateDictError,
  type TorchLayout,
  type TorchTensorLayout,
} from './nn/module';
import { loadSafetensors, saveSafetensors } from './safetensors';
import { shapeError } from './shape-error';
import { fmtShape, normalizeAxis, shapesEqual } from './shape-utils';
import { noGrad, Tensor } from './tensor';

/**
 * PyTorch-layout state dicts: hw3 keeps activations channels-last (NHWC) and conv weights OHWI, PyTorch
 * NCHW and OIHW. `toTorchStateDict` / `fromTorchStateDict` convert every tensor of a module by what the module
 * declares in `torchLayout()` (so layers of other packages, such as @hw3/batchnorm, take part without @hw3/core
 * knowing them), and trace Flatten → Linear inside Sequential containers to permute the Linear's columns.
 */

/** Options of `toTorchStateDict` (and the base of the other conversions' options). */
export interface TorchStateDictOptions {
  /**
   * Shape of one input batch in hw3's layout, e.g. [1, 28, 28, 1]. Needed when a Linear reads a Flatten (its
   * columns depend on whether the flattened activation is a 4-d [N, H, W, C] one, and on H, W, C); the conversion
   * then runs one forward pass on zeros in eval mode (training flags are restored; nothing is learned) to find
   * that shape. At most 2^24 elements.
   */
  inputShape?: readonly number[];
}

/** Options of `fromTorchStateDict`. */
export interface FromTorchStateDictOptions extends TorchStateDictOptions {
  /** Default true: missing or unexpected (PyTorch) keys throw a StateDictError. Shape mismatches always throw. */
  strict?: boolean;
}

/** Options of `saveTorchSafetensors`. */
export interface SaveTorchSafetensorsOptions extends TorchStateDictOptions {
  /** String metadata stored in the file's `__metadata__`. */
  metadata?: Record<string, string>;
}

/** Options of `loadTorchSafetensors`. */
export interface LoadTorchSafetensorsOptions extends FromTorchStateDictOptions {
  /** Passed to loadSafetensors. */
  maxHeaderBytes?: number;
}

/** Flattened NHWC features: index s·C + c in hw3, c·S + s in PyTorch (s = h·W + w, S = H·W). */
interface FeaturePerm {
  spatial: number;
  channels: number;
}

/** What the features entering a module are: in their own order (null), a traced Flatten, or an untraced one. */
type Pending = FeaturePerm | 'unknown' | null;

interface Entry {
  hw3Key: string;
  torchKey: string;
  layout: TorchTensorLayout;
  perm: FeaturePerm | null;
  tensor: Tensor;
}

const LAYOUTS: readonly TorchTensorLayout[] = ['same', 'conv-ohwi', 'linear-weight', 'int64'];

function unsupported(fn: string, message: string): ValueError {
  return new ValueError(`${fn}: ${message}`, 'TORCH_LAYOUT_UNSUPPORTED');
}

function layoutOf(m: Module, where: string, fn: string): TorchLayout {
  const layout = m.torchLayout();
  if (layout === null || typeof layout !== 'object') {
    throw unsupported(fn, `${where}.torchLayout() must return an object, got ${describeValue(layout)}`);
  }
  return layout;
}

function className(m: Module): string {
  return m.constructor?.name ?? 'Module';
}

function label(prefix: string, m: Module): string {
  return prefix === '' ? `the root ${className(m)}` : `'${prefix.slice(0, -1)}' (${className(m)})`;
}

function someModule(m: Module, test: (m: Module) => boolean): boolean {
  if (test(m)) return true;
  return m.namedChildren().some(([, c]) => someModule(c, test));
}

function hasLinearWeight(m: Module): boolean {
  const tensors = layoutOf(m, className(m), 'torchLayout').tensors ?? {};
  return Object.values(tensors).some((t) => t?.layout === 'linear-weight');
}

class Planner {
  readonly entries: Entry[] = [];
  constructor(readonly fn: string) {}

  /** Maps a module's own parameters and buffers (not its children's). */
  own(m: Module, prefix: string, perm: FeaturePerm | null): void {
    const layout = layoutOf(m, label(prefix, m), this.fn);
    const specs = layout.tensors ?? {};
    if (specs === null || typeof specs !== 'object') {
      throw unsupported(
        this.fn,
        `${label(prefix, m)}: torchLayout().tensors must be an object, got ${describeValue(specs)}`,
      );
    }
    const sd = m.stateDict();
    for (const name of Object.keys(sd)) {
      if (name.includes('.')) continue; // a child's
      const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
      const kind = spec?.layout ?? 'same';
      if (!LAYOUTS.includes(kind)) {
        throw unsupported(
          this.fn,
          `${label(prefix, m)}: layout of '${name}' must be one of ${LAYOUTS.map((l) => `'${l}'`).join(', ')}, got ${describeValue(kind)}`,
        );
      }
      const torchName = spec?.name ?? name;
      if (typeof torchName !== 'string' || torchName.length === 0 || torchName.includes('.')) {
        throw unsupported(
          this.fn,
          `${label(prefix, m)}: PyTorch name of '${name}' must be a non-empty string without '.', got ${describeValue(torchName)}`,
        );
      }
      const t = sd[name];
      const key = prefix + name;
      if (kind === 'conv-ohwi' && t.ndim !== 4) {
        throw shapeError(
          'rank-mismatch',
          `${this.fn}: '${key}' has layout 'conv-ohwi' and must be [O, kH, kW, I], got ${fmtShape(t.shape)}`,
        );
      }
      if (kind === 'linear-weight' && t.ndim !== 2) {
        throw shapeError(
          'rank-mismatch',
          `${this.fn}: '${key}' has layout 'linear-weight' and must be [out, in], got ${fmtShape(t.shape)}`,
        );
      }
      const p = kind === 'linear-weight' ? perm : null;
      if (p !== null && t.shape[1] !== p.spatial * p.channels) {
        throw shapeError(
          'shape-mismatch',
          `${this.fn}: '${key}' reads ${t.shape[1]} features but the Flatten before it gives ${p.spatial}·${p.channels} = ${p.spatial * p.channels}`,
        );
      }
      this.entries.push({ hw3Key: key, torchKey: prefix + torchName, layout: kind, perm: p, tensor: t });
    }
  }

  /** A subtree whose data flow is not traced (a custom container): layouts only, no Flatten permutation. */
  untraced(m: Module, prefix: string): void {
    this.own(m, prefix, null);
    for (const [name, child] of m.namedChildren()) this.untraced(child, `${prefix}${name}.`);
  }

  /** Follows the data through Sequential containers; x is the module's input when an inputShape was given. */
  walk(m: Module, prefix: string, pending: Pending, x: Tensor | null): [Pending, Tensor | null] {
    if (m instanceof Sequential) {
      this.own(m, prefix, null);
      let p = pending;
      let y = x;
      for (const [name, child] of m.namedChildren()) [p, y] = this.walk(child, `${prefix}${name}.`, p, y);
      return [p, y];
    }
    if (m instanceof Flatten) {
      if (x === null) return ['unknown', null];
      const y = m.forward(x);
      // Only 4-d tensors are images/feature maps (NHWC here, NCHW in PyTorch); every hw3 op that makes or takes
      // other ranks uses the same layout as PyTorch, so flattening them gives the same order in both.
      if (x.ndim !== 4) return [pending, y];
      const s = normalizeAxis(m.startDim, 4, 'Flatten: startDim');
      const e = normalizeAxis(m.endDim, 4, 'Flatten: endDim');
      if (s !== 1 || e !== 3) {
        throw unsupported(
          this.fn,
          `${label(prefix, m)} flattens dims ${s}..${e} of the NHWC activation ${fmtShape(x.shape)}; only Flatten(1, -1) of a 4-d activation is converted`,
        );
      }
      return [{ spatial: x.shape[1] * x.shape[2], channels: x.shape[3] }, y];
    }
    const layout = layoutOf(m, label(prefix, m), this.fn);
    const consumes = hasLinearWeight(m);
    let out: Pending = null;
    if (pending === 'unknown' && (consumes || layout.elementwise !== true)) {
      throw new ValueError(
        `${this.fn}: options.inputShape (the hw3 input shape, e.g. [1, 28, 28, 1]) is required: ${label(prefix, m)} follows a Flatten, and whether${consumes ? ' its weight columns' : ' the features it sees'} need PyTorch's (c, h, w) order depends on the flattened activation's shape`,
        'INPUT_SHAPE_REQUIRED',
      );
    }
    if (pending !== null && !consumes && layout.elementwise !== true) {
      throw unsupported(
        this.fn,
        `${label(prefix, m)} sits between a Flatten of a channels-last activation and the Linear that reads it and does not declare torchLayout().elementwise, so the feature order PyTorch sees cannot be derived`,
      );
    }
    if (pending !== null && !consumes) out = pending; // elementwise: the order passes through
    const children = m.namedChildren();
    if (children.length > 0 && someModule(m, (c) => c instanceof Flatten) && someModule(m, hasLinearWeight)) {
      throw unsupported(
        this.fn,
        `${label(prefix, m)} holds a Flatten and a Linear inside a container that is not a Sequential; its data flow cannot be traced (build that part as a Sequential)`,
      );
    }
    this.own(m, prefix, pending === null || pending === 'unknown' ? null : pending);
    for (const [name, child] of children) this.untraced(child, `${prefix}${name}.`);
    return [out, x === null ? null : m.forward(x)];
  }
}

function checkModule(module: unknown, fn: string): Module {
  if (!(module instanceof Module)) {
    throw new ValueError(`${fn}: module must be a Module, got ${describeValue(module)}`, 'INVALID_INPUT');
  }
  return module;
}

function checkInputShape(shape: unknown, fn: string): readonly number[] | undefined {
  if (shape === undefined) return undefined;
  if (
    !Array.isArray(shape) ||
    shape.length === 0 ||
    !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1 && d <= 2 ** 31 - 1)
  ) {
    throw new ValueError(
      `${fn}: options.inputShape must be a non-empty array of integers >= 1 (the hw3 input shape, e.g. [1, 28, 28, 1]), got ${Array.isArray(shape) ? JSON.stringify(shape) : describeValue(shape)}`,
      'INVALID_OPTIONS',
    );
  }
  let size = 1;
  for (const d of shape as number[]) size *= d;
  if (size > 2 ** 24) {
    throw new ValueError(
      `${fn}: options.inputShape ${JSON.stringify(shape)} has ${size} elements; use a batch of 1 (at most 2^24 elements)`,
      'INVALID_OPTIONS',
    );
  }
  return shape as number[];
}

function allModules(m: Module, out: Module[] = []): Module[] {
  out.push(m);
  for (const [, c] of m.namedChildren()) allModules(c, out);
  return out;
}

function plan(module: Module, options: TorchStateDictOptions, fn: string): Entry[] {
  if (options === null || typeof options !== 'object') {
    throw new ValueError(
      `${fn}: options must be an object, got ${describeValue(options)}`,
      'INVALID_OPTIONS',
    );
  }
  const inputShape = checkInputShape(options.inputShape, fn);
  const planner = new Planner(fn);
  if (inputShape === undefined) {
    planner.walk(module, '', null, null);
  } else {
    const modules = allModules(module);
    const modes = modules.map((m) => m.training);
    const dtype: DType = module.parameters()[0]?.dtype ?? 'float32';
    try {
      module.eval();
      noGrad(() => planner.walk(module, '', null, zeros([...inputShape], { dtype })));
    } finally {
      modules.forEach((m, i) => {
        m.training = modes[i];
      });
    }
  }
  const seen = new Map<string, string>();
  for (const e of planner.entries) {
    const other = seen.get(e.torchKey);
    if (other !== undefined) {
      throw unsupported(fn, `'${e.hw3Key}' and '${other}' both map to the PyTorch key '${e.torchKey}'`);
    }
    seen.set(e.torchKey, e.hw3Key);
  }
  return planner.entries;
}

function torchShape(e: Entry): number[] {
  const s = e.tensor.shape;
  return e.layout === 'conv-ohwi' ? [s[0], s[3], s[1], s[2]] : [...s];
}

/** hw3 layout → PyTorch layout (a new tensor of the same dtype). */
function toTorch(e: Entry, t: Tensor): Tensor {
  const src = t.data;
  const dst = src instanceof Float64Array ? new Float64Array(src.length) : new Float32Array(src.length);
  if (e.layout === 'conv-ohwi') {
    const [O, kH, kW, I] = t.shape;
    for (let o = 0; o < O; o++)
      for (let h = 0; h < kH; h++)
        for (let w = 0; w < kW; w++)
          for (let i = 0; i < I; i++)
            dst[((o * I + i) * kH + h) * kW + w] = src[((o * kH + h) * kW + w) * I + i];
  } else if (e.perm !== null) {
    const [O, F] = t.shape;
    const { spatial: S, channels: C } = e.perm;
    for (let o = 0; o < O; o++)
      for (let s = 0; s < S; s++) for (let c = 0; c < C; c++) dst[o * F + c * S + s] = src[o * F + s * C + c];
  } else dst.set(src);
  return new Tensor(dst, torchShape(e));
}

/** PyTorch layout → hw3 layout (a new tensor of the source's dtype). */
function fromTorch(e: Entry, t: Tensor): Tensor {
  const src = t.data;
  const dst = src instanceof Float64Array ? new Float64Array(src.length) : new Float32Array(src.length);
  if (e.layout === 'conv-ohwi') {
    const [O, kH, kW, I] = e.tensor.shape;
    for (let o = 0; o < O; o++)
      for (let h = 0; h < kH; h++)
        for (let w = 0; w < kW; w++)
          for (let i = 0; i < I; i++)
            dst[((o * kH + h) * kW + w) * I + i] = src[((o * I + i) * kH + h) * kW + w];
  } else if (e.perm !== null) {
    const [O, F] = e.tensor.shape;
    const { spatial: S, channels: C } = e.perm;
    for (let o = 0; o < O; o++)
      for (let s = 0; s < S; s++) for (let c = 0; c < C; c++) dst[o * F + s * C + c] = src[o * F + c * S + s];
  } else dst.set(src);
  if (e.layout === 'int64') {
    for (const v of dst) {
      if (!Number.isSafeInteger(v)) {
        throw new ValueError(
          `fromTorchStateDict: '${e.torchKey}' is an integer counter (PyTorch int64) and must hold integers, got ${v}`,
          'INVALID_VALUE',
        );
      }
    }
  }
  return new Tensor(dst, [...e.tensor.shape]);
}

/**
 * The module's parameters and buffers under PyTorch's names and in PyTorch's layouts, as new tensors (same
 * dtypes; `int64` counters such as num_batches_tracked stay float64 holding integers). Loading the result into
 * the equivalent torch.nn model with `load_state_dict` gives the same function (inputs permuted NHWC → NCHW).
 */
export function toTorchStateDict(
  module: Module,
  options: TorchStateDictOptions = {},
): Record<string, Tensor> {
  const entries = plan(checkModule(module, 'toTorchStateDict'), options, 'toTorchStateDict');
  const out: Record<string, Tensor> = {};
  for (const e of entries) out[e.torchKey] = toTorch(e, e.tensor);
  return out;
}

/**
 * Loads a PyTorch-layout state dict (PyTorch names and layouts, e.g. from `loadSafetensors` of a file saved
 * from `model.state_dict()`) into `module`, converting each tensor to hw3's layout. Everything is checked before
 * anything is copied: a shape that is not the PyTorch shape of the hw3 tensor is a ShapeError naming the key;
 * with strict (default) missing or unexpected keys throw a StateDictError listing the PyTorch names.
 */
export function fromTorchStateDict(
  module: Module,
  tensors: Record<string, Tensor>,
  options: FromTorchStateDictOptions = {},
): LoadStateDictResult {
  const m = checkModule(module, 'fromTorchStateDict');
  if (tensors === null || typeof tensors !== 'object') {
    throw new ValueError(
      `fromTorchStateDict: tensors must be an object mapping PyTorch names to Tensors, got ${describeValue(tensors)}`,
      'INVALID_INPUT',
    );
  }
  const entries = plan(m, options, 'fromTorchStateDict');
  const strict = options.strict ?? true;
  if (typeof strict !== 'boolean') {
    throw new ValueError(
      `fromTorchStateDict: options.strict must be a boolean, got ${describeValue(strict)}`,
      'INVALID_OPTIONS',
    );
  }
  const known = new Set(entries.map((e) => e.torchKey));
  const missingKeys: string[] = [];
  const unexpectedKeys = Object.keys(tensors).filter((k) => !known.has(k));
  const sd: Record<string, Tensor> = {};
  for (const e of entries) {
    if (!Object.hasOwn(tensors, e.torchKey)) {
      missingKeys.push(e.torchKey);
      continue;
    }
    const t = tensors[e.torchKey];
    if (!(t instanceof Tensor)) {
      throw new ValueError(
        `fromTorchStateDict: tensors['${e.torchKey}'] must be a Tensor, got ${describeValue(t)}`,
        'INVALID_INPUT',
      );
    }
    const expected = torchShape(e);
    if (!shapesEqual(t.shape, expected)) {
      throw shapeError(
        'shape-mismatch',
        `fromTorchStateDict: '${e.torchKey}' has shape ${fmtShape(t.shape)} but the module needs ${fmtShape(expected)} in PyTorch's layout${e.layout === 'conv-ohwi' ? ' (OIHW)' : ''}`,
      );
    }
    sd[e.hw3Key] = fromTorch(e, t);
  }
  if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
    throw new StateDictError(
      `fromTorchStateDict: missing keys [${missingKeys.join(', ')}], unexpected keys [${unexpectedKeys.join(', ')}] (pass { strict: false } to ignore)`,
      missingKeys,
      unexpectedKeys,
    );
  }
  m.loadStateDict(sd, { strict: false });
  return { missingKeys, unexpectedKeys };
}

/**
 * `toTorchStateDict` written as a safetensors file that `safetensors.torch.load_file` + `load_state_dict` accept:
 * `int64` counters (BatchNorm's num_batches_tracked) are stored as I64 like PyTorch's.
 */
export function saveTorchSafetensors(module: Module, options: SaveTorchSafetensorsOptions = {}): Uint8Array {
  const entries = plan(checkModule(module, 'saveTorchSafetensors'), options, 'saveTorchSafetensors');
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) tensors[e.torchKey] = toTorch(e, e.tensor);
  const int64Keys = entries.filter((e) => e.layout === 'int64').map((e) => e.torchKey);
  return saveSafetensors(tensors, options.metadata, { int64Keys });
}

/**
 * Reads a safetensors file holding a PyTorch state dict (e.g. written by `safetensors.torch.save_file(
 * model.state_dict(), path)`; I64 tensors accepted) and loads it with `fromTorchStateDict`.
 */
export function loadTorchSafetensors(
  module: Module,
  bytes: Uint8Array,
  options: LoadTorchSafetensorsOptions = {},
): LoadStateDictResult {
  checkModule(module, 'loadTorchSafetensors');
  const { tensors } = loadSafetensors(bytes, { maxHeaderBytes: options?.maxHeaderBytes, allowInt64: true });
  return fromTorchStateDict(module, tensors, options);
}

function permute4(x: Tensor, fn: string, order: readonly [number, number, number, number]): Tensor {
  if (!(x instanceof Tensor)) {
    throw new ValueError(`${fn}: x must be a Tensor, got ${describeValue(x)}`, 'INVALID_INPUT');
  }
  if (x.ndim !== 4) {
    throw shapeError('rank-mismatch', `${fn}: x must have rank 4, got ${fmtShape(x.shape)}`, {
      rank: x.ndim,
      expectedRank: 4,
    });
  }
  const s = x.shape;
  const outShape = order.map((d) => s[d]);
  const src = x.data;
  const dst = src instanceof Float64Array ? new Float64Array(src.length) : new Float32Array(src.length);
  const inStrides = [s[1] * s[2] * s[3], s[2] * s[3], s[3], 1];
  const st = order.map((d) => inStrides[d]);
  let k = 0;
  for (let a = 0; a < outShape[0]; a++)
    for (let b = 0; b < outShape[1]; b++)
      for (let c = 0; c < outShape[2]; c++)
        for (let d = 0; d < outShape[3]; d++) dst[k++] = src[a * st[0] + b * st[1] + c * st[2] + d * st[3]];
  return new Tensor(dst, outShape);
}

/** [N, H, W, C] → [N, C, H, W] (a copy, not recorded by autograd): an hw3 activation as PyTorch lays it out. */
export function nhwcToNchw(x: Tensor): Tensor {
  return permute4(x, 'nhwcToNchw', [0, 3, 1, 2]);
}

/** [N, C, H, W] → [N, H, W, C] (a copy, not recorded by autograd): a PyTorch activation in hw3's layout. */
export function nchwToNhwc(x: Tensor): Tensor {
  return permute4(x, 'nchwToNhwc', [0, 2, 3, 1]);
}
