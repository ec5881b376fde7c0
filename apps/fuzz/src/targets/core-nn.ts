/** Fuzz targets of @hw3/core's layers, Module methods and safetensors checkpoints. */

import fc from 'fast-check';
import * as core from '../entries/core';
import { badPositiveInt, badValue, hugeShape, junk, sameShape, special } from '../gen';
import { type Bad, check, type Target } from '../harness';
import { sizeOf } from '../reference';
import { kernelsArb, useKernels } from './core-ops';

const PKG = '@hw3/core' as const;

const feat = fc.integer({ min: 1, max: 6 });
const sizeOrBad = (good: fc.Arbitrary<number>) =>
  fc.oneof(
    { weight: 5, arbitrary: good },
    { weight: 1, arbitrary: badPositiveInt },
    { weight: 1, arbitrary: fc.constantFrom(2 ** 33, 1e15) },
  );

function inputFor(shape: number[], seed: number, dtype: core.DType = 'float32'): core.Tensor {
  return core.uniform(shape, -2, 2, { rng: new core.Rng(seed), dtype });
}

/** Forward on a fitting input: right shape, finite output; backward reaches every parameter. */
function forwardCheck(m: core.Module, x: core.Tensor, wantShape: number[] | null): void {
  const y = m.forward(x);
  if (wantShape !== null)
    check(sameShape(y.shape, wantShape), () => `output [${y.shape}], expected [${wantShape}]`);
  check(y.data.every(Number.isFinite), 'finite output for finite input');
  if (y.requiresGrad && y.size > 0) {
    core.sum(y).backward();
    for (const [name, p] of m.namedParameters()) {
      check(
        p.grad !== null && sameShape(p.grad.shape, p.shape),
        () => `parameter ${name} has no gradient of its shape`,
      );
      check(p.grad.data.every(Number.isFinite), () => `gradient of ${name} not finite`);
    }
  }
}

interface LinearLayerCase {
  inF: unknown;
  outF: unknown;
  options: unknown;
  batch: number;
  seed: number;
  kernels: 'ts' | 'wasm';
  bad?: Bad;
}

const linearLayerTarget: Target<LinearLayerCase> = {
  pkg: PKG,
  name: 'Linear',
  variant: 'valid, bad and huge feature counts, options; forward + backward',
  arb: fc
    .record({
      inF: sizeOrBad(feat),
      outF: sizeOrBad(feat),
      options: fc.oneof(
        fc.constant(undefined),
        fc.record({ bias: fc.boolean(), dtype: fc.constantFrom('float32', 'float64') }),
        fc.constantFrom<unknown>(null, { dtype: 'int8' }, { rng: 3 }),
      ),
      batch: fc.integer({ min: 0, max: 3 }),
      seed: fc.nat(),
      kernels: kernelsArb,
    })
    .map((c) => {
      let bad: Bad | undefined;
      for (const k of ['inF', 'outF'] as const) {
        const v = c[k];
        if (bad === undefined && !(Number.isInteger(v) && (v as number) >= 1))
          bad = badValue(k === 'inF' ? 'inFeatures' : 'outFeatures', v);
      }
      if (
        bad === undefined &&
        c.options !== undefined &&
        (typeof c.options !== 'object' || c.options === null)
      )
        bad = { arg: 'options', value: c.options, skipValue: true };
      if (bad === undefined && (c.inF as number) * (c.outF as number) > 2 ** 32)
        bad = { arg: '', value: (c.inF as number) > 2 ** 32 ? c.inF : c.outF };
      return { ...c, bad };
    }),
  run: (c) => {
    useKernels(c.kernels);
    const m = new core.Linear(c.inF as number, c.outF as number, c.options as core.LinearOptions);
    const dtype = (c.options as core.LinearOptions | undefined)?.dtype ?? 'float32';
    forwardCheck(m, inputFor([c.batch, c.inF as number], c.seed, dtype), [c.batch, c.outF as number]);
  },
};

