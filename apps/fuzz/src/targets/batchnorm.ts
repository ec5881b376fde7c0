/** Fuzz targets of @hw3/batchnorm against a float64 reference of the handout's forward and six gradients. */
import * as bn from '@hw3/batchnorm';
import fc from 'fast-check';
import * as core from '../entries/core';
import { badPositiveInt, badValue, close, hugeShape, junk, junkTarget, special } from '../gen';
import { type Bad, check, type Target } from '../harness';
import { sizeOf } from '../reference';
import { kernelsArb, useKernels } from './core-ops';

const PKG = '@hw3/batchnorm' as const;
type DType = 'float32' | 'float64';

interface Stats {
  mean: Float64Array;
  variance: Float64Array;
  xhat: Float64Array;
  y: Float64Array;
}

function refForward(
  x: ArrayLike<number>,
  count: number,
  channels: number,
  eps: number,
  gamma: ArrayLike<number> | null,
  beta: ArrayLike<number> | null,
  stats?: { mean: ArrayLike<number>; variance: ArrayLike<number> },
): Stats {
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  if (stats === undefined) {
    for (let i = 0; i < count; i++) for (let c = 0; c < channels; c++) mean[c] += x[i * channels + c];
    for (let c = 0; c < channels; c++) mean[c] /= count;
    for (let i = 0; i < count; i++)
      for (let c = 0; c < channels; c++) variance[c] += (x[i * channels + c] - mean[c]) ** 2;
    for (let c = 0; c < channels; c++) variance[c] /= count;
  } else {
    mean.set(Array.from(stats.mean));
    variance.set(Array.from(stats.variance));
  }
  const xhat = new Float64Array(count * channels);
  const y = new Float64Array(count * channels);
  for (let i = 0; i < count; i++)
    for (let c = 0; c < channels; c++) {
      const k = i * channels + c;
      xhat[k] = (x[k] - mean[c]) / Math.sqrt(variance[c] + eps);
      y[k] = (gamma === null ? 1 : gamma[c]) * xhat[k] + (beta === null ? 0 : beta[c]);
    }
  return { mean, variance, xhat, y };
}

function refBackward(
  dy: ArrayLike<number>,
  s: Stats,
  count: number,
  channels: number,
  eps: number,
  gamma: ArrayLike<number> | null,
) {
  const dGamma = new Float64Array(channels);
  const dBeta = new Float64Array(channels);
  const sumDxhat = new Float64Array(channels);
  const sumDxhatXhat = new Float64Array(channels);
  for (let i = 0; i < count; i++)
    for (let c = 0; c < channels; c++) {
      const k = i * channels + c;
      dGamma[c] += dy[k] * s.xhat[k];
      dBeta[c] += dy[k];
      const dxhat = dy[k] * (gamma === null ? 1 : gamma[c]);
      sumDxhat[c] += dxhat;
      sumDxhatXhat[c] += dxhat * s.xhat[k];
    }
  const dx = new Float64Array(count * channels);
  for (let i = 0; i < count; i++)
    for (let c = 0; c < channels; c++) {
      const k = i * channels + c;
      const dxhat = dy[k] * (gamma === null ? 1 : gamma[c]);
      dx[k] =
        (count * dxhat - sumDxhat[c] - s.xhat[k] * sumDxhatXhat[c]) /
        (count * Math.sqrt(s.variance[c] + eps));
    }
  return { dx, dGamma, dBeta };
}

function arr(dtype: DType, v: ArrayLike<number>): Float32Array | Float64Array {
  return dtype === 'float64' ? Float64Array.from(v as number[]) : Float32Array.from(v as number[]);
}

/** Relative closeness for float32 (values in [-4, 4], statistics in float64 inside). */
function near(got: ArrayLike<number>, want: ArrayLike<number>, dtype: DType, what: string, scale = 1): void {
  check(got.length === want.length, () => `${what}: length ${got.length}, expected ${want.length}`);
  const tol = dtype === 'float32' ? 2e-4 : 1e-9;
  for (let i = 0; i < want.length; i++)
    check(close(got[i], want[i], tol, tol * scale), () => `${what}[${i}] = ${got[i]}, reference ${want[i]}`);
}

