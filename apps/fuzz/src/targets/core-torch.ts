/**
 * Fuzz targets of @hw3/core's PyTorch-layout state dicts and layout helpers, and of the wasm plumbing it exports
 * for other packages (instantiateWasm, WasmArena) and the kernel conformance suite of `@hw3/core/testing`.
 */
import * as bn from '@hw3/batchnorm';
import * as testing from '@hw3/core/testing';
import fc from 'fast-check';
import * as core from '../entries/core';
import { junk } from '../gen';
import { check, type Target } from '../harness';
import { transposeRef } from '../reference';
import { make, tdata } from './core-ops';

const PKG = '@hw3/core' as const;

/** A small mnist-cnn-bn-like network (NHWC) with optional BatchNorm, seeded. */
function network(seed: number, hw: number, withBn: boolean): core.Sequential {
  const rng = new core.Rng(seed);
  const layers: core.Module[] = [new core.Conv2d(1, 2, 3, { padding: 'same', rng })];
  if (withBn) layers.push(new bn.BatchNorm2d(2));
  layers.push(
    new core.ReLU(),
    new core.MaxPool2d(2),
    new core.Flatten(),
    new core.Linear(2 * (hw / 2) * (hw / 2), 3, { rng }),
  );
  return new core.Sequential(...layers);
}

type Corruption =
  | 'none'
  | 'missing'
  | 'extra'
  | 'shape'
  | 'junk-dict'
  | 'junk-module'
  | 'bytes-flip'
  | 'bytes-truncate'
  | 'options';

const torchArb = fc.record({
  seed: fc.nat(),
  hw: fc.constantFrom(2, 4, 6),
  withBn: fc.boolean(),
  form: fc.constantFrom<'dict' | 'file'>('dict', 'file'),
  corruption: fc.constantFrom<Corruption>(
    'none',
    'none',
    'none',
    'missing',
    'extra',
    'shape',
    'junk-dict',
    'junk-module',
    'bytes-flip',
    'bytes-truncate',
    'options',
  ),
  junkValue: junk,
  at: fc.nat(),
  strict: fc.boolean(),
});

function torchRun(c: typeof torchArb extends fc.Arbitrary<infer T> ? T : never): void {
  const src = network(c.seed, c.hw, c.withBn);
  const dst = network(c.seed + 1, c.hw, c.withBn);
  const inputShape = [1, c.hw, c.hw, 1];
  const x = core.uniform(inputShape, -1, 1, { rng: new core.Rng(c.seed + 7) });
  src.eval();
  dst.eval();
  const module = (c.corruption === 'junk-module' ? c.junkValue : dst) as core.Module;
  const options =
    c.corruption === 'options'
      ? (c.junkValue as core.FromTorchStateDictOptions)
      : { inputShape, strict: c.strict };
  if (c.form === 'dict') {
    const sd: Record<string, unknown> = { ...core.toTorchStateDict(src, { inputShape }) };
    const keys = Object.keys(sd);
    if (c.corruption === 'missing') delete sd[keys[c.at % keys.length]];
    if (c.corruption === 'extra') sd['fc.extra'] = core.ones([1]);
    if (c.corruption === 'shape') sd[keys[c.at % keys.length]] = core.ones([7]);
    const tensors = (c.corruption === 'junk-dict' ? c.junkValue : sd) as Record<string, core.Tensor>;
    core.fromTorchStateDict(module, tensors, options);
  } else {
    let bytes = core.saveTorchSafetensors(src, { inputShape });
    if (c.corruption === 'bytes-flip') {
      bytes = bytes.slice();
      bytes[c.at % bytes.length] ^= 0x5a;
    }
    if (c.corruption === 'bytes-truncate') bytes = bytes.slice(0, c.at % bytes.length);
    core.loadTorchSafetensors(
      module,
      (c.corruption === 'junk-dict' ? c.junkValue : bytes) as Uint8Array,
      options,
    );
  }
  // Loaded: same logits, bit for bit, unless a loose load skipped keys or a flipped byte changed a value.
  if (c.corruption === 'none' || (c.corruption === 'options' && typeof c.junkValue === 'object')) {
    const a = src.forward(x).data;
    const b = dst.forward(x).data;
    for (let i = 0; i < a.length; i++)
      check(Object.is(a[i], b[i]), () => `logit ${i}: ${a[i]} vs ${b[i]} after the round trip`);
  }
}

