/**
 * Fuzz targets of @hw3/core beyond the ops: creation (valid, invalid and huge shapes), Tensor and its methods,
 * grad modes, Rng, defineOp, initialisers, kernel selection, layers and Module methods, safetensors (round trip
 * and corrupted files).
 */

import fc from 'fast-check';
import * as core from '../entries/core';
import { badValue, hugeShape, junk, junkTarget, sameShape, special } from '../gen';
import { type Bad, check, defect, type Target } from '../harness';
import { sizeOf } from '../reference';
import { dtypeArb, make, type TData, tdata } from './core-ops';

const PKG = '@hw3/core' as const;
const fnAny = (f: unknown) => f as (...a: unknown[]) => unknown;

const smallShape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });
const badShape = fc.constantFrom<unknown>(
  [-1],
  [2, 0.5],
  [Number.NaN],
  [Number.POSITIVE_INFINITY],
  ['2'],
  null,
  3,
  'x',
  [[2]],
);

interface CreateCase {
  shape: unknown;
  dtype: unknown;
  value: unknown;
  low: unknown;
  high: unknown;
  bad?: Bad;
}

/** A shape that is valid, invalid or huge (which must be refused before allocating), and options. */
const createArb: fc.Arbitrary<CreateCase> = fc
  .record({
    shape: fc.oneof(
      { weight: 4, arbitrary: smallShape },
      { weight: 1, arbitrary: badShape },
      { weight: 1, arbitrary: hugeShape },
    ),
    dtype: fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom<unknown>('float32', 'float64', undefined) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>('int32', 'float16', null, 3) },
    ),
    value: fc.oneof({ weight: 4, arbitrary: special }, { weight: 1, arbitrary: junk }),
    low: fc.oneof(
      { weight: 4, arbitrary: fc.double({ min: -5, max: 5, noNaN: true }) },
      { weight: 1, arbitrary: junk },
    ),
    high: fc.oneof(
      { weight: 4, arbitrary: fc.double({ min: -5, max: 5, noNaN: true }) },
      { weight: 1, arbitrary: junk },
    ),
  })
  .map((c) => {
    let bad: Bad | undefined;
    if (!Array.isArray(c.shape) || c.shape.some((d) => !Number.isInteger(d) || d < 0))
      bad = { arg: 'shape', value: c.shape, skipValue: true };
    else if (sizeOf(c.shape as number[]) > 2 ** 32) bad = { arg: 'shape', value: c.shape, skipValue: true };
    else if (c.dtype !== undefined && c.dtype !== 'float32' && c.dtype !== 'float64')
      bad = badValue('dtype', c.dtype);
    // One corrupted argument at a time, so that the error must be about it.
    return bad === undefined ? { ...c, bad } : { ...c, value: 1, low: 0, high: 1, bad };
  });

function creationTarget(name: 'zeros' | 'ones' | 'full' | 'uniform' | 'normal'): Target<CreateCase> {
  return {
    pkg: PKG,
    name,
    variant: 'valid, invalid and huge shapes, bad dtypes and values',
    arb: createArb,
    run: (c) => {
      const opts = { dtype: c.dtype as core.DType };
      const shape = c.shape as number[];
      let t: core.Tensor;
      if (name === 'zeros' || name === 'ones') t = core[name](shape, opts);
      else if (name === 'full') t = core.full(shape, c.value as number, opts);
      else if (name === 'uniform')
        t = core.uniform(shape, c.low as number, c.high as number, { ...opts, rng: new core.Rng(1) });
      else t = core.normal(shape, c.low as number, c.high as number, { ...opts, rng: new core.Rng(1) });
      if (c.bad !== undefined) return;
      check(sameShape(t.shape, shape), () => `shape [${t.shape}], asked [${shape}]`);
      check(t.dtype === (c.dtype ?? 'float32'), () => `dtype ${t.dtype}`);
      for (const v of t.data) {
        if (name === 'zeros') check(v === 0, 'zeros holds 0');
        if (name === 'ones') check(v === 1, 'ones holds 1');
        if (name === 'full') {
          const want = t.dtype === 'float32' ? Math.fround(c.value as number) : c.value;
          check(
            Object.is(v, want) || (v === 0 && want === 0),
            () => `full holds ${v}, asked ${String(c.value)}`,
          );
        }
        if (name === 'uniform') {
          const r = t.dtype === 'float32' ? Math.fround : (x: number) => x;
          check(
            v >= r(c.low as number) && v <= r(c.high as number),
            () => `uniform value ${v} outside [${c.low}, ${c.high}]`,
          );
        }
        // (float32 overflows to ±∞ beyond 3.4e38, as in PyTorch)
        if (
          name === 'normal' &&
          (t.dtype === 'float64' || Math.abs(c.low as number) + 10 * (c.high as number) < 1e38)
        )
          check(Number.isFinite(v), () => `normal value ${v}`);
      }
    },
  };
}

