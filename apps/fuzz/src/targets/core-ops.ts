/**
 * Fuzz targets of @hw3/core's ops: every op on the TypeScript and the WebAssembly kernels, float32 and float64,
 * against the float64 references in ../reference.ts; zero-size tensors, NaN/±∞, mismatched shapes and dtypes,
 * bad options; backward gives gradients of the input shapes, finite for finite input.
 */
import * as testing from '@hw3/core/testing';
import fc from 'fast-check';
import * as core from '../entries/core';
import { badNonNegativeInt, badPositiveInt, badValue, close, junk, junkTarget, special } from '../gen';
import { type Bad, check, type Target } from '../harness';
import {
  binaryRef,
  broadcastShape,
  conv2dRef,
  matmulRef,
  pool2dRef,
  sizeOf,
  sumRef,
  transposeRef,
} from '../reference';
import { poolRef } from './shape';

const PKG = '@hw3/core' as const;
type DType = 'float32' | 'float64';
type KernelsName = 'ts' | 'wasm';

const wasmKernels = core.createWasmKernels();
const defaultKernels = core.getKernels();

/** Runs ops on the chosen kernels (the wasm ones where this engine has them). */
export function useKernels(k: KernelsName): void {
  core.setKernels(k === 'wasm' && wasmKernels !== null ? wasmKernels : core.tsKernels);
}
export function restoreKernels(): void {
  core.setKernels(defaultKernels);
}

export const kernelsArb = fc.constantFrom<KernelsName>('ts', 'wasm');
export const dtypeArb = fc.constantFrom<DType>('float32', 'float64');

/** A tensor as plain data (readable counterexamples); `make` builds it. */
export interface TData {
  shape: number[];
  dtype: DType;
  values: number[];
}

export const tdata = (
  shape: number[],
  dtype: DType,
  values: fc.Arbitrary<number> = special,
): fc.Arbitrary<TData> =>
  fc
    .array(values, { minLength: sizeOf(shape), maxLength: sizeOf(shape) })
    .map((v) => ({ shape, dtype, values: v }));

export function make(t: TData, requiresGrad = false): core.Tensor {
  const data = t.dtype === 'float64' ? Float64Array.from(t.values) : Float32Array.from(t.values);
  return new core.Tensor(data, t.shape, { requiresGrad });
}

const finiteValues = fc.double({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true });

/** Output equals the reference up to rounding: float32 relative to Σ|terms|, float64 near-exact. */
export function expectClose(
  what: string,
  got: core.Tensor,
  wantShape: readonly number[],
  want: ArrayLike<number>,
  scale?: ArrayLike<number>,
): void {
  check(
    got.shape.length === wantShape.length && got.shape.every((d, i) => d === wantShape[i]),
    () => `${what}: shape [${got.shape}], expected [${wantShape}]`,
  );
  check(got.data.length === want.length, () => `${what}: ${got.data.length} values, expected ${want.length}`);
  const rtol = got.dtype === 'float32' ? 2e-5 : 1e-11;
  for (let i = 0; i < want.length; i++) {
    const s0 = scale === undefined ? Math.abs(want[i]) : scale[i];
    const s = Number.isFinite(s0) ? s0 : Math.abs(want[i]);
    const w = got.dtype === 'float32' && Math.abs(want[i]) > 3.4e38 ? Math.sign(want[i]) * Infinity : want[i];
    check(
      close(got.data[i], w, 0, rtol * s + (got.dtype === 'float32' ? 1e-6 : 1e-12)),
      () => `${what}: value ${i} is ${got.data[i]}, reference ${want[i]}`,
    );
  }
}

/**
 * Gradient values against central differences (`@hw3/core/testing`'s gradcheck, itself fuzzed) for small, smooth,
 * float64 cases: `fn` recomputes the op from fresh copies of the inputs.
 */
function numericGradcheck(inputs: core.Tensor[], fn: (...xs: core.Tensor[]) => core.Tensor): void {
  if (!inputs.every((t) => t.dtype === 'float64' && t.size <= 24 && t.data.every((v) => Math.abs(v) <= 10)))
    return;
  const fresh = inputs.map((t) => new core.Tensor(t.data.slice(), t.shape, { requiresGrad: true }));
  testing.gradcheck(fn, fresh, { atol: 1e-5, rtol: 1e-4 });
}

/**
 * Backward with an all-ones upstream gradient: each input's grad has its shape; finite if all is finite (not for
 * div and log, whose true gradients 1/b, a/b², 1/x overflow for tiny finite inputs).
 */