const finiteValues = fc.double({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true });

interface ForwardCase {
  kernels: 'ts' | 'wasm';
  dtype: DType;
  shape: number[];
  x: number[];
  gamma: number[] | null;
  beta: number[] | null;
  eps: unknown;
  dy: number[];
  corrupt: string | null;
  bad?: Bad;
}

const forwardArb: fc.Arbitrary<ForwardCase> = fc
  .record({
    kernels: kernelsArb,
    dtype: fc.constantFrom<DType>('float32', 'float64'),
    shape: fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 })).map((t) => [...t]),
      fc
        .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
        .map((t) => [...t]),
      fc
        .tuple(
          fc.integer({ min: 1, max: 2 }),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 3 }),
        )
        .map((t) => [...t]),
    ),
    affine: fc.boolean(),
    eps: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom<unknown>(1e-5, 1e-3, 0.1) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<unknown>(-1, Number.NaN, Number.POSITIVE_INFINITY, '1e-5', null),
      },
    ),
    corrupt: fc.option(fc.constantFrom('x-length', 'gamma-length', 'rank', 'zero-dim', 'huge', 'special'), {
      freq: 4,
    }),
  })
  .chain((g) => {
    const C = g.shape[g.shape.length - 1];
    const n = sizeOf(g.shape);
    return fc.record({
      kernels: fc.constant(g.kernels),
      dtype: fc.constant(g.dtype),
      shape: fc.constant(g.shape),
      x: fc.array(g.corrupt === 'special' ? special : finiteValues, { minLength: n, maxLength: n }),
      gamma: g.affine ? fc.array(finiteValues, { minLength: C, maxLength: C }) : fc.constant(null),
      beta: g.affine ? fc.array(finiteValues, { minLength: C, maxLength: C }) : fc.constant(null),
      eps: fc.constant(g.eps),
      dy: fc.array(finiteValues, { minLength: n, maxLength: n }),
      corrupt: fc.constant(g.corrupt),
    });
  })
  .map((c) => {
    let bad: Bad | undefined;
    const validEps = typeof c.eps === 'number' && c.eps >= 0 && Number.isFinite(c.eps);
    if (!validEps && c.eps !== null && c.corrupt === null) bad = badValue('eps', c.eps);
    else if (!validEps && c.corrupt !== null) return { ...c, eps: 1e-5, bad: corruptBad(c) };
    else bad = corruptBad(c);
    return { ...c, bad };
  });

function corruptBad(c: ForwardCase): Bad | undefined {
  let bad: Bad | undefined;
  if (c.corrupt === 'x-length') bad = { arg: 'x', value: c.x.length + 1 };
  else if (c.corrupt === 'gamma-length' && c.gamma !== null)
    bad = { arg: 'gamma', value: c.gamma.length + 1 };
  else if (c.corrupt === 'rank') bad = { arg: 'rank', value: 1 };
  else if (c.corrupt === 'zero-dim') bad = { arg: 'dimension', value: 0 };
  else if (c.corrupt === 'huge') bad = { arg: '', value: 2 ** 20, skipValue: true };
  return bad;
}

function applyCorruption(c: ForwardCase): {
  x: Float32Array | Float64Array;
  shape: number[];
  gamma: Float32Array | Float64Array | null;
} {
  let x = arr(c.dtype, c.x);
  let shape = c.shape;
  let gamma = c.gamma === null ? null : arr(c.dtype, c.gamma);
  if (c.corrupt === 'x-length') x = arr(c.dtype, [...c.x, 0]);
  if (c.corrupt === 'gamma-length' && c.gamma !== null) gamma = arr(c.dtype, [...c.gamma, 1]);
  if (c.corrupt === 'rank') shape = [sizeOf(c.shape)];
  if (c.corrupt === 'zero-dim') shape = [0, ...c.shape.slice(1)];
  if (c.corrupt === 'huge') shape = [2 ** 20, 2 ** 20, c.shape[c.shape.length - 1]];
  return { x, shape, gamma };
}