const likeTarget = (name: 'zerosLike' | 'onesLike'): Target<{ t: unknown; dtype: unknown }> => ({
  pkg: PKG,
  name,
  variant: 'tensors and junk, dtypes',
  arb: fc.record({
    t: fc.oneof(
      smallShape.chain((s) => tdata(s, 'float64')),
      junk,
    ),
    dtype: fc.constantFrom<unknown>(undefined, 'float32', 'float64', 'int8'),
  }),
  run: (c) => {
    const t = typeof c.t === 'object' && c.t !== null && 'values' in c.t ? make(c.t as TData) : c.t;
    const out = core[name](t as core.Tensor, { dtype: c.dtype as core.DType });
    check(sameShape(out.shape, (t as core.Tensor).shape), 'same shape');
    check(
      out.data.every((v) => v === (name === 'zerosLike' ? 0 : 1)),
      'values',
    );
  },
});

// Nested arrays: rectangular, ragged, with non-numbers.
const nested: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: special },
    { weight: 1, arbitrary: fc.constantFrom<unknown>('1', null, undefined, true) },
    { weight: 2, arbitrary: fc.array(tie('node'), { maxLength: 3 }) },
  ),
})).node;

const rectangular: fc.Arbitrary<unknown> = smallShape.chain((s) =>
  fc.array(special, { minLength: sizeOf(s), maxLength: sizeOf(s) }).map((v) => {
    let pos = 0;
    const build = (d: number): unknown =>
      d === s.length ? v[pos++] : Array.from({ length: s[d] }, () => build(d + 1));
    return build(0);
  }),
);

const tensorTarget: Target<{ values: unknown; shape: unknown; dtype: unknown }> = {
  pkg: PKG,
  name: 'tensor',
  variant: 'rectangular and ragged nesting, typed arrays, shape option (valid, mismatched, huge)',
  weight: 2,
  arb: fc.record({
    values: fc.oneof(
      rectangular,
      nested,
      fc.array(special, { maxLength: 6 }).map((a) => Float64Array.from(a)),
      junk,
    ),
    shape: fc.oneof(fc.constant(undefined), smallShape, hugeShape, badShape),
    dtype: fc.constantFrom<unknown>(undefined, 'float32', 'float64', 'bf16'),
  }),
  run: (c) => {
    const t = core.tensor(c.values as core.NestedArray, {
      shape: c.shape as number[],
      dtype: c.dtype as core.DType,
    });
    check(t.data.length === t.size && t.size === sizeOf(t.shape), 'size consistent');
    if (c.shape !== undefined) check(sameShape(t.shape, c.shape as number[]), 'shape option honoured');
    const flat: number[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (ArrayBuffer.isView(v)) flat.push(...(v as Float64Array));
      else flat.push(v as number);
    };
    walk(c.values);
    check(flat.length === t.size, () => `${flat.length} values in, ${t.size} out`);
    flat.forEach((v, i) => {
      const want = t.dtype === 'float32' ? Math.fround(v) : v;
      check(
        Object.is(t.data[i], want) || (t.data[i] === 0 && want === 0),
        () => `value ${i}: ${t.data[i]} vs ${v}`,
      );
    });
  },
};

// ---- Tensor class ----

type TensorCall =
  | 'construct'
  | 'backward'
  | 'item'
  | 'toArray'
  | 'reshape'
  | 'detach'
  | 'toString'
  | 'isLeaf';