function checkBackward(what: string, out: core.Tensor, inputs: core.Tensor[]): void {
  if (!out.requiresGrad) return;
  const up = new core.Tensor(
    out.dtype === 'float64' ? new Float64Array(out.size).fill(1) : new Float32Array(out.size).fill(1),
    out.shape,
  );
  out.backward(up);
  const finiteIn = inputs.every((t) => t.data.every(Number.isFinite)) && out.data.every(Number.isFinite);
  for (const [i, t] of inputs.entries()) {
    if (!t.requiresGrad) continue;
    check(t.grad !== null, () => `${what}: input ${i} got no gradient`);
    const g = t.grad as core.Tensor;
    check(
      g.shape.length === t.shape.length && g.shape.every((d, j) => d === t.shape[j]),
      () => `${what}: gradient ${i} has shape [${g.shape}], input [${t.shape}]`,
    );
    if (finiteIn && what !== 'div' && what !== 'log')
      check(g.data.every(Number.isFinite), () => `${what}: gradient ${i} not finite for finite input`);
  }
}

// ---- shapes that broadcast, with zero-size dims ----

const dimArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }) },
  { weight: 1, arbitrary: fc.constant(0) },
);

/** Two shapes that broadcast (one may drop leading dims or have 1s), or, when `mismatch`, two random shapes. */
const broadcastPair = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(dimArb, { minLength: 0, maxLength: 4 })
      .chain((out) =>
        fc.tuple(
          fc.constant(out),
          fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
          fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
          fc.nat({ max: out.length }),
        ),
      )
      .map(([out, onesA, onesB, drop]) => {
        const a = out.map((d, i) => (onesA[i] ? 1 : d));
        const b = out.map((d, i) => (onesB[i] ? 1 : d)).slice(drop);
        return [a, b] as [number[], number[]];
      }),
  },
  { weight: 1, arbitrary: fc.tuple(fc.array(dimArb, { maxLength: 3 }), fc.array(dimArb, { maxLength: 3 })) },
);

const BINARY = {
  add: (x: number, y: number) => x + y,
  sub: (x: number, y: number) => x - y,
  mul: (x: number, y: number) => x * y,
  div: (x: number, y: number) => x / y,
} as const;

interface BinaryCase {
  kernels: KernelsName;
  a: TData;
  b: TData | number;
  grad: boolean;
  bad?: Bad;
}

function binaryTarget(name: keyof typeof BINARY): Target<BinaryCase> {
  const fn = core[name];
  return {
    pkg: PKG,
    name,
    variant: 'broadcast shapes (zero-size, mismatched), NaN/±∞, scalars, dtypes vs reference',
    weight: 2,
    arb: fc
      .record({
        kernels: kernelsArb,
        pair: broadcastPair,
        da: dtypeArb,
        mixed: fc.boolean(),
        scalar: fc.option(special, { freq: 4 }),
        grad: fc.boolean(),
      })
      .chain(({ kernels, pair, da, mixed, scalar, grad }) => {
        const db: DType = mixed && scalar === null ? (da === 'float32' ? 'float64' : 'float32') : da;
        const mixedDtype = db !== da;
        return fc.record({
          kernels: fc.constant(kernels),
          a: tdata(pair[0], da),
          b: scalar === null ? tdata(pair[1], db) : fc.constant(scalar),
          grad: fc.constant(grad),
          bad: fc.constant(mixedDtype ? ({ arg: 'dtype', value: db } as Bad) : undefined),
        });
      }),
    run: (c) => {
      useKernels(c.kernels);
      const a = make(c.a, c.grad);
      const b = typeof c.b === 'number' ? c.b : make(c.b, c.grad);
      const bShape = typeof c.b === 'number' ? [] : c.b.shape;
      const bData = typeof b === 'number' ? [b] : b.data;
      const ref = binaryRef(a.data, a.shape, bData, bShape, BINARY[name]);
      let out: core.Tensor;
      try {
        out = fn(a, b);
      } catch (e) {
        check(ref === null || c.bad !== undefined, () => `threw ${String(e)} for broadcastable shapes`);
        throw e;
      }
      if (c.bad !== undefined) return;
      check(ref !== null, () => `shapes [${a.shape}] and [${bShape}] do not broadcast, got [${out.shape}]`);
      const r = ref as NonNullable<typeof ref>;
      expectClose(name, out, r.shape, r.data);
      checkBackward(name, out, typeof b === 'number' ? [a] : [a, b]);
      if (c.grad && name !== 'div' && typeof b !== 'number') numericGradcheck([a, b], (x, y) => fn(x, y));
    },
  };
}

// ---- unary ----

const UNARY = {
  neg: (x: number) => -x,
  exp: Math.exp,
  log: Math.log,
  relu: (x: number) => (Number.isNaN(x) ? x : Math.max(x, 0)),
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
} as const;