const forwardTarget: Target<ForwardCase> = {
  pkg: PKG,
  name: 'batchNormForward',
  variant: 'ranks 2-4, affine or not, eps, bad lengths/ranks/eps, huge shapes, NaN/±∞ vs reference',
  weight: 3,
  arb: forwardArb,
  run: (c) => {
    useKernels(c.kernels);
    const { x, shape, gamma } = applyCorruption(c);
    const beta = c.beta === null ? null : arr(c.dtype, c.beta);
    const res = bn.batchNormForward(x, shape, { gamma, beta, eps: c.eps as number });
    if (c.bad !== undefined) return;
    const C = shape[shape.length - 1];
    const count = x.length / C;
    check(count > 1, 'm = 1 accepted in training mode');
    const eps = (c.eps ?? 1e-5) as number;
    const ref = refForward(x, count, C, eps, gamma, beta);
    if (c.corrupt === 'special') {
      check(res.output.length === x.length, 'output length');
      return;
    }
    near(res.output, ref.y, c.dtype, 'output', 10);
    near(res.cache.mean, ref.mean, 'float64', 'mean');
    // backward of the same cache vs the handout's gradients
    const dy = arr(c.dtype, c.dy);
    const g = bn.batchNormBackward(dy, res.cache, { gamma });
    const want = refBackward(dy, ref, count, C, eps, gamma);
    const scale = 1 / Math.sqrt(eps) + 10;
    near(g.dx as ArrayLike<number>, want.dx, c.dtype, 'dx', scale * count);
    near(g.dBeta as ArrayLike<number>, want.dBeta, c.dtype, 'dBeta', count * 4);
    near(g.dGamma as ArrayLike<number>, want.dGamma, c.dtype, 'dGamma', count * scale * 4);
  },
};

const inferenceTarget: Target<ForwardCase & { rm: number[]; rv: number[] }> = {
  pkg: PKG,
  name: 'batchNormInference',
  variant: 'running statistics (negative variance too) vs reference, bad lengths',
  weight: 2,
  arb: forwardArb.chain((c) => {
    const C = c.shape[c.shape.length - 1];
    return fc
      .record({
        rm: fc.array(finiteValues, { minLength: C, maxLength: C }),
        rv: fc.array(fc.oneof(fc.double({ min: 0, max: 4, noNaN: true }), fc.constant(-1)), {
          minLength: C,
          maxLength: C,
        }),
      })
      .map((r) => ({ ...c, ...r }));
  }),
  run: (c) => {
    useKernels(c.kernels);
    const { x, shape, gamma } = applyCorruption(c);
    const beta = c.beta === null ? null : arr(c.dtype, c.beta);
    const runningMean = arr(c.dtype, c.rm);
    const runningVar = arr(c.dtype, c.rv);
    const res = bn.batchNormInference(x, shape, {
      gamma,
      beta,
      eps: c.eps as number,
      runningMean,
      runningVar,
    });
    if (c.bad !== undefined) return;
    const eps = (c.eps ?? 1e-5) as number;
    const C = shape[shape.length - 1];
    const ref = refForward(x, x.length / C, C, eps, gamma, beta, { mean: runningMean, variance: runningVar });
    if (c.corrupt === 'special') return;
    // A negative running variance below −eps has no real normalisation: NaN is PyTorch's answer too.
    if (c.rv.some((v) => v + eps < 0)) return;
    near(res.output, ref.y, c.dtype, 'output', (1 / Math.sqrt(eps)) * 10);
  },
};