const tensorClassTarget: Target<{
  call: TensorCall;
  x: TData;
  arg: unknown;
  grad: boolean;
  data: unknown;
  shape: unknown;
}> = {
  pkg: PKG,
  name: 'Tensor',
  variant: 'constructor with junk data/shape; every method with junk arguments',
  weight: 2,
  arb: fc.record({
    call: fc.constantFrom<TensorCall>(
      'construct',
      'backward',
      'item',
      'toArray',
      'reshape',
      'detach',
      'toString',
      'isLeaf',
    ),
    x: smallShape.chain((s) => fc.tuple(dtypeArb).chain(([d]) => tdata(s, d))),
    arg: fc.oneof(
      junk,
      smallShape,
      fc.constant(core.ones([1])),
      fc.constant(core.ones([2], { dtype: 'float64' })),
    ),
    grad: fc.boolean(),
    data: fc.oneof(
      junk,
      fc.constant(new Float64Array(4)),
      fc.constant(new Int32Array(4)),
      fc.constant([1, 2, 3, 4]),
    ),
    shape: fc.oneof(junk, smallShape, hugeShape, badShape),
  }),
  run: (c) => {
    if (c.call === 'construct') {
      const t = new core.Tensor(c.data as Float64Array, c.shape as number[]);
      check(t.size === t.data.length && sameShape(t.shape, c.shape as number[]), 'consistent tensor');
      return;
    }
    const x = make(c.x, c.grad);
    const y = c.grad ? core.mul(x, 2) : x;
    switch (c.call) {
      case 'backward':
        y.backward(c.arg as core.Tensor);
        if (c.grad) check(x.grad !== null && sameShape(x.grad.shape, x.shape), 'grad shape');
        return;
      case 'item': {
        const v = y.item();
        check(Object.is(v, y.data[0]), 'item is the value');
        return;
      }
      case 'toArray': {
        const a = y.toArray();
        check(y.ndim === 0 ? typeof a === 'number' : Array.isArray(a), 'toArray nesting');
        return;
      }
      case 'reshape': {
        const r = y.reshape(c.arg as number[]);
        check(r.size === y.size, 'reshape keeps size');
        return;
      }
      case 'detach':
        check(y.detach().requiresGrad === false, 'detached');
        return;
      case 'toString':
        check(y.toString().startsWith('Tensor('), 'toString');
        return;
      case 'isLeaf':
        check(x.isLeaf === true && (c.grad ? !y.isLeaf : y.isLeaf), 'isLeaf');
        return;
    }
  },
};

// ---- grad modes ----

const gradModeTarget = (name: 'noGrad' | 'enableGrad'): Target<{ fn: unknown }> => ({
  pkg: PKG,
  name,
  variant: 'functions and junk; the mode inside and after',
  arb: fc.record({ fn: fc.oneof(junk, fc.constant('fn')) }),
  run: (c) => {
    const before = core.isGradEnabled();
    const fn = c.fn === 'fn' ? () => core.isGradEnabled() : c.fn;
    const inside = core[name](fn as () => boolean);
    check(core.isGradEnabled() === before, 'mode restored');
    if (c.fn === 'fn')
      check(inside === (name === 'enableGrad'), () => `${name}: isGradEnabled() inside is ${inside}`);
  },
});

const isGradEnabledTarget: Target<{ nest: boolean[] }> = {
  pkg: PKG,
  name: 'isGradEnabled',
  variant: 'nested noGrad / enableGrad',
  arb: fc.record({ nest: fc.array(fc.boolean(), { maxLength: 4 }) }),
  run: ({ nest }) => {
    const go = (i: number): boolean =>
      i === nest.length
        ? core.isGradEnabled()
        : nest[i]
          ? core.enableGrad(() => go(i + 1))
          : core.noGrad(() => go(i + 1));
    const want = nest.length === 0 ? true : nest[nest.length - 1];
    check(go(0) === want, 'innermost mode wins');
    check(core.isGradEnabled(), 'enabled again outside');
  },
};

// ---- Rng ----

type RngCall =
  | 'construct'
  | 'seed'
  | 'next'
  | 'uniform'
  | 'normal'
  | 'int'
  | 'shuffle'
  | 'state'
  | 'setState';