const conv2dLayerTarget: Target<{
  inC: unknown;
  outC: unknown;
  k: unknown;
  options: unknown;
  hw: [number, number];
  seed: number;
  kernels: 'ts' | 'wasm';
}> = {
  pkg: PKG,
  name: 'Conv2d',
  variant: 'valid, bad and huge channel counts / kernel sizes, junk options; forward + backward',
  weight: 2,
  arb: fc.record({
    inC: sizeOrBad(fc.integer({ min: 1, max: 4 })),
    outC: sizeOrBad(fc.integer({ min: 1, max: 4 })),
    k: fc.oneof(
      fc.integer({ min: 1, max: 3 }),
      fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      badPositiveInt,
      fc.constantFrom<unknown>([2], [1, 2, 3], null, [0, 2]),
    ),
    options: fc.oneof(
      fc.record({
        stride: fc.integer({ min: 1, max: 2 }),
        padding: fc.constantFrom<unknown>(0, 1, 'same', 'valid'),
        groups: fc.constantFrom(1, 2),
        bias: fc.boolean(),
      }),
      fc.constant(undefined),
      fc.constantFrom<unknown>(null, 3, { groups: 0 }, { stride: 0 }, { padding: -1 }, { dtype: 'x' }),
    ),
    hw: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 })),
    seed: fc.nat(),
    kernels: kernelsArb,
  }),
  run: (c) => {
    useKernels(c.kernels);
    const m = new core.Conv2d(
      c.inC as number,
      c.outC as number,
      c.k as number,
      c.options as core.Conv2dLayerOptions,
    );
    const x = inputFor([2, c.hw[0], c.hw[1], c.inC as number], c.seed);
    let y: core.Tensor;
    try {
      y = m.forward(x);
    } catch (e) {
      if (e instanceof core.ShapeError || e instanceof core.ValueError) throw e;
      throw e;
    }
    check(y.ndim === 4 && y.shape[0] === 2 && y.shape[3] === c.outC, () => `output [${y.shape}]`);
    check(y.data.every(Number.isFinite), 'finite output');
    forwardCheck(m, x, y.shape as number[]);
  },
};

const simpleLayers = {
  ReLU: () => new core.ReLU(),
  Sigmoid: () => new core.Sigmoid(),
  Tanh: () => new core.Tanh(),
} as const;

const simpleLayerTarget = (
  name: keyof typeof simpleLayers,
): Target<{ shape: number[]; seed: number; arg: unknown }> => ({
  pkg: PKG,
  name,
  variant: 'forward on any shape (zero-size too) + junk input',
  arb: fc.record({
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
    seed: fc.nat(),
    arg: fc.oneof(fc.constant('tensor'), junk),
  }),
  run: (c) => {
    const m = simpleLayers[name]();
    if (c.arg !== 'tensor') {
      m.forward(c.arg as core.Tensor);
      return;
    }
    forwardCheck(m, core.uniform(c.shape, -3, 3, { rng: new core.Rng(c.seed), requiresGrad: true }), c.shape);
  },
});

const poolLayerTarget = (
  name: 'MaxPool2d' | 'AvgPool2d',
): Target<{ k: unknown; options: unknown; shape: number[] }> => ({
  pkg: PKG,
  name,
  variant: 'valid and junk kernel sizes / options; forward',
  arb: fc.record({
    k: fc.oneof(fc.integer({ min: 1, max: 3 }), badPositiveInt, fc.constantFrom<unknown>(null, [2], [2, 2])),
    options: fc.oneof(
      fc.constant(undefined),
      fc.constantFrom<unknown>(null, {}, { stride: 1 }, { padding: 1 }, { stride: 0 }, 'x'),
    ),
    shape: fc.tuple(
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 3 }),
    ),
  }),
  run: (c) => {
    const m =
      name === 'MaxPool2d'
        ? new core.MaxPool2d(c.k as number, c.options as never)
        : new core.AvgPool2d(c.k as number, c.options as never);
    const y = m.forward(core.uniform(c.shape, -1, 1, { rng: new core.Rng(1) }));
    check(y.ndim === 4 && y.shape[3] === c.shape[3], () => `output [${y.shape}]`);
    check(y.data.every(Number.isFinite), 'finite output');
  },
});

const flattenLayerTarget: Target<{ start: unknown; end: unknown; shape: number[] }> = {
  pkg: PKG,
  name: 'Flatten',
  variant: 'valid and junk dims; forward keeps the size',
  arb: fc.record({
    start: fc.oneof(fc.integer({ min: -4, max: 4 }), junk),
    end: fc.oneof(fc.integer({ min: -4, max: 4 }), junk),
    shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }),
  }),
  run: (c) => {
    const y = new core.Flatten(c.start as number, c.end as number).forward(core.zeros(c.shape));
    check(y.size === sizeOf(c.shape), 'size kept');
  },
};