const updateTarget: Target<{ c: ForwardCase; momentum: unknown; rm: number[]; rv: number[] }> = {
  pkg: PKG,
  name: 'updateRunningStatistics',
  variant: 'momentum in and out of [0, 1], PyTorch update (unbiased variance)',
  arb: fc.record({
    c: forwardArb.filter((c) => c.bad === undefined && c.corrupt !== 'special'),
    momentum: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), junk),
    rm: fc.array(finiteValues, { minLength: 4, maxLength: 4 }),
    rv: fc.array(fc.double({ min: 0, max: 4, noNaN: true }), { minLength: 4, maxLength: 4 }),
  }),
  run: ({ c, momentum, rm, rv }) => {
    const x = arr(c.dtype, c.x);
    const C = c.shape[c.shape.length - 1];
    const res = bn.batchNormForward(x, c.shape, { eps: c.eps as number });
    const runningMean = arr(c.dtype, rm.slice(0, C).concat(Array(Math.max(0, C - 4)).fill(0)));
    const runningVar = arr(c.dtype, rv.slice(0, C).concat(Array(Math.max(0, C - 4)).fill(1)));
    const m0 = Array.from(runningMean);
    const v0 = Array.from(runningVar);
    bn.updateRunningStatistics(runningMean, runningVar, res.cache, momentum as number);
    const m = momentum as number;
    const count = x.length / C;
    const ref = refForward(x, count, C, 1e-5, null, null);
    near(
      runningMean,
      m0.map((v, i) => (1 - m) * v + m * ref.mean[i]),
      c.dtype,
      'runningMean',
      4,
    );
    near(
      runningVar,
      v0.map((v, i) => (1 - m) * v + (m * ref.variance[i] * count) / (count - 1)),
      c.dtype,
      'runningVar',
      16,
    );
  },
};

const backwardJunkTarget: Target<{ dy: unknown; cache: unknown; options: unknown }> = {
  pkg: PKG,
  name: 'batchNormBackward',
  variant: 'junk dy / cache / options, wrong lengths, eval or in-place caches',
  arb: fc.record({
    dy: fc.oneof(
      junk,
      fc.constantFrom<unknown>(new Float64Array(6), new Float64Array(5), new Float32Array(6)),
    ),
    cache: fc.oneof(junk, fc.constantFrom<unknown>('train', 'eval', 'inplace', 'fresh')),
    options: fc.oneof(
      fc.constant(undefined),
      junk,
      fc.constantFrom<unknown>(
        { gamma: new Float64Array(3) },
        { gamma: new Float64Array(2) },
        { dx: new Float64Array(1) },
      ),
    ),
  }),
  run: (c) => {
    const x = Float64Array.from([1, 2, 3, 4, 5, 7]);
    let cache: unknown = c.cache;
    if (c.cache === 'train') cache = bn.batchNormForward(x, [2, 3]).cache;
    if (c.cache === 'eval')
      cache = bn.batchNormInference(x, [2, 3], {
        runningMean: new Float64Array(3),
        runningVar: new Float64Array(3).fill(1),
      }).cache;
    if (c.cache === 'inplace') cache = bn.batchNormForward(x.slice(), [2, 3], { out: undefined }).cache;
    if (c.cache === 'fresh') cache = new bn.BatchNormCache(3);
    const g = bn.batchNormBackward(
      c.dy as Float64Array,
      cache as bn.BatchNormCache,
      c.options as bn.BatchNormBackwardOptions,
    );
    if (g.dx !== undefined && g.dx !== null)
      check(Array.from(g.dx as ArrayLike<number>).every(Number.isFinite), 'finite dx');
  },
};