const rngTarget: Target<{ call: RngCall; a: unknown; b: unknown; seed: number }> = {
  pkg: PKG,
  name: 'Rng',
  variant: 'constructor and every method with valid and junk arguments',
  weight: 2,
  arb: fc.record({
    call: fc.constantFrom<RngCall>(
      'construct',
      'seed',
      'next',
      'uniform',
      'normal',
      'int',
      'shuffle',
      'state',
      'setState',
    ),
    a: fc.oneof(
      junk,
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      fc.integer({ min: 1, max: 100 }),
      fc.constant(2 ** 32),
    ),
    b: fc.oneof(junk, fc.double({ min: -1e6, max: 1e6, noNaN: true })),
    seed: fc.integer(),
  }),
  run: (c) => {
    const numeric = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
    if (c.call === 'construct') {
      const r = new core.Rng(c.a as number);
      check(numeric(r.next()), 'next is finite');
      return;
    }
    const r = new core.Rng(c.seed);
    switch (c.call) {
      case 'seed':
        r.seed(c.a as number);
        return;
      case 'next': {
        const v = r.next();
        check(v >= 0 && v < 1, () => `next ${v}`);
        return;
      }
      case 'uniform': {
        const v = r.uniform(c.a as number, c.b as number);
        check(
          numeric(v),
          () => `uniform(${String(c.a)}, ${String(c.b)}) = ${v}: not a typed error, not a finite number`,
        );
        return;
      }
      case 'normal': {
        const v = r.normal(c.a as number, c.b as number);
        check(
          numeric(v),
          () => `normal(${String(c.a)}, ${String(c.b)}) = ${v}: not a typed error, not a finite number`,
        );
        return;
      }
      case 'int': {
        const v = r.int(c.a as number);
        check(Number.isInteger(v) && v >= 0 && v < (c.a as number), () => `int(${String(c.a)}) = ${v}`);
        return;
      }
      case 'shuffle': {
        const a = Array.isArray(c.a) ? [...c.a] : c.a;
        r.shuffle(a as number[]);
        return;
      }
      case 'state': {
        const s = r.getState();
        const r2 = new core.Rng(0);
        r2.setState(s);
        check(r2.next() === r.next(), 'restored state continues the stream');
        return;
      }
      case 'setState':
        r.setState(c.a as number[]);
        return;
    }
  },
};

const seedTarget: Target<{ seed: unknown }> = {
  pkg: PKG,
  name: 'manualSeed',
  variant: 'valid and junk seeds: same seed, same stream',
  arb: fc.record({ seed: fc.oneof(fc.integer(), junk) }),
  run: ({ seed }) => {
    core.manualSeed(seed as number);
    const a = core.defaultRng().next();
    core.manualSeed(seed as number);
    check(core.defaultRng().next() === a, 'reseeding repeats the stream');
  },
};

const defaultRngTarget: Target<{ n: number }> = {
  pkg: PKG,
  name: 'defaultRng',
  variant: 'one generator, values in [0, 1)',
  arb: fc.record({ n: fc.integer({ min: 1, max: 5 }) }),
  run: ({ n }) => {
    const first = core.defaultRng();
    check(core.defaultRng() === first, 'one default generator');
    for (let i = 0; i < n; i++) {
      const v = core.defaultRng().next();
      check(v >= 0 && v < 1, 'in [0, 1)');
    }
  },
};

// ---- defineOp ----