const dropoutLayerTarget: Target<{ p: unknown; options: unknown; training: boolean }> = {
  pkg: PKG,
  name: 'Dropout',
  variant: 'p in and out of [0, 1], junk options, train / eval',
  arb: fc.record({
    p: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), junk),
    options: fc.oneof(
      fc.constant(undefined),
      fc.constantFrom<unknown>({}, { rng: new core.Rng(2) }, { rng: 3 }, null),
    ),
    training: fc.boolean(),
  }),
  run: (c) => {
    const m = new core.Dropout(c.p as number, c.options as never);
    if (!c.training) m.eval();
    const x = core.ones([3, 4]);
    const y = m.forward(x);
    const p = c.p === undefined ? 0.5 : (c.p as number);
    for (const v of y.data)
      check(v === 0 || Math.abs(v - (c.training && p > 0 ? 1 / (1 - p) : 1)) < 1e-5, () => `value ${v}`);
  },
};

const sequentialTarget: Target<{ layers: unknown[]; at: unknown }> = {
  pkg: PKG,
  name: 'Sequential',
  variant: 'modules and junk children, at() in and out of range',
  arb: fc.record({
    layers: fc.array(fc.oneof(fc.constantFrom<unknown>('relu', 'linear', 'flatten'), junk), { maxLength: 4 }),
    at: fc.oneof(fc.integer({ min: -5, max: 5 }), junk),
  }),
  run: (c) => {
    const mods = c.layers.map((l) =>
      l === 'relu'
        ? new core.ReLU()
        : l === 'linear'
          ? new core.Linear(4, 4, { rng: new core.Rng(0) })
          : l === 'flatten'
            ? new core.Flatten()
            : l,
    );
    const s = new core.Sequential(...(mods as core.Module[]));
    check(s.length === mods.length, 'length');
    const m = s.at(c.at as number);
    check(m instanceof core.Module, 'at returns a Module');
    forwardCheck(s, core.uniform([2, 4], -1, 1, { rng: new core.Rng(1) }), null);
  },
};

// ---- Module methods and state dicts ----

type ModuleCall = 'loadStateDict' | 'train' | 'eval' | 'zeroGrad' | 'lists';

const moduleTarget: Target<{
  call: ModuleCall;
  corruption: string;
  strict: unknown;
  trainArg: unknown;
  options: unknown;
}> = {
  pkg: PKG,
  name: 'Module',
  variant: 'loadStateDict with corrupted state dicts; train/eval/zeroGrad/named* on a small network',
  weight: 2,
  arb: fc.record({
    call: fc.constantFrom<ModuleCall>('loadStateDict', 'loadStateDict', 'train', 'eval', 'zeroGrad', 'lists'),
    corruption: fc.constantFrom(
      'none',
      'missing',
      'extra',
      'wrong-shape',
      'wrong-dtype',
      'not-tensor',
      'null-value',
      'nan-values',
      'junk-dict',
      'huge-shape',
    ),
    strict: fc.constantFrom<unknown>(true, false, undefined, 'yes'),
    trainArg: fc.oneof(fc.boolean(), fc.constant(undefined), junk),
    options: fc.oneof(fc.constant({}), junk),
  }),
  run: (c) => {
    const net = new core.Sequential(
      new core.Conv2d(1, 2, 3, { padding: 'same', rng: new core.Rng(1) }),
      new core.ReLU(),
      new core.Flatten(),
      new core.Linear(2 * 4 * 4, 3, { rng: new core.Rng(2) }),
    );
    if (c.call === 'train') {
      net.train(c.trainArg as boolean);
      check(net.training === (c.trainArg ?? true), () => `training is ${String(net.training)}`);
      return;
    }
    if (c.call === 'eval') {
      check(net.eval().training === false, 'eval');
      return;
    }
    if (c.call === 'zeroGrad') {
      core.sum(net.forward(core.ones([1, 4, 4, 1]))).backward();
      net.zeroGrad();
      for (const p of net.parameters()) check(p.grad === null || p.grad.data.every((v) => v === 0), 'zeroed');
      return;
    }
    if (c.call === 'lists') {
      check(net.parameters().length === 4 && net.namedParameters().length === 4, 'four parameters');
      check(net.namedBuffers().length === 0 && net.namedChildren().length === 4, 'children');
      check(Object.keys(net.stateDict()).length === 4, 'state dict');
      return;
    }
    const sd: Record<string, unknown> = { ...net.stateDict() };
    const key = '3.weight';
    switch (c.corruption) {
      case 'missing':
        delete sd[key];
        break;
      case 'extra':
        sd['9.weight'] = core.ones([1]);
        break;
      case 'wrong-shape':
        sd[key] = core.ones([3, 31]);
        break;
      case 'wrong-dtype':
        sd[key] = core.ones([3, 32], { dtype: 'float64' });
        break;
      case 'not-tensor':
        sd[key] = [1, 2, 3];
        break;
      case 'null-value':
        sd[key] = null;
        break;
      case 'nan-values':
        sd[key] = core.full([3, 32], Number.NaN);
        break;
      case 'huge-shape':
        sd[key] = { shape: hugeShape, data: new Float32Array(1) };
        break;
    }
    const result = net.loadStateDict(
      (c.corruption === 'junk-dict' ? c.options : sd) as Record<string, core.Tensor>,
      c.options === 'strict' ? { strict: c.strict as boolean } : (c.options as core.LoadStateDictOptions),
    );
    check(Array.isArray(result.missingKeys) && Array.isArray(result.unexpectedKeys), 'result lists keys');
    if (c.corruption === 'none' || c.corruption === 'nan-values') {
      check(result.missingKeys.length === 0, 'nothing missing');
    }
  },
};