function unaryTarget(name: keyof typeof UNARY): Target<{ kernels: KernelsName; x: TData; grad: boolean }> {
  const fn = core[name];
  return {
    pkg: PKG,
    name,
    variant: 'NaN/±∞/zero-size vs Math reference, backward',
    arb: fc.record({
      kernels: kernelsArb,
      x: fc.tuple(fc.array(dimArb, { maxLength: 3 }), dtypeArb).chain(([s, d]) => tdata(s, d)),
      grad: fc.boolean(),
    }),
    run: (c) => {
      useKernels(c.kernels);
      const x = make(c.x, c.grad);
      const out = fn(x);
      const want = Array.from(x.data, UNARY[name]);
      const rt = x.dtype === 'float32' ? 1e-6 : 1e-14;
      check(out.shape.length === x.shape.length && out.shape.every((d, i) => d === x.shape[i]), 'shape kept');
      for (let i = 0; i < want.length; i++) {
        const w = x.dtype === 'float32' ? Math.fround(want[i]) : want[i];
        check(close(out.data[i], w, rt, rt), () => `${name}(${x.data[i]}) = ${out.data[i]}, reference ${w}`);
      }
      checkBackward(name, out, [x]);
      // relu has a kink at 0 and log a pole: central differences only for the smooth ones
      if (c.grad && (name === 'neg' || name === 'exp' || name === 'sigmoid' || name === 'tanh'))
        numericGradcheck([x], fn);
    },
  };
}

// ---- matmul and linear ----

interface MatmulCase {
  kernels: KernelsName;
  a: TData;
  b: TData;
  grad: boolean;
  expectError: boolean;
}

const matmulArb: fc.Arbitrary<MatmulCase> = fc
  .record({
    kernels: kernelsArb,
    m: fc.integer({ min: 0, max: 9 }),
    k: fc.integer({ min: 0, max: 9 }),
    n: fc.integer({ min: 0, max: 9 }),
    batchA: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 2 }),
    batchB: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 2 }),
    dtype: dtypeArb,
    kOff: fc.option(fc.integer({ min: 1, max: 2 }), { freq: 6 }),
    rankA: fc.option(fc.constantFrom(0, 1), { freq: 10 }),
    grad: fc.boolean(),
    specialValues: fc.boolean(),
  })
  .chain((g) => {
    const aShape = g.rankA === null ? [...g.batchA, g.m, g.k] : g.rankA === 0 ? [] : [g.k];
    const bShape = [...g.batchB, g.k + (g.kOff ?? 0), g.n];
    const values = g.specialValues ? special : finiteValues;
    return fc.record({
      kernels: fc.constant(g.kernels),
      a: tdata(aShape, g.dtype, values),
      b: tdata(bShape, g.dtype, values),
      grad: fc.constant(g.grad),
      expectError: fc.constant(false),
    });
  })
  .map((c) => ({ ...c, expectError: matmulRef([], c.a.shape, [], c.b.shape) === null }));

function matmulValues(c: MatmulCase, a: core.Tensor, b: core.Tensor, out: core.Tensor): void {
  const ref = matmulRef(a.data, a.shape, b.data, b.shape);
  check(ref !== null, () => `matmul of [${a.shape}] and [${b.shape}] should be refused, got [${out.shape}]`);
  const r = ref as NonNullable<typeof ref>;
  if ([...a.data, ...b.data].every(Number.isFinite)) expectClose('matmul', out, r.shape, r.data, r.scale);
  else
    check(
      out.shape.every((d, i) => d === r.shape[i]),
      () => `matmul shape [${out.shape}] vs [${r.shape}]`,
    );
  if (c.grad) {
    checkBackward('matmul', out, [a, b]);
    numericGradcheck([a, b], core.matmul);
  }
}

const matmulTarget: Target<MatmulCase> = {
  pkg: PKG,
  name: 'matmul',
  variant: 'batched, zero-size, mismatched k, rank < 2, NaN/±∞ vs reference',
  weight: 2,
  arb: matmulArb,
  run: (c) => {
    useKernels(c.kernels);
    const a = make(c.a, c.grad);
    const b = make(c.b, c.grad);
    let out: core.Tensor;
    try {
      out = core.matmul(a, b);
    } catch (e) {
      check(c.expectError, () => `threw ${String(e)} for valid shapes [${a.shape}]·[${b.shape}]`);
      throw e;
    }
    matmulValues(c, a, b, out);
  },
};

interface LinearCase {
  kernels: KernelsName;
  x: TData;
  w: TData;
  b: TData | null;
  grad: boolean;
}

const linearArb: fc.Arbitrary<LinearCase> = fc
  .record({
    kernels: kernelsArb,
    lead: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
    inF: fc.integer({ min: 0, max: 6 }),
    outF: fc.integer({ min: 0, max: 6 }),
    wIn: fc.option(fc.integer({ min: 0, max: 6 }), { freq: 6 }),
    bLen: fc.option(fc.integer({ min: 0, max: 7 }), { freq: 6 }),
    noBias: fc.boolean(),
    dtype: dtypeArb,
    grad: fc.boolean(),
  })
  .chain((g) =>
    fc.record({
      kernels: fc.constant(g.kernels),
      x: tdata([...g.lead, g.inF], g.dtype, finiteValues),
      w: tdata([g.outF, g.wIn ?? g.inF], g.dtype, finiteValues),
      b: g.noBias ? fc.constant(null) : tdata([g.bLen ?? g.outF], g.dtype, finiteValues),
      grad: fc.constant(g.grad),
    }),
  );