const defineOpTarget: Target<{ spec: unknown; out: unknown; backOut: unknown; inputs: unknown }> = {
  pkg: PKG,
  name: 'defineOp',
  variant: 'junk specs, forwards returning junk, backwards returning junk, junk inputs',
  weight: 2,
  arb: fc.record({
    spec: fc.oneof(
      fc.constant('valid'),
      junk,
      fc.constant({ name: 'x' }),
      fc.constant({ forward: 1, backward: 2, name: 3 }),
    ),
    out: fc.constantFrom<unknown>('input', 'new', null, 3, 'wrong-shape'),
    backOut: fc.constantFrom<unknown>('ok', null, [], [null], ['x'], 'wrong-shape', undefined),
    inputs: fc.oneof(fc.constant('tensors'), junk, fc.constant([1, 2])),
  }),
  run: (c) => {
    const spec =
      c.spec === 'valid'
        ? {
            name: 'fuzzOp',
            forward: (_ctx: core.OpContext, inputs: readonly core.Tensor[]) => {
              if (c.out === 'input') return inputs[0];
              if (c.out === 'new') return core.mul(inputs[0], 3);
              if (c.out === 'wrong-shape') return core.zeros([7]);
              return c.out as core.Tensor;
            },
            backward: (_ctx: core.OpContext, g: core.Tensor) => {
              if (c.backOut === 'ok') return [core.mul(g, 3)];
              if (c.backOut === 'wrong-shape') return [core.zeros([5])];
              return c.backOut as core.Tensor[];
            },
          }
        : c.spec;
    const op = core.defineOp(spec as core.OpSpec<[]>);
    const x = core.ones([2], { requiresGrad: true });
    const y = op((c.inputs === 'tensors' ? [x] : c.inputs) as core.Tensor[]);
    check(y instanceof core.Tensor, 'op returns a Tensor');
    if (y.requiresGrad) {
      y.backward(core.onesLike(y));
      if (c.backOut === 'ok' && c.out === 'new') check(x.grad?.data[0] === 3, 'custom backward used');
    }
  },
};

// ---- initialisers ----

const kaimingTarget: Target<{ fanIn: unknown; a: unknown }> = {
  pkg: PKG,
  name: 'kaimingUniformBound',
  variant: 'valid and junk fanIn / a: a finite bound >= 0 or a typed error',
  arb: fc.record({
    fanIn: fc.oneof(fc.integer({ min: 1, max: 10000 }), junk),
    a: fc.oneof(fc.constant(undefined), fc.double({ min: 0, max: 10, noNaN: true }), junk),
  }),
  run: ({ fanIn, a }) => {
    const bound = core.kaimingUniformBound(fanIn as number, a as number);
    check(
      Number.isFinite(bound) && bound >= 0,
      () => `bound ${bound} for fanIn ${String(fanIn)}, a ${String(a)}`,
    );
    if (typeof fanIn === 'number' && fanIn >= 1 && a === undefined)
      check(Math.abs(bound - 1 / Math.sqrt(fanIn)) < 1e-12, 'a = √5 gives 1/√fanIn');
  },
};

const fillUniformTarget: Target<{ t: unknown; bound: unknown; rng: unknown }> = {
  pkg: PKG,
  name: 'fillUniform',
  variant: 'valid and junk tensor / bound / rng',
  arb: fc.record({
    t: fc.oneof(
      smallShape.chain((s) => tdata(s, 'float64')),
      junk,
    ),
    bound: fc.oneof(fc.double({ min: 0, max: 3, noNaN: true }), junk),
    rng: fc.oneof(fc.constant('rng'), junk),
  }),
  run: (c) => {
    const t = typeof c.t === 'object' && c.t !== null && 'values' in c.t ? make(c.t as TData) : c.t;
    core.fillUniform(
      t as core.Tensor,
      c.bound as number,
      (c.rng === 'rng' ? new core.Rng(3) : c.rng) as core.Rng,
    );
    const b = c.bound as number;
    for (const v of (t as core.Tensor).data) check(v >= -b && v <= b, () => `value ${v} outside ±${b}`);
  },
};

// ---- kernels ----

const kernelsTarget: Target<{ call: 'get' | 'set' | 'create' | 'load'; arg: unknown }> = {
  pkg: PKG,
  name: 'setKernels',
  variant: 'junk kernel tables',
  arb: fc.record({
    call: fc.constant('set' as const),
    arg: fc.oneof(junk, fc.constant({ gemm: () => 0 }), fc.constant('ts'), fc.constant('wasm')),
  }),
  run: ({ arg }) => {
    const before = core.getKernels();
    try {
      core.setKernels(
        (arg === 'ts'
          ? core.tsKernels
          : arg === 'wasm'
            ? (core.createWasmKernels() ?? core.tsKernels)
            : arg) as core.Kernels,
      );
      if (arg !== 'ts' && arg !== 'wasm') defect('accepted an invalid kernel table');
    } finally {
      core.setKernels(before);
    }
  },
};