// ---- safetensors ----

interface StEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'float64';
  values: number[];
}

const stEntries: fc.Arbitrary<StEntry[]> = fc.uniqueArray(
  fc
    .record({
      name: fc.oneof(
        fc.string({ minLength: 1, maxLength: 8 }),
        fc.constantFrom('conv1.weight', 'é', '0', 'a"b', 'x\\y'),
      ),
      shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
      dtype: fc.constantFrom<'float32' | 'float64'>('float32', 'float64'),
    })
    .chain((e) =>
      fc
        .array(special, { minLength: sizeOf(e.shape), maxLength: sizeOf(e.shape) })
        .map((values) => ({ ...e, values })),
    ),
  { selector: (e) => e.name, maxLength: 4 },
);

function buildTensors(entries: StEntry[]): Record<string, core.Tensor> {
  const out: Record<string, core.Tensor> = {};
  for (const e of entries) {
    const data = e.dtype === 'float64' ? Float64Array.from(e.values) : Float32Array.from(e.values);
    out[e.name] = new core.Tensor(data, e.shape);
  }
  return out;
}

const metadataArb = fc.option(
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  { freq: 2 },
);

const saveTarget: Target<{ entries: StEntry[]; metadata: Record<string, string> | null }> = {
  pkg: PKG,
  name: 'saveSafetensors',
  variant: 'random tensors (0-d, zero-size, NaN/±∞, unicode names) round trip exactly',
  weight: 2,
  arb: fc.record({ entries: stEntries, metadata: metadataArb }),
  run: ({ entries, metadata }) => {
    const tensors = buildTensors(entries);
    const bytes = core.saveSafetensors(tensors, metadata ?? undefined);
    check(bytes instanceof Uint8Array, 'bytes');
    const back = core.loadSafetensors(bytes);
    check(Object.keys(back.tensors).length === entries.length, 'same tensors');
    for (const e of entries) {
      const t = back.tensors[e.name];
      check(
        t !== undefined && sameShape(t.shape, e.shape) && t.dtype === e.dtype,
        () => `tensor ${e.name} back`,
      );
      const orig = tensors[e.name].data;
      for (let i = 0; i < orig.length; i++)
        check(Object.is(t.data[i], orig[i]), () => `${e.name}[${i}] changed`);
    }
    if (metadata !== null) check(JSON.stringify(back.metadata) === JSON.stringify(metadata), 'metadata');
  },
};

type Corruption =
  | { kind: 'flip'; at: number[]; values: number[] }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: number[] }
  | { kind: 'header-length'; value: number }
  | { kind: 'header'; json: string }
  | { kind: 'entry'; field: string; value: unknown };

const corruptionArb: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    values: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('append' as const),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 9 }),
  }),
  fc.record({
    kind: fc.constant('header-length' as const),
    value: fc.oneof(fc.nat({ max: 400 }), fc.constantFrom(2 ** 31, 2 ** 40, 2 ** 53 - 1, 0)),
  }),
  fc.record({
    kind: fc.constant('header' as const),
    json: fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc.constantFrom(
        '{',
        '{"a":1}',
        '[]',
        'null',
        '{"__metadata__":{"a":1}}',
        '{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
        '\u00ff\u00fe',
      ),
    ),
  }),
  fc.record({
    kind: fc.constant('entry' as const),
    field: fc.constantFrom('dtype', 'shape', 'data_offsets', 'extra'),
    value: fc.oneof(
      junk,
      fc.constantFrom<unknown>(
        'I64',
        'F16',
        'BOOL',
        'f32',
        [1e6, 1e6],
        [-1],
        [2 ** 53],
        [0.5],
        [[1]],
        [0, 2 ** 40],
        [8, 0],
        [0],
        [0, 4, 8],
        [-8, 0],
      ),
      hugeShape,
    ),
  }),
);