const batchNormTarget: Target<{ c: ForwardCase; training: boolean; grad: boolean; momentum: unknown }> = {
  pkg: PKG,
  name: 'batchNorm',
  variant: 'autograd op: training / eval, running statistics, backward shapes',
  weight: 2,
  arb: fc.record({
    c: forwardArb,
    training: fc.boolean(),
    grad: fc.boolean(),
    momentum: fc.oneof(
      { weight: 5, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
      { weight: 1, arbitrary: junk },
    ),
  }),
  run: ({ c, training, grad, momentum }) => {
    useKernels(c.kernels);
    const { x, shape, gamma } = applyCorruption(c);
    if (c.corrupt === 'huge') return; // covered by batchNormForward (a Tensor of that shape cannot exist)
    const C = shape[shape.length - 1];
    const xt = new core.Tensor(x, shape, { requiresGrad: grad });
    const rm = new core.Tensor(arr(c.dtype, new Array(C).fill(0)), [C]);
    const rv = new core.Tensor(arr(c.dtype, new Array(C).fill(1)), [C]);
    const weight = gamma === null ? null : new core.Tensor(gamma, [gamma.length], { requiresGrad: grad });
    const y = bn.batchNorm(xt, {
      training,
      runningMean: rm,
      runningVar: rv,
      weight,
      momentum: momentum as number,
      eps: c.eps as number,
    });
    if (c.bad !== undefined) return;
    check(
      y.shape.every((d, i) => d === shape[i]),
      'shape kept',
    );
    if (c.corrupt !== 'special') check(y.data.every(Number.isFinite), 'finite output for finite input');
    if (grad) {
      y.backward(core.onesLike(y));
      check(xt.grad !== null && xt.grad.size === xt.size, 'x gradient');
    }
  },
};

interface PoolFuseCase {
  kernels: 'ts' | 'wasm';
  shape: number[];
  pool: Record<string, unknown>;
  relu: boolean;
  training: boolean;
  resident: boolean;
  seed: number;
  bad?: Bad;
}

/**
 * batchNorm's fused max pool against the composition maxPool2d(batchNorm(x, …)): the same bits forward and backward
 * (x, γ, β gradients), inside tidy (the one-pass loop where it applies) and outside; bad pool options as maxPool2d.
 */
const fusedPoolTarget: Target<PoolFuseCase> = {
  pkg: PKG,
  name: 'batchNorm',
  variant:
    'maxPool2d option: bits vs maxPool2d(batchNorm(x)), ± ReLU, train / eval, in and out of tidy, bad pools',
  weight: 2,
  arb: fc
    .record({
      kernels: kernelsArb,
      shape: fc.tuple(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 17 }),
        fc.integer({ min: 1, max: 17 }),
        fc.constantFrom(1, 3, 4, 8, 12),
      ),
      k: fc.integer({ min: 1, max: 3 }),
      stride: fc.option(fc.integer({ min: 1, max: 3 })),
      padding: fc.integer({ min: 0, max: 1 }),
      ceilMode: fc.boolean(),
      relu: fc.boolean(),
      training: fc.boolean(),
      resident: fc.boolean(),
      seed: fc.nat(),
      corrupt: fc.option(badPositiveInt, { freq: 6 }),
    })
    .map((g) => {
      const pool: Record<string, unknown> = { kernelSize: g.k, padding: g.padding, ceilMode: g.ceilMode };
      if (g.stride !== null) pool.stride = g.stride;
      let bad: Bad | undefined;
      if (g.corrupt !== null) {
        pool.kernelSize = g.corrupt;
        bad = badValue('kernelSize', g.corrupt);
      }
      const { kernels, shape, relu, training, resident, seed } = g;
      return { kernels, shape: [...shape], pool, relu, training, resident, seed, bad };
    }),
  run: (c) => {
    useKernels(c.kernels);
    const [N, H, W, C] = c.shape;
    const size = N * H * W * C;
    let s = c.seed >>> 0;
    const rnd = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    // Coarse values: ties inside windows are common.
    const xs = Float32Array.from({ length: size }, () => Math.round(rnd() * 8) / 4 - 1);
    const gs = Float32Array.from({ length: 4 * C }, () => rnd() - 0.5);
    const side = (fused: boolean) => {
      const x = new core.Tensor(xs.slice(), c.shape, { requiresGrad: true });
      const weight = new core.Tensor(gs.slice(0, C), [C], { requiresGrad: true });
      const bias = new core.Tensor(gs.slice(C, 2 * C), [C], { requiresGrad: true });
      const runningMean = new core.Tensor(gs.slice(2 * C, 3 * C), [C]);
      const runningVar = new core.Tensor(
        Float32Array.from(gs.slice(3 * C), (v) => v + 1),
        [C],
      );
      const options = { weight, bias, runningMean, runningVar, training: c.training, relu: c.relu };
      const step = () => {
        const h = core.neg(core.neg(x));
        const pool = c.pool as unknown as core.Pool2dOptions;
        const y = fused
          ? bn.batchNorm(h, { ...options, maxPool2d: pool })
          : core.maxPool2d(bn.batchNorm(h, options), pool);
        y.backward(core.onesLike(y));
        return { shape: y.shape.join(), y: Array.from(y.data) };
      };
      const out = c.resident ? core.tidy(step) : step();
      const grads = [x, weight, bias].map((t) => Array.from(t.grad?.data ?? []));
      return { ...out, grads, rm: Array.from(runningMean.data), rv: Array.from(runningVar.data) };
    };
    // m = 1 is rejected in training mode (covered by batchNormForward); a bad pool is reported before that.
    if (c.bad === undefined && c.training && N * H * W < 2) return;
    let plain: ReturnType<typeof side>;
    try {
      plain = side(false);
    } catch {
      // An invalid pooling: the fused op must throw too (the harness checks its error names the argument).
      side(true);
      check(false, () => `fused op accepted a pooling that maxPool2d rejects: ${JSON.stringify(c.pool)}`);
      return;
    }
    const fused = side(true);
    const same = (a: number[], b: number[]) =>
      a.length === b.length &&
      a.every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i])));
    check(fused.shape === plain.shape, () => `shape ${fused.shape} vs ${plain.shape}`);
    check(same(fused.y, plain.y), 'output bits differ from maxPool2d(batchNorm(x))');
    for (let i = 0; i < 3; i++)
      check(same(fused.grads[i], plain.grads[i]), () => `gradient ${i} bits differ`);
    check(same(fused.rm, plain.rm) && same(fused.rv, plain.rv), 'running statistics differ');
  },
};