const torchTargets = (
  ['fromTorchStateDict', 'loadTorchSafetensors', 'toTorchStateDict', 'saveTorchSafetensors'] as const
).map(
  (name): Target<typeof torchArb extends fc.Arbitrary<infer T> ? T : never> => ({
    pkg: PKG,
    name,
    variant:
      'round trip through the PyTorch layout gives identical logits; missing/extra/misshapen keys, junk, corrupted files',
    weight: 1,
    arb: torchArb.map((c) => ({
      ...c,
      form: name === 'fromTorchStateDict' || name === 'toTorchStateDict' ? 'dict' : 'file',
    })),
    run: (c) => {
      if (name === 'toTorchStateDict' || name === 'saveTorchSafetensors') {
        // the export side with junk modules / options
        if (c.corruption === 'junk-module') {
          (name === 'toTorchStateDict' ? core.toTorchStateDict : core.saveTorchSafetensors)(
            c.junkValue as core.Module,
          );
          return;
        }
        if (c.corruption === 'options') {
          (name === 'toTorchStateDict' ? core.toTorchStateDict : core.saveTorchSafetensors)(
            network(c.seed, c.hw, c.withBn),
            c.junkValue as never,
          );
          return;
        }
      }
      torchRun(c);
    },
  }),
);

const layoutTarget = (name: 'nhwcToNchw' | 'nchwToNhwc'): Target<{ x: unknown }> => ({
  pkg: PKG,
  name,
  variant: 'rank-4 tensors (zero-size too) vs a reference permutation; other ranks and junk refused',
  arb: fc.record({
    x: fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 })
          .chain((s) => tdata(s, 'float64')),
      },
      {
        weight: 1,
        arbitrary: fc
          .array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 })
          .chain((s) => tdata(s, 'float32')),
      },
      { weight: 1, arbitrary: junk },
    ),
  }),
  run: (c) => {
    const x = typeof c.x === 'object' && c.x !== null && 'values' in c.x ? make(c.x as never) : c.x;
    const y = core[name](x as core.Tensor);
    const t = x as core.Tensor;
    // nhwc→nchw: out[n, c, h, w] = x[n, h, w, c], i.e. move axis 3 to 1 (two swaps)
    const perm = name === 'nhwcToNchw' ? [0, 3, 1, 2] : [0, 2, 3, 1];
    const shape = perm.map((p) => t.shape[p]);
    check(
      y.shape.every((d, i) => d === shape[i]),
      () => `shape [${y.shape}], expected [${shape}]`,
    );
    let ref = transposeRef(t.data, t.shape, name === 'nhwcToNchw' ? 3 : 1, name === 'nhwcToNchw' ? 2 : 2);
    ref = transposeRef(ref.data, ref.shape, name === 'nhwcToNchw' ? 2 : 2, name === 'nhwcToNchw' ? 1 : 3);
    for (let i = 0; i < ref.data.length; i++)
      check(
        Object.is(y.data[i], t.dtype === 'float32' ? Math.fround(ref.data[i]) : ref.data[i]),
        () => `value ${i}`,
      );
    const back = core[name === 'nhwcToNchw' ? 'nchwToNhwc' : 'nhwcToNchw'](y);
    for (let i = 0; i < t.size; i++) check(Object.is(back.data[i], t.data[i]), 'round trip');
  },
});

const instantiateTarget: Target<{ builds: unknown; variant: unknown }> = {
  pkg: PKG,
  name: 'instantiateWasm',
  variant: 'junk builds / variants / imports: an instance, null or a typed error',
  weight: 0.3,
  arb: fc.record({
    builds: fc.oneof(
      junk,
      fc.constantFrom<unknown>(
        { simd: 'AGFzbQEAAAA=', relaxedSimd: 'AGFzbQEAAAA=' },
        { simd: '!!', relaxedSimd: '' },
        {},
      ),
    ),
    variant: fc.oneof(fc.constantFrom<unknown>('auto', 'simd', 'relaxed-simd'), junk),
  }),
  run: ({ builds, variant }) => {
    const inst = core.instantiateWasm(builds as never, variant as core.WasmVariant);
    check(inst === null || inst instanceof WebAssembly.Instance, 'an instance or null');
  },
};