function corrupt(bytes: Uint8Array, c: Corruption): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  switch (c.kind) {
    case 'flip': {
      const out = bytes.slice();
      c.at.forEach((a, i) => {
        out[a % out.length] = c.values[i];
      });
      return out;
    }
    case 'truncate':
      return bytes.slice(0, c.at % bytes.length);
    case 'append':
      return Uint8Array.from([...bytes, ...c.bytes]);
    case 'header-length': {
      const out = bytes.slice();
      new DataView(out.buffer).setBigUint64(0, BigInt(c.value), true);
      return out;
    }
    case 'header':
    case 'entry': {
      let json: string;
      if (c.kind === 'header') json = c.json;
      else {
        const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen))) as Record<
          string,
          Record<string, unknown>
        >;
        const name = Object.keys(header).find((k) => k !== '__metadata__');
        if (name === undefined) return bytes;
        header[name][c.field] = c.value;
        json = JSON.stringify(header);
      }
      const enc = new TextEncoder().encode(json);
      const out = new Uint8Array(8 + enc.length + (bytes.length - 8 - headerLen));
      new DataView(out.buffer).setBigUint64(0, BigInt(enc.length), true);
      out.set(enc, 8);
      out.set(bytes.subarray(8 + headerLen), 8 + enc.length);
      return out;
    }
  }
}

const loadTarget: Target<{ entries: StEntry[]; corruption: Corruption; maxHeader: unknown }> = {
  pkg: PKG,
  name: 'loadSafetensors',
  variant:
    'corrupted files: flipped bytes, truncation, bad header lengths, bad JSON / dtypes / shapes / offsets',
  weight: 4,
  arb: fc.record({
    entries: stEntries.filter((e) => e.length > 0),
    corruption: corruptionArb,
    maxHeader: fc.oneof(
      { weight: 8, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.oneof(junk, fc.nat({ max: 200 })) },
    ),
  }),
  run: (c) => {
    const bytes = corrupt(core.saveSafetensors(buildTensors(c.entries)), c.corruption);
    const out = core.loadSafetensors(
      bytes,
      c.maxHeader === undefined ? undefined : { maxHeaderBytes: c.maxHeader as number },
    );
    for (const [name, t] of Object.entries(out.tensors)) {
      check(t instanceof core.Tensor, () => `${name} is not a Tensor`);
      check(
        t.data.length === sizeOf(t.shape),
        () => `${name}: ${t.data.length} values for shape [${t.shape}]`,
      );
    }
    check(typeof out.metadata === 'object' && out.metadata !== null, 'metadata object');
    for (const v of Object.values(out.metadata)) check(typeof v === 'string', 'metadata values are strings');
  },
};

const saveJunkTarget: Target<{ tensors: unknown; metadata: unknown }> = {
  pkg: PKG,
  name: 'saveSafetensors',
  variant: 'junk tensors dicts and metadata',
  arb: fc.record({
    tensors: fc.oneof(
      junk,
      fc.constantFrom<unknown>(
        { a: 1 },
        { a: null },
        { __metadata__: core.ones([1]) },
        { '': core.ones([1]) },
        { a: core.ones([2]) },
      ),
    ),
    metadata: fc.oneof(fc.constant(undefined), junk, fc.constantFrom<unknown>({ a: 1 }, { a: 'b' })),
  }),
  run: (c) => {
    const bytes = core.saveSafetensors(
      c.tensors as Record<string, core.Tensor>,
      c.metadata as Record<string, string>,
    );
    const back = core.loadSafetensors(bytes);
    check(Object.keys(back.tensors).length === Object.keys(c.tensors as object).length, 'round trip');
  },
};

export const coreNnTargets: Target<never>[] = [
  linearLayerTarget,
  conv2dLayerTarget,
  simpleLayerTarget('ReLU'),
  simpleLayerTarget('Sigmoid'),
  simpleLayerTarget('Tanh'),
  poolLayerTarget('MaxPool2d'),
  poolLayerTarget('AvgPool2d'),
  flattenLayerTarget,
  dropoutLayerTarget,
  sequentialTarget,
  moduleTarget,
  saveTarget,
  saveJunkTarget,
  loadTarget,
] as Target<never>[];