type Layer = 'BatchNorm1d' | 'BatchNorm2d';

const layerTarget = (
  name: Layer,
): Target<{ n: unknown; options: unknown; shape: number[]; call: string; seed: number }> => ({
  pkg: PKG,
  name,
  variant: 'numFeatures valid/bad/huge, junk options, forward train/eval, reset methods, momentum null',
  weight: 2,
  arb: fc.record({
    n: fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 1, max: 4 }) },
      { weight: 1, arbitrary: badPositiveInt },
      { weight: 1, arbitrary: fc.constantFrom(2 ** 33) },
    ),
    options: fc.oneof(
      fc.constant(undefined),
      fc.record({
        eps: fc.constantFrom(1e-5, 1e-3),
        momentum: fc.constantFrom<number | null>(0.1, null, 1),
        affine: fc.boolean(),
        trackRunningStats: fc.boolean(),
        dtype: fc.constantFrom('float32', 'float64'),
      }),
      fc.constantFrom<unknown>(
        null,
        3,
        { eps: -1 },
        { momentum: 2 },
        { momentum: Number.NaN },
        { affine: 'yes' },
        { dtype: 'int8' },
      ),
    ),
    shape: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
    call: fc.constantFrom('forward', 'forward', 'eval', 'reset', 'toString', 'junk-input'),
    seed: fc.nat(),
  }),
  run: (c) => {
    const Cls = name === 'BatchNorm1d' ? bn.BatchNorm1d : bn.BatchNorm2d;
    const m = new Cls(c.n as number, c.options as never);
    const C = c.n as number;
    const dtype = ((c.options as { dtype?: DType } | undefined)?.dtype ?? 'float32') as DType;
    const shape =
      name === 'BatchNorm2d'
        ? [2, c.shape[0], c.shape[1] ?? 1, C]
        : c.shape.length > 1
          ? [2, C]
          : [2, c.shape[0], C];
    if (c.call === 'toString') {
      check(m.toString().startsWith(name), 'toString');
      return;
    }
    if (c.call === 'reset') {
      m.resetRunningStats();
      m.resetParameters();
      return;
    }
    if (c.call === 'junk-input') {
      m.forward(c.options as core.Tensor);
      return;
    }
    if (c.call === 'eval') m.eval();
    const x = core.uniform(shape, -2, 2, { rng: new core.Rng(c.seed), dtype, requiresGrad: true });
    const y = m.forward(x);
    check(
      y.shape.every((d, i) => d === shape[i]),
      'shape kept',
    );
    check(y.data.every(Number.isFinite), 'finite output');
    core.sum(y).backward();
    check(x.grad !== null, 'x gradient');
  },
});