const linearTarget: Target<LinearCase> = {
  pkg: PKG,
  name: 'linear',
  variant: 'x·Wᵀ + b vs reference, mismatched features and bias',
  arb: linearArb,
  run: (c) => {
    useKernels(c.kernels);
    const x = make(c.x, c.grad);
    const w = make(c.w, c.grad);
    const b = c.b === null ? null : make(c.b, c.grad);
    const inF = x.shape[x.ndim - 1];
    const valid = w.shape[1] === inF && (b === null || b.shape[0] === w.shape[0]);
    let out: core.Tensor;
    try {
      out = core.linear(x, w, b);
    } catch (e) {
      check(!valid, () => `threw ${String(e)} for valid shapes`);
      throw e;
    }
    check(valid, () => `accepted x [${x.shape}], weight [${w.shape}], bias [${b?.shape}]`);
    const outF = w.shape[0];
    const rows = x.size / Math.max(inF, 1);
    const lead = x.shape.slice(0, -1);
    const want = new Float64Array(sizeOf(lead) * outF);
    const scale = new Float64Array(want.length);
    for (let r = 0; r < sizeOf(lead); r++)
      for (let o = 0; o < outF; o++) {
        let s = b === null ? 0 : b.data[o];
        let abs = Math.abs(s);
        for (let i = 0; i < inF; i++) {
          const v = x.data[r * inF + i] * w.data[o * inF + i];
          s += v;
          abs += Math.abs(v);
        }
        want[r * outF + o] = s;
        scale[r * outF + o] = abs;
      }
    void rows;
    expectClose('linear', out, [...lead, outF], want, scale);
    checkBackward('linear', out, b === null ? [x, w] : [x, w, b]);
    if (c.grad)
      numericGradcheck(b === null ? [x, w] : [x, w, b], (xx, ww, bb) => core.linear(xx, ww, bb ?? null));
  },
};

// ---- conv2d ----

interface ConvCase {
  kernels: KernelsName;
  x: TData;
  w: TData;
  b: TData | null;
  options: Record<string, unknown>;
  ref: {
    stride: [number, number];
    pad: [[number, number], [number, number]];
    dilation: [number, number];
  } | null;
  grad: boolean;
  bad?: Bad;
}

const pairArb = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));

const convArb: fc.Arbitrary<ConvCase> = fc
  .record({
    kernels: kernelsArb,
    n: fc.integer({ min: 0, max: 2 }),
    hw: pairArb(1, 7),
    groups: fc.integer({ min: 1, max: 2 }),
    cpg: fc.integer({ min: 1, max: 3 }),
    opg: fc.integer({ min: 1, max: 3 }),
    k: pairArb(1, 3),
    stride: pairArb(1, 2),
    dilation: pairArb(1, 2),
    pad: fc.tuple(pairArb(0, 2), pairArb(0, 2)),
    padMode: fc.constantFrom('pairs', 'same', 'valid', 'number'),
    bias: fc.boolean(),
    dtype: dtypeArb,
    grad: fc.boolean(),
    corrupt: fc.option(
      fc.oneof(
        fc.tuple(fc.constantFrom('stride', 'dilation', 'groups'), badPositiveInt),
        fc.tuple(fc.constant('padding'), badNonNegativeInt),
        fc.tuple(fc.constant('padding'), fc.constantFrom<unknown>('full', [1, 2, 3])),
      ),
      { freq: 4 },
    ),
  })
  .chain((g) => {
    const C = g.groups * g.cpg;
    const O = g.groups * g.opg;
    let padding: unknown;
    let pad: [[number, number], [number, number]] | null;
    if (g.padMode === 'pairs') {
      padding = g.pad;
      pad = g.pad;
    } else if (g.padMode === 'number') {
      padding = g.pad[0][0];
      pad = [
        [g.pad[0][0], g.pad[0][0]],
        [g.pad[0][0], g.pad[0][0]],
      ];
    } else if (g.padMode === 'valid') {
      padding = 'valid';
      pad = [
        [0, 0],
        [0, 0],
      ];
    } else {
      padding = 'same';
      pad = null; // resolved below from the TF rule
    }
    if (pad === null) {
      const same = (n: number, k: number, s: number, d: number): [number, number] => {
        const out = Math.ceil(n / s);
        const t = Math.max((out - 1) * s + d * (k - 1) + 1 - n, 0);
        return [Math.floor(t / 2), t - Math.floor(t / 2)];
      };
      pad = [
        same(g.hw[0], g.k[0], g.stride[0], g.dilation[0]),
        same(g.hw[1], g.k[1], g.stride[1], g.dilation[1]),
      ];
    }
    const options: Record<string, unknown> = {
      stride: g.stride,
      padding,
      dilation: g.dilation,
      groups: g.groups,
    };
    let bad: Bad | undefined;
    if (g.corrupt !== null) {
      const [key, value] = g.corrupt as [string, unknown];
      if (value !== null) {
        options[key] = value;
        bad = Array.isArray(value) ? { arg: key, value, skipValue: true } : badValue(key, value);
      }
    }
    const ok = [0, 1].every((i) => g.hw[i] + pad[i][0] + pad[i][1] - g.dilation[i] * (g.k[i] - 1) - 1 >= 0);
    return fc.record({
      kernels: fc.constant(g.kernels),
      x: tdata([g.corrupt === null ? g.n : Math.max(g.n, 1), g.hw[0], g.hw[1], C], g.dtype, finiteValues),
      w: tdata([O, g.k[0], g.k[1], g.cpg], g.dtype, finiteValues),
      b: g.bias ? tdata([O], g.dtype, finiteValues) : fc.constant(null),
      options: fc.constant(options),
      ref: fc.constant(ok && bad === undefined ? { stride: g.stride, pad, dilation: g.dilation } : null),
      grad: fc.constant(g.grad),
      bad: fc.constant(bad),
    });
  });