const getKernelsTarget: Target<{ n: number }> = {
  pkg: PKG,
  name: 'getKernels',
  variant: 'returns a complete kernel table',
  arb: fc.record({ n: fc.nat({ max: 3 }) }),
  run: () => {
    const k = core.getKernels();
    for (const m of ['gemm', 'conv2dForward', 'maxPool2dForward', 'reluForward'] as const)
      check(typeof k[m] === 'function', `kernels.${m}`);
  },
};

const createWasmTarget: Target<{ variant: unknown }> = {
  pkg: PKG,
  name: 'createWasmKernels',
  variant: 'every variant and junk: kernels or null',
  weight: 0.2,
  arb: fc.record({
    variant: fc.oneof(fc.constantFrom<unknown>('auto', 'simd', 'relaxed-simd', undefined), junk),
  }),
  run: ({ variant }) => {
    const k = core.createWasmKernels(variant as core.WasmVariant);
    check(k === null || typeof k.gemm === 'function', 'kernels or null');
    if (k !== null) {
      const c = new Float32Array(4);
      k.gemm(
        false,
        false,
        2,
        2,
        1,
        new Float32Array([1, 2]),
        0,
        1,
        new Float32Array([3, 4]),
        0,
        2,
        c,
        0,
        2,
        false,
      );
      check(c[0] === 3 && c[1] === 4 && c[2] === 6 && c[3] === 8, () => `gemm gave [${c}]`);
    }
  },
};

/** Rejections of the asynchronous loadWasmKernels are collected here and checked by the test and the CLI. */
export const asyncFailures: string[] = [];
export const pendingLoads: Promise<unknown>[] = [];

const loadWasmTarget: Target<{ variant: unknown }> = {
  pkg: PKG,
  name: 'loadWasmKernels',
  variant: 'every variant and junk: a promise of kernels or null',
  weight: 0.2,
  arb: fc.record({
    variant: fc.oneof(fc.constantFrom<unknown>('auto', 'simd', 'relaxed-simd', undefined), junk),
  }),
  run: ({ variant }) => {
    const p = core.loadWasmKernels(variant as core.WasmVariant);
    check(p instanceof Promise, 'returns a promise');
    pendingLoads.push(
      p.then(
        (k) => {
          if (k !== null && typeof k.gemm !== 'function')
            asyncFailures.push(`loadWasmKernels(${String(variant)}) gave no gemm`);
        },
        (e) => {
          if (!(e instanceof core.Hw3Error))
            asyncFailures.push(`loadWasmKernels(${String(variant)}) rejected: ${String(e)}`);
        },
      ),
    );
  },
};

export const coreMiscTargets: Target<never>[] = [
  ...(['zeros', 'ones', 'full', 'uniform', 'normal'] as const).map(creationTarget),
  likeTarget('zerosLike'),
  likeTarget('onesLike'),
  tensorTarget,
  tensorClassTarget,
  gradModeTarget('noGrad'),
  gradModeTarget('enableGrad'),
  isGradEnabledTarget,
  rngTarget,
  seedTarget,
  defaultRngTarget,
  defineOpTarget,
  kaimingTarget,
  fillUniformTarget,
  kernelsTarget,
  getKernelsTarget,
  createWasmTarget,
  loadWasmTarget,
  junkTarget(PKG, 'zeros', fnAny(core.zeros), [smallShape, fc.constant({})]),
  junkTarget(PKG, 'full', fnAny(core.full), [smallShape, fc.constant(1), fc.constant({})]),
  junkTarget(PKG, 'uniform', fnAny(core.uniform), [
    smallShape,
    fc.constant(0),
    fc.constant(1),
    fc.constant({}),
  ]),
  junkTarget(PKG, 'normal', fnAny(core.normal), [
    smallShape,
    fc.constant(0),
    fc.constant(1),
    fc.constant({}),
  ]),
  junkTarget(PKG, 'tensor', fnAny(core.tensor), [fc.constant([1, 2]), fc.constant({})]),
] as Target<never>[];

export { badShape, smallShape };