const baseTarget: Target<{ n: number; momentum: unknown }> = {
  pkg: PKG,
  name: 'BatchNormBase',
  variant: 'the shared base: public writable momentum set to junk, then forward',
  arb: fc.record({
    n: fc.integer({ min: 1, max: 3 }),
    momentum: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(null), junk),
  }),
  run: ({ n, momentum }) => {
    const m: bn.BatchNormBase = new bn.BatchNorm1d(n);
    check(m instanceof bn.BatchNormBase, 'subclass');
    m.momentum = momentum as number;
    const y = m.forward(core.uniform([3, n], -1, 1, { rng: new core.Rng(1) }));
    check(y.data.every(Number.isFinite), 'finite');
    check(m.runningMean?.data.every(Number.isFinite), 'finite running mean');
  },
};

const cacheTarget: Target<{ channels: unknown }> = {
  pkg: PKG,
  name: 'BatchNormCache',
  variant: 'valid, bad and huge channel counts',
  arb: fc.record({
    channels: fc.oneof(
      fc.integer({ min: 1, max: 8 }),
      badPositiveInt,
      hugeShape.map((s) => s[0] * (s[1] ?? 1)),
    ),
  }),
  run: ({ channels }) => {
    const cache = new bn.BatchNormCache(channels as number);
    check(cache.mean.length === channels, 'one mean per channel');
  },
};

const fnAny = (f: unknown) => f as (...a: unknown[]) => unknown;

export const batchnormTargets: Target<never>[] = [
  forwardTarget,
  inferenceTarget,
  updateTarget,
  backwardJunkTarget,
  batchNormTarget,
  fusedPoolTarget,
  layerTarget('BatchNorm1d'),
  layerTarget('BatchNorm2d'),
  baseTarget,
  cacheTarget,
  junkTarget(PKG, 'batchNormForward', fnAny(bn.batchNormForward), [
    fc.constant(new Float64Array(6)),
    fc.constant([2, 3]),
    fc.constant({}),
  ]),
  junkTarget(PKG, 'batchNormInference', fnAny(bn.batchNormInference), [
    fc.constant(new Float64Array(6)),
    fc.constant([2, 3]),
    fc.constant({ runningMean: new Float64Array(3), runningVar: new Float64Array(3) }),
  ]),
  junkTarget(PKG, 'updateRunningStatistics', fnAny(bn.updateRunningStatistics), [
    fc.constant(new Float64Array(3)),
    fc.constant(new Float64Array(3)),
    fc.constant(new bn.BatchNormCache(3)),
    fc.constant(0.1),
  ]),
  junkTarget(PKG, 'batchNorm', fnAny(bn.batchNorm), [
    fc.constant(core.ones([2, 3])),
    fc.constant({ training: true }),
  ]),
] as Target<never>[];