const conv2dTarget: Target<ConvCase> = {
  pkg: PKG,
  name: 'conv2d',
  variant: 'groups, stride, dilation, asymmetric/same padding, zero batch, bad options vs reference',
  weight: 3,
  arb: convArb,
  run: (c) => {
    useKernels(c.kernels);
    const x = make(c.x, c.grad);
    const w = make(c.w, c.grad);
    const b = c.b === null ? null : make(c.b, c.grad);
    let out: core.Tensor;
    try {
      out = core.conv2d(x, w, b, c.options as core.Conv2dOptions);
    } catch (e) {
      // Zero-size batches / channels are refused by @hw3/shape (sizes >= 1) with a typed error: accepted.
      check(c.ref === null || x.size === 0, () => `threw ${String(e)} for a valid convolution`);
      throw e;
    }
    if (c.bad !== undefined) return;
    check(c.ref !== null, () => `returned [${out.shape}] although the output would be smaller than 1`);
    const r = c.ref as NonNullable<ConvCase['ref']>;
    const ref = conv2dRef({
      x: x.data,
      xShape: x.shape,
      w: w.data,
      wShape: w.shape,
      bias: b === null ? null : b.data,
      stride: r.stride,
      pad: r.pad,
      dilation: r.dilation,
      groups: c.options.groups as number,
    });
    expectClose('conv2d', out, ref.shape, ref.data, ref.scale);
    checkBackward('conv2d', out, b === null ? [x, w] : [x, w, b]);
    if (c.grad) {
      const opts = c.options as core.Conv2dOptions;
      numericGradcheck(b === null ? [x, w] : [x, w, b], (xx, ww, bb) =>
        core.conv2d(xx, ww, bb ?? null, opts),
      );
    }
  },
};

// ---- pooling ----

interface PoolCase {
  kernels: KernelsName;
  x: TData;
  options: Record<string, unknown>;
  ref: {
    k: [number, number];
    stride: [number, number];
    pad: [number, number];
    dilation: [number, number];
  } | null;
  grad: boolean;
  bad?: Bad;
}

const poolArb: fc.Arbitrary<PoolCase> = fc
  .record({
    kernels: kernelsArb,
    n: fc.integer({ min: 0, max: 2 }),
    hw: pairArb(1, 7),
    c: fc.integer({ min: 0, max: 3 }),
    k: pairArb(1, 3),
    stride: pairArb(1, 3),
    dilation: pairArb(1, 2),
    pad: pairArb(0, 1),
    ceilMode: fc.boolean(),
    countIncludePad: fc.boolean(),
    dtype: dtypeArb,
    grad: fc.boolean(),
    specialValues: fc.boolean(),
    corrupt: fc.option(
      fc.oneof(
        fc.tuple(fc.constantFrom('kernelSize', 'stride', 'dilation'), badPositiveInt),
        fc.tuple(fc.constant('padding'), badNonNegativeInt),
        fc.tuple(fc.constant('padding'), fc.constantFrom<unknown>(5, [9, 9])),
      ),
      { freq: 4 },
    ),
  })
  .chain((g) => {
    const options: Record<string, unknown> = {
      kernelSize: g.k,
      stride: g.stride,
      padding: g.pad,
      dilation: g.dilation,
      ceilMode: g.ceilMode,
      countIncludePad: g.countIncludePad,
    };
    let bad: Bad | undefined;
    if (g.corrupt !== null && g.corrupt[1] !== null) {
      const [key, value] = g.corrupt as [string, unknown];
      options[key] = value;
      bad =
        Array.isArray(value) || key === 'padding'
          ? { arg: 'padding', value, skipValue: true }
          : badValue(key, value);
      if (key !== 'padding') bad = badValue(key, value);
    }
    const outSize = [0, 1].map((i) =>
      poolRef(g.hw[i], g.k[i], g.stride[i], g.dilation[i], g.pad[i], g.pad[i], g.ceilMode),
    );
    const ok = outSize.every((o) => o >= 1);
    return fc.record({
      kernels: fc.constant(g.kernels),
      x: tdata(
        [
          g.corrupt === null ? g.n : Math.max(g.n, 1),
          g.hw[0],
          g.hw[1],
          g.corrupt === null ? g.c : Math.max(g.c, 1),
        ],
        g.dtype,
        g.specialValues ? special : finiteValues,
      ),
      options: fc.constant(options),
      ref: fc.constant(
        ok && bad === undefined ? { k: g.k, stride: g.stride, pad: g.pad, dilation: g.dilation } : null,
      ),
      grad: fc.constant(g.grad),
      bad: fc.constant(bad),
    });
  });