/** A one-thread WebAssembly kernel set for the satellite target (made once). */
let satelliteKernels: core.Kernels | null | undefined;

const satelliteTarget: Target<{ kernels: unknown; builds: unknown }> = {
  pkg: PKG,
  name: 'loadWasmSatellite',
  variant: 'junk kernels / builds: a satellite on the kernel set memory, null or a typed error',
  weight: 0.3,
  arb: fc.record({
    kernels: fc.oneof(fc.constantFrom<unknown>('wasm', 'ts'), junk),
    builds: fc.oneof(
      junk,
      fc.constantFrom<unknown>(
        // The empty module: no imports, no memory, no data (fit; nothing to call).
        {
          unshared: { simd: 'AGFzbQEAAAA=', relaxedSimd: 'AGFzbQEAAAA=' },
          shared: { simd: 'AGFzbQEAAAA=', relaxedSimd: 'AGFzbQEAAAA=' },
        },
        { unshared: { simd: '!!', relaxedSimd: '' }, shared: { simd: '', relaxedSimd: '' } },
        { unshared: { simd: 'AGFzbQEAAAA=' } },
        {},
      ),
    ),
  }),
  run: ({ kernels, builds }) => {
    if (satelliteKernels === undefined) satelliteKernels = core.createWasmKernels('simd');
    const k = kernels === 'wasm' ? satelliteKernels : kernels === 'ts' ? core.tsKernels : kernels;
    let sat: core.WasmSatellite | null;
    try {
      sat = core.loadWasmSatellite(k as core.Kernels, builds as core.WasmSatelliteBuilds);
    } catch (error) {
      check(
        error instanceof core.ValueError && (error as core.ValueError).code === 'INVALID_WASM_BUILDS',
        () => `threw ${String(error)}`,
      );
      return;
    }
    if (sat === null) return;
    check(k === satelliteKernels, 'a satellite only on a WebAssembly kernel set');
    check(sat.reserve(64) === true && sat.addressOf(new Float32Array(4)) === -1, 'reserve / addressOf');
    check(sat.parallelWorker(1 << 30) === null, 'no worker on one thread');
  },
};

const arenaTarget: Target<{ pages: number; base: unknown; calls: Array<[string, unknown]> }> = {
  pkg: PKG,
  name: 'WasmArena',
  variant: 'junk memory/base, reserve/alloc with junk and huge sizes',
  weight: 0.5,
  arb: fc.record({
    pages: fc.integer({ min: 1, max: 2 }),
    base: fc.oneof(fc.constantFrom(0, 8, 1024), junk),
    calls: fc.array(
      fc.tuple(
        fc.constantFrom('reserve', 'alloc', 'views'),
        fc.oneof(fc.integer({ min: 0, max: 70000 }), junk, fc.constantFrom(2 ** 40)),
      ),
      { maxLength: 4 },
    ),
  }),
  run: ({ pages, base, calls }) => {
    const memory = new WebAssembly.Memory({ initial: pages, maximum: 4 });
    const arena = new core.WasmArena(memory, base as number);
    for (const [m, v] of calls) {
      if (m === 'reserve') check(typeof arena.reserve(v as number) === 'boolean', 'reserve gives a boolean');
      else if (m === 'alloc') {
        const p = arena.alloc(v as number);
        check(Number.isInteger(p) && p >= 0, () => `alloc gave ${p}`);
      } else
        check(
          arena.f32.buffer === memory.buffer && arena.f64.length >= 0 && arena.i32.length >= 0,
          'views on the memory',
        );
    }
  },
};

const conformanceTarget: Target<{ kernels: unknown; api: unknown }> = {
  pkg: '@hw3/core/testing',
  name: 'kernelConformanceTests',
  variant: 'registers the suite for real kernels through a test API; junk kernels / APIs are typed errors',
  weight: 0.5,
  arb: fc.record({
    kernels: fc.oneof(fc.constant('ts'), junk),
    api: fc.oneof(fc.constant('api'), junk, fc.constant({ describe: () => 0 })),
  }),
  run: (c) => {
    let registered = 0;
    const api = {
      describe: (_n: string, body: () => void) => body(),
      it: () => {
        registered++;
      },
      expect: () => ({}) as never,
    };
    testing.kernelConformanceTests(
      (c.kernels === 'ts' ? core.tsKernels : c.kernels) as core.Kernels,
      (c.api === 'api' ? api : c.api) as never,
    );
    check(registered > 0, 'registers tests');
  },
};