function poolTarget(name: 'maxPool2d' | 'avgPool2d'): Target<PoolCase> {
  const mode = name === 'maxPool2d' ? 'max' : 'avg';
  return {
    pkg: PKG,
    name,
    variant: 'stride, dilation, padding, ceil mode, NaN/±∞, zero-size, bad options vs reference',
    weight: 2,
    arb: poolArb,
    run: (c) => {
      useKernels(c.kernels);
      const x = make(c.x, c.grad);
      let out: core.Tensor;
      try {
        out = core[name](x, c.options as unknown as core.AvgPool2dOptions);
      } catch (e) {
        check(c.ref === null || x.size === 0, () => `threw ${String(e)} for a valid pooling`);
        throw e;
      }
      if (c.bad !== undefined) return;
      check(c.ref !== null, () => `returned [${out.shape}] for an invalid pooling`);
      const r = c.ref as NonNullable<PoolCase['ref']>;
      const ceil = c.options.ceilMode === true;
      const want = [0, 1].map((i) =>
        poolRef(x.shape[i + 1], r.k[i], r.stride[i], r.dilation[i], r.pad[i], r.pad[i], ceil),
      );
      const ref = pool2dRef(
        x.data,
        x.shape,
        r.k,
        r.stride,
        r.pad,
        r.dilation,
        mode,
        c.options.countIncludePad !== false,
        [want[0], want[1]],
      );
      expectClose(name, out, ref.shape, ref.data);
      checkBackward(name, out, [x]);
    },
  };
}

/** maxPool2dGeometry: the geometry maxPool2d pools with — the same sizes as the reference, the same errors. */
const poolGeometryTarget: Target<PoolCase> = {
  pkg: PKG,
  name: 'maxPool2dGeometry',
  variant: 'window geometry vs reference sizes; bad options and zero-size inputs as maxPool2d',
  weight: 1,
  arb: poolArb,
  run: (c) => {
    const x = make(c.x, false);
    let g: core.Pool2dGeometry;
    try {
      g = core.maxPool2dGeometry(x, c.options as unknown as core.Pool2dOptions);
    } catch (e) {
      check(c.ref === null || x.size === 0, () => `threw ${String(e)} for a valid pooling`);
      throw e;
    }
    if (c.bad !== undefined) return;
    check(c.ref !== null, () => `returned a geometry for an invalid pooling of [${x.shape}]`);
    const r = c.ref as NonNullable<PoolCase['ref']>;
    const ceil = c.options.ceilMode === true;
    const want = [0, 1].map((i) =>
      poolRef(x.shape[i + 1], r.k[i], r.stride[i], r.dilation[i], r.pad[i], r.pad[i], ceil),
    );
    const got = [g.batch, g.inH, g.inW, g.channels, g.outH, g.outW, g.kH, g.kW, g.strideH, g.strideW];
    const expected = [...x.shape, want[0], want[1], r.k[0], r.k[1], r.stride[0], r.stride[1]];
    check(
      got.every((v, i) => v === expected[i]) && g.padTop === r.pad[0] && g.padLeft === r.pad[1],
      () =>
        `geometry ${JSON.stringify(g)} for [${x.shape}] ${JSON.stringify(c.options)}, expected sizes ${expected}`,
    );
    // It is the geometry maxPool2d pools with.
    check(
      core.maxPool2d(x, c.options as unknown as core.Pool2dOptions).shape.join() ===
        [g.batch, g.outH, g.outW, g.channels].join(),
      () => 'maxPool2d pooled to another shape',
    );
  },
};

// ---- reductions, reshapes ----

interface ReduceCase {
  x: TData;
  axes: unknown;
  keepDims: boolean;
  grad: boolean;
  bad?: Bad;
}

const reduceArb: fc.Arbitrary<ReduceCase> = fc
  .record({
    shape: fc.array(dimArb, { maxLength: 4 }),
    dtype: dtypeArb,
    keepDims: fc.boolean(),
    grad: fc.boolean(),
    axesKind: fc.constantFrom('none', 'one', 'list', 'bad'),
    axisSeed: fc.array(fc.nat(), { maxLength: 3 }),
    neg: fc.boolean(),
    badAxis: fc.constantFrom<unknown>(7, -9, 0.5, Number.NaN, '0'),
  })
  .chain((g) => {
    const r = g.shape.length;
    let axes: unknown;
    let bad: Bad | undefined;
    if (g.axesKind === 'none' || r === 0) axes = g.axesKind === 'bad' ? g.badAxis : undefined;
    else if (g.axesKind === 'one') axes = ((g.axisSeed[0] ?? 0) % r) - (g.neg ? r : 0);
    else if (g.axesKind === 'list') axes = [...new Set(g.axisSeed.map((s) => s % r))];
    else axes = g.badAxis;
    if (g.axesKind === 'bad') bad = badValue('ax', g.badAxis);
    return fc.record({
      x: tdata(g.shape, g.dtype),
      axes: fc.constant(axes),
      keepDims: fc.constant(g.keepDims),
      grad: fc.constant(g.grad),
      bad: fc.constant(bad),
    });
  });

function reduceTarget(name: 'sum' | 'mean'): Target<ReduceCase> {
  return {
    pkg: PKG,
    name,
    variant: 'axes (negative, lists, out of range), keepDims, zero-size, NaN/±∞ vs reference',
    arb: reduceArb,
    run: (c) => {
      const x = make(c.x, c.grad);
      const out = core[name](x, c.axes as core.Axes, c.keepDims);
      if (c.bad !== undefined) return;
      const r = x.ndim;
      const axes =
        c.axes === undefined
          ? []
          : (Array.isArray(c.axes) ? c.axes : [c.axes as number]).map((a) => (a < 0 ? a + r : a));
      const ref = sumRef(x.data, x.shape, axes, c.keepDims);
      const want = name === 'sum' ? ref.data : ref.data.map((v) => v / ref.count);
      let scale = 0;
      for (const v of x.data) if (Number.isFinite(v)) scale += Math.abs(v);
      expectClose(
        name,
        out,
        ref.shape,
        want,
        want.map(() => scale / (name === 'mean' ? Math.max(ref.count, 1) : 1)),
      );
      checkBackward(name, out, [x]);
      if (c.grad) numericGradcheck([x], (t) => core[name](t, c.axes as core.Axes, c.keepDims));
    },
  };
}

const reshapeTarget: Target<{ x: TData; shape: unknown; bad?: Bad }> = {
  pkg: PKG,
  name: 'reshape',
  variant: 'valid, -1, mismatched and huge target shapes',
  arb: fc
    .record({
      shape: fc.array(dimArb, { maxLength: 4 }),
      perm: fc.boolean(),
      infer: fc.boolean(),
      corrupt: fc.option(
        fc.constantFrom<unknown>([-1, -1], [2 ** 40, 2 ** 40], [-2], [0.5], 'x', null, [Number.NaN]),
        {
          freq: 3,
        },
      ),
    })
    .chain((g) =>
      fc.record({
        x: tdata(g.shape, 'float32'),
        shape: fc.constant(
          g.corrupt ??
            (g.infer && sizeOf(g.shape) > 0 ? [-1] : g.perm ? [...g.shape].reverse() : [sizeOf(g.shape)]),
        ),
        bad: fc.constant(
          g.corrupt === null ? undefined : ({ arg: 'shape', value: g.corrupt, skipValue: true } as Bad),
        ),
      }),
    ),
  run: (c) => {
    const x = make(c.x);
    const out = core.reshape(x, c.shape as number[]);
    check(out.size === x.size && out.data === x.data, 'same data, same size');
  },
};

const flattenTarget: Target<{ x: TData; start: unknown; end: unknown }> = {
  pkg: PKG,
  name: 'flatten',
  variant: 'start/end dims in and out of range',
  arb: fc.record({
    x: fc.array(dimArb, { maxLength: 4 }).chain((s) => tdata(s, 'float64')),
    start: fc.oneof(fc.integer({ min: -5, max: 5 }), junk),
    end: fc.oneof(fc.integer({ min: -5, max: 5 }), junk),
  }),
  run: (c) => {
    const x = make(c.x);
    const out = core.flatten(x, c.start as number, c.end as number);
    check(out.size === x.size, 'flatten keeps the size');
    check(out.ndim <= Math.max(x.ndim, 1), 'flatten does not add dims');
  },
};

const transposeTarget: Target<{ x: TData; d0: unknown; d1: unknown; grad: boolean }> = {
  pkg: PKG,
  name: 'transpose',
  variant: 'dims in and out of range vs reference',
  arb: fc.record({
    x: fc.array(dimArb, { maxLength: 4 }).chain((s) => tdata(s, 'float64')),
    d0: fc.oneof(fc.integer({ min: -5, max: 4 }), junk),
    d1: fc.oneof(fc.integer({ min: -5, max: 4 }), junk),
    grad: fc.boolean(),
  }),
  run: (c) => {
    const x = make(c.x, c.grad);
    const out = core.transpose(x, c.d0 as number, c.d1 as number);
    const n = (d: unknown) => ((d as number) < 0 ? (d as number) + x.ndim : (d as number));
    const ref = transposeRef(x.data, x.shape, n(c.d0 ?? -2), n(c.d1 ?? -1));
    expectClose('transpose', out, ref.shape, ref.data);
    checkBackward('transpose', out, [x]);
    if (c.grad) numericGradcheck([x], (t) => core.transpose(t, c.d0 as number, c.d1 as number));
  },
};