// ---- tidy scopes and the op-output allocation (tensors in WebAssembly memory) ----

const allocTarget = (
  name: 'allocateOutputLike' | 'allocateIndices',
): Target<{ like: unknown; size: unknown; scoped: boolean }> => ({
  pkg: PKG,
  name,
  variant: 'in and out of tidy, float32/float64/junk like, junk and huge lengths',
  weight: 0.5,
  arb: fc.record({
    like: fc.oneof(fc.constantFrom<unknown>('f32', 'f64'), junk),
    size: fc.oneof(fc.integer({ min: 0, max: 70000 }), junk, fc.constantFrom(2 ** 31, 2 ** 40, -1, 1.5)),
    scoped: fc.boolean(),
  }),
  run: ({ like, size, scoped }) => {
    const l = like === 'f32' ? new Float32Array(1) : like === 'f64' ? new Float64Array(1) : like;
    const call = () =>
      name === 'allocateIndices'
        ? core.allocateIndices(size as number)
        : core.allocateOutputLike(l as core.FloatArray, size as number);
    const a = scoped ? core.tidy(() => call()) : call();
    check(a.length === size, () => `${name}: length ${a.length}, asked ${String(size)}`);
    if (name === 'allocateIndices') check(a instanceof Int32Array, 'an Int32Array');
    else check(a.constructor === (l as object).constructor, 'same element type as like');
  },
});

const tidyTarget: Target<{ fn: unknown; ret: string; nest: number }> = {
  pkg: PKG,
  name: 'tidy',
  variant: 'junk fn; ops inside returning tensors / arrays / objects / numbers / promises; nesting',
  arb: fc.record({
    fn: fc.oneof(fc.constant<unknown>('ops'), junk),
    ret: fc.constantFrom('tensor', 'array', 'object', 'number', 'promise', 'throw'),
    nest: fc.integer({ min: 0, max: 2 }),
  }),
  run: ({ fn, ret, nest }) => {
    const x = core.uniform([2, 16, 16, 1], -1, 1, { rng: new core.Rng(3) });
    const w = core.uniform([2, 3, 3, 1], -1, 1, { rng: new core.Rng(4) });
    const reference = core.conv2d(x, w, null, { padding: 'same' }).data;
    let inner: core.Tensor | null = null;
    const body = (): unknown => {
      const y = core.relu(core.conv2d(x, w, null, { padding: 'same' }));
      inner = y;
      if (ret === 'throw') throw new core.ValueError('thrown by the target', 'TEST');
      if (ret === 'number') return y.data[0];
      if (ret === 'array') return [y, 1];
      if (ret === 'object') return { y };
      if (ret === 'promise') return Promise.resolve(y);
      return y;
    };
    const wrap = (f: () => unknown, depth: number): unknown =>
      depth === 0 ? core.tidy(f) : core.tidy(() => wrap(f, depth - 1));
    let result: unknown;
    try {
      result = fn === 'ops' ? wrap(body, nest) : core.tidy(fn as () => unknown);
    } finally {
      // Whatever happened, a tensor computed inside is released or still readable, never stale.
      const t = inner as core.Tensor | null;
      if (t?.isAvailable) check(t.data.length === reference.length, 'readable tensor');
    }
    if (fn !== 'ops') return;
    const out =
      ret === 'array' ? (result as unknown[])[0] : ret === 'object' ? (result as { y: unknown }).y : result;
    if (out instanceof core.Tensor) {
      for (let i = 0; i < reference.length; i++)
        check(Object.is(out.data[i], Math.max(reference[i], 0)), 'copied-out values');
      check(ret === 'tensor' || ret === 'array' || ret === 'object', 'a tensor only where one was returned');
    }
  },
};

export const coreTorchTargets: Target<never>[] = [
  ...torchTargets,
  layoutTarget('nhwcToNchw'),
  layoutTarget('nchwToNhwc'),
  instantiateTarget,
  satelliteTarget,
  arenaTarget,
  allocTarget('allocateOutputLike'),
  allocTarget('allocateIndices'),
  tidyTarget,
  conformanceTarget,
] as Target<never>[];