const dropoutTarget: Target<{ x: TData; p: unknown; training: unknown; seed: number }> = {
  pkg: PKG,
  name: 'dropout',
  variant: 'p in and out of [0, 1], training on/off: zeros or x/(1−p)',
  arb: fc.record({
    x: fc.array(dimArb, { maxLength: 3 }).chain((s) => tdata(s, 'float64', finiteValues)),
    p: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1), junk),
    training: fc.constantFrom<unknown>(true, false, undefined),
    seed: fc.nat(),
  }),
  run: (c) => {
    const x = make(c.x);
    const out = core.dropout(x, c.p as number, {
      training: c.training as boolean,
      rng: new core.Rng(c.seed),
    });
    const p = c.p === undefined ? 0.5 : (c.p as number);
    check(out.size === x.size, 'same size');
    for (let i = 0; i < x.size; i++) {
      const v = out.data[i];
      const kept = c.training === false || p === 0 ? x.data[i] : x.data[i] / (1 - p);
      check(v === 0 || close(v, kept, 1e-12, 1e-12), () => `dropout value ${v} is neither 0 nor ${kept}`);
    }
  },
};

export const coreOpTargets: Target<never>[] = [
  ...(['add', 'sub', 'mul', 'div'] as const).map(binaryTarget),
  ...(['neg', 'exp', 'log', 'relu', 'sigmoid', 'tanh'] as const).map(unaryTarget),
  matmulTarget,
  linearTarget,
  conv2dTarget,
  poolTarget('maxPool2d'),
  poolTarget('avgPool2d'),
  poolGeometryTarget,
  reduceTarget('sum'),
  reduceTarget('mean'),
  reshapeTarget,
  flattenTarget,
  transposeTarget,
  dropoutTarget,
  // Wrong types for every op argument.
  ...(['add', 'sub', 'mul', 'div', 'matmul'] as const).map((n) =>
    junkTarget(PKG, n, core[n] as (...a: unknown[]) => unknown, [
      fc.constant(core.ones([2, 2])),
      fc.constant(core.ones([2])),
    ]),
  ),
  ...(['neg', 'exp', 'log', 'relu', 'sigmoid', 'tanh'] as const).map((n) =>
    junkTarget(PKG, n, core[n] as (...a: unknown[]) => unknown, [fc.constant(core.ones([2]))]),
  ),
  junkTarget(PKG, 'linear', core.linear as (...a: unknown[]) => unknown, [
    fc.constant(core.ones([2, 3])),
    fc.constant(core.ones([4, 3])),
    fc.constant(core.ones([4])),
  ]),
  junkTarget(PKG, 'conv2d', core.conv2d as (...a: unknown[]) => unknown, [
    fc.constant(core.ones([1, 4, 4, 2])),
    fc.constant(core.ones([3, 2, 2, 2])),
    fc.constant(null),
    fc.constantFrom<unknown>({}, { stride: 2 }),
  ]),
  ...(['maxPool2d', 'avgPool2d', 'maxPool2dGeometry'] as const).map((n) =>
    junkTarget(PKG, n, core[n] as (...a: unknown[]) => unknown, [
      fc.constant(core.ones([1, 4, 4, 2])),
      fc.constantFrom<unknown>({ kernelSize: 2 }, { kernelSize: [2, 2], stride: 1 }),
    ]),
  ),
  ...(['sum', 'mean'] as const).map((n) =>
    junkTarget(PKG, n, core[n] as (...a: unknown[]) => unknown, [
      fc.constant(core.ones([2, 3])),
      fc.constant(0),
      fc.constant(false),
    ]),
  ),
  junkTarget(PKG, 'reshape', core.reshape as (...a: unknown[]) => unknown, [
    fc.constant(core.ones([2, 3])),
    fc.constant([3, 2]),
  ]),
  junkTarget(PKG, 'flatten', core.flatten as (...a: unknown[]) => unknown, [
    fc.constant(core.ones([2, 3])),
    fc.constant(0),
  ]),
  junkTarget(PKG, 'transpose', core.transpose as (...a: unknown[]) => unknown, [
    fc.constant(core.ones([2, 3])),
    fc.constant(0),
  ]),
  junkTarget(PKG, 'dropout', core.dropout as (...a: unknown[]) => unknown, [
    fc.constant(core.ones([2, 3])),
    fc.constant(0.5),
    fc.constant({}),
  ]),
] as Target<never>[];

export { broadcastShape };
