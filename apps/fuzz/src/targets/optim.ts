/**
 * Fuzz targets of @hw3/optim: SGD / Adam / AdamW / Adagrad / RMSprop against step-by-step references of
 * PyTorch's update rules, bad hyperparameters, mismatched gradients, NaN gradients, state dict round trips and
 * corruptions; transformations, clipping, schedules (finite and non-negative, whatever the step convention),
 * state JSON, ReduceOnPlateau.
 */

import fc from 'fast-check';
import * as optim from '../entries/optim';
import { badValue, close, junk, junkTarget, nonFinite } from '../gen';
import { type Bad, check, type Target } from '../harness';

const PKG = '@hw3/optim' as const;
type DType = 'float32' | 'float64';
type Name = 'SGD' | 'Adam' | 'AdamW' | 'Adagrad' | 'RMSprop';

const arr = (dtype: DType, v: readonly number[]) =>
  dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v);
const val = fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true });

interface OptCase {
  name: Name;
  dtype: DType;
  params: number[][];
  grads: (number[] | null)[][]; // per step, per param
  options: Record<string, unknown>;
  bad?: Bad;
  gradCorrupt: 'none' | 'length' | 'nan';
}

const optionsFor = (name: Name): fc.Arbitrary<Record<string, unknown>> => {
  const lr = fc.double({ min: 1e-4, max: 0.5, noNaN: true });
  const wd = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true }));
  switch (name) {
    case 'SGD':
      return fc
        .record({
          lr,
          momentum: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.95, noNaN: true })),
          dampening: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.5, noNaN: true })),
          weightDecay: wd,
          nesterov: fc.boolean(),
          maximize: fc.boolean(),
        })
        .map((o) => (o.nesterov && (o.momentum === 0 || o.dampening !== 0) ? { ...o, nesterov: false } : o));
    case 'Adam':
    case 'AdamW':
      return fc.record({
        lr,
        betas: fc.tuple(
          fc.double({ min: 0, max: 0.95, noNaN: true }),
          fc.double({ min: 0.5, max: 0.999, noNaN: true }),
        ),
        eps: fc.constantFrom(1e-8, 1e-6, 0.1),
        weightDecay: wd,
        amsgrad: fc.boolean(),
        maximize: fc.boolean(),
      });
    case 'Adagrad':
      return fc.record({
        lr,
        lrDecay: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true })),
        weightDecay: wd,
        initialAccumulatorValue: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
        eps: fc.constantFrom(1e-10, 1e-6),
        maximize: fc.boolean(),
      });
    case 'RMSprop':
      return fc.record({
        lr,
        alpha: fc.double({ min: 0.5, max: 0.99, noNaN: true }),
        eps: fc.constantFrom(1e-8, 1e-4),
        weightDecay: wd,
        momentum: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.9, noNaN: true })),
        centered: fc.boolean(),
        maximize: fc.boolean(),
      });
  }
};

/** Definitely-invalid values per hyperparameter (names as in the message). */
const BAD: Record<string, fc.Arbitrary<unknown>> = {
  lr: fc.constantFrom<unknown>(-0.1, Number.NaN, Number.POSITIVE_INFINITY, '0.1', null),
  momentum: fc.constantFrom<unknown>(-1, Number.NaN, 'x'),
  dampening: fc.constantFrom<unknown>(-0.5, 1.5, Number.NaN),
  weightDecay: fc.constantFrom<unknown>(-1, Number.NaN, Number.NEGATIVE_INFINITY),
  eps: fc.constantFrom<unknown>(-1e-8, Number.NaN, Number.POSITIVE_INFINITY),
  alpha: fc.constantFrom<unknown>(-0.1, 1.5, Number.NaN),
  lrDecay: fc.constantFrom<unknown>(-1, Number.NaN),
  initialAccumulatorValue: fc.constantFrom<unknown>(-1, Number.NaN),
  betas: fc.constantFrom<unknown>([1, 0.999], [-0.1, 0.9], [0.9, 1.5], [Number.NaN, 0.9], [0.9], 'x'),
};

const optCaseArb = (optName: Name): fc.Arbitrary<OptCase> =>
  fc
    .constant(optName)
    .chain((name) =>
      fc.record({
        name: fc.constant(name),
        dtype: fc.constantFrom<DType>('float32', 'float64'),
        lengths: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 }),
        steps: fc.integer({ min: 1, max: 4 }),
        options: optionsFor(name),
        corrupt: fc.option(fc.constantFrom(...Object.keys(BAD)), { freq: 4 }),
        badValueSeed: fc.nat(),
        gradCorrupt: fc.constantFrom<'none' | 'length' | 'nan'>(
          'none',
          'none',
          'none',
          'none',
          'length',
          'nan',
        ),
      }),
    )
    .chain((g) =>
      fc.record({
        g: fc.constant(g),
        params: fc.tuple(...g.lengths.map((n) => fc.array(val, { minLength: n, maxLength: n }))),
        grads: fc.array(
          fc.tuple(
            ...g.lengths.map((n) => fc.option(fc.array(val, { minLength: n, maxLength: n }), { freq: 6 })),
          ),
          { minLength: g.steps, maxLength: g.steps },
        ),
        badValue: g.corrupt === null ? fc.constant(undefined) : BAD[g.corrupt],
      }),
    )
    .map(({ g, params, grads, badValue: bv }) => {
      const options = { ...g.options };
      let bad: Bad | undefined;
      if (g.corrupt !== null && (g.corrupt in options || g.corrupt === 'betas')) {
        const key = g.corrupt === 'betas' && !('betas' in options) ? null : g.corrupt;
        if (key !== null && !(bv === null && key !== 'lr')) {
          options[key] = bv;
          const arg = key === 'betas' ? 'beta' : key;
          bad = Array.isArray(bv) ? { arg, value: bv, skipValue: true } : badValue(arg, bv);
          if (bv === null) bad = undefined; // null: default or refused, both fine
        }
      }
      return {
        name: g.name,
        dtype: g.dtype,
        params: params as number[][],
        grads: grads as (number[] | null)[][],
        options,
        bad,
        gradCorrupt: g.gradCorrupt,
      };
    });

/** One step of PyTorch's update rule for one parameter (float64). State is per parameter. */
function refStep(
  name: Name,
  o: Record<string, unknown>,
  p: number[],
  g0: number[],
  st: Record<string, number[] | number>,
  _t: number,
): void {
  const lr = o.lr as number;
  const wd = (o.weightDecay as number | undefined) ?? (name === 'AdamW' ? 1e-2 : 0);
  let g = o.maximize ? g0.map((v) => -v) : [...g0];
  if (name === 'SGD') {
    const m = o.momentum as number;
    const d = o.dampening as number;
    if (wd !== 0) g = g.map((v, i) => v + wd * p[i]);
    if (m !== 0) {
      const buf = st.buf as number[] | undefined;
      const nb = buf === undefined ? [...g] : buf.map((b, i) => m * b + (1 - d) * g[i]);
      st.buf = nb;
      g = o.nesterov ? g.map((v, i) => v + m * nb[i]) : nb;
    }
    for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
    return;
  }
  if (name === 'Adam' || name === 'AdamW') {
    const [b1, b2] = o.betas as [number, number];
    const eps = o.eps as number;
    if (name === 'AdamW') for (let i = 0; i < p.length; i++) p[i] *= 1 - lr * wd;
    else if (wd !== 0) g = g.map((v, i) => v + wd * p[i]);
    const m = (st.m as number[] | undefined) ?? new Array<number>(p.length).fill(0);
    const v = (st.v as number[] | undefined) ?? new Array<number>(p.length).fill(0);
    const vmax = (st.vmax as number[] | undefined) ?? new Array<number>(p.length).fill(0);
    const tt = ((st.t as number | undefined) ?? 0) + 1;
    st.t = tt;
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      vmax[i] = Math.max(vmax[i], v[i]);
      const bc1 = 1 - b1 ** tt;
      const bc2 = 1 - b2 ** tt;
      const denom = Math.sqrt((o.amsgrad ? vmax[i] : v[i]) / bc2) + eps;
      p[i] -= (lr * (m[i] / bc1)) / denom;
    }
    Object.assign(st, { m, v, vmax });
    return;
  }
  if (name === 'Adagrad') {
    const tt = ((st.t as number | undefined) ?? 0) + 1;
    st.t = tt;
    const clr = lr / (1 + (tt - 1) * (o.lrDecay as number));
    if (wd !== 0) g = g.map((v, i) => v + wd * p[i]);
    const s =
      (st.sum as number[] | undefined) ??
      new Array<number>(p.length).fill(o.initialAccumulatorValue as number);
    for (let i = 0; i < p.length; i++) {
      s[i] += g[i] * g[i];
      p[i] -= (clr * g[i]) / (Math.sqrt(s[i]) + (o.eps as number));
    }
    st.sum = s;
    return;
  }
  // RMSprop
  const alpha = o.alpha as number;
  const eps = o.eps as number;
  const mom = o.momentum as number;
  if (wd !== 0) g = g.map((v, i) => v + wd * p[i]);
  const sq = (st.sq as number[] | undefined) ?? new Array<number>(p.length).fill(0);
  const ga = (st.ga as number[] | undefined) ?? new Array<number>(p.length).fill(0);
  const buf = (st.buf as number[] | undefined) ?? new Array<number>(p.length).fill(0);
  for (let i = 0; i < p.length; i++) {
    sq[i] = alpha * sq[i] + (1 - alpha) * g[i] * g[i];
    let avg: number;
    if (o.centered) {
      ga[i] = alpha * ga[i] + (1 - alpha) * g[i];
      avg = Math.sqrt(sq[i] - ga[i] * ga[i]) + eps;
    } else avg = Math.sqrt(sq[i]) + eps;
    if (mom > 0) {
      buf[i] = mom * buf[i] + g[i] / avg;
      p[i] -= lr * buf[i];
    } else p[i] -= (lr * g[i]) / avg;
  }
  Object.assign(st, { sq, ga, buf });
}

function construct(name: Name, params: unknown, options: unknown): optim.Optimizer<never, never, never> {
  const C = {
    SGD: optim.SGD,
    Adam: optim.Adam,
    AdamW: optim.AdamW,
    Adagrad: optim.Adagrad,
    RMSprop: optim.RMSprop,
  }[name];
  return new (C as unknown as new (p: unknown, o: unknown) => optim.Optimizer<never, never, never>)(
    params,
    options,
  );
}

function optimizerTarget(name: Name): Target<OptCase> {
  return {
    pkg: PKG,
    name,
    variant:
      'steps vs PyTorch update rule, bad hyperparameters, missing / mismatched / NaN gradients, state dict round trip',
    weight: 3,
    arb: optCaseArb(name),
    run: (c) => {
      const params = c.params.map((v) => ({
        data: arr(c.dtype, v),
        grad: null as Float32Array | Float64Array | null,
      }));
      const opt = construct(name, params, c.options);
      if (c.bad !== undefined) return;
      const ref = c.params.map((v) => [...Array.from(arr(c.dtype, v))]);
      const states = c.params.map(() => ({}) as Record<string, number[] | number>);
      for (const [t, step] of c.grads.entries()) {
        step.forEach((g, i) => {
          if (g === null) params[i].grad = null;
          else {
            let gv = g;
            if (c.gradCorrupt === 'length' && i === 0) gv = [...g, 1];
            if (c.gradCorrupt === 'nan' && i === 0 && g.length > 0) gv = [Number.NaN, ...g.slice(1)];
            params[i].grad = arr(c.dtype, gv);
          }
        });
        opt.step();
        if (c.gradCorrupt === 'length' && step[0] !== null) {
          check(false, 'a gradient longer than its parameter was accepted');
        }
        step.forEach((g, i) => {
          if (g !== null)
            refStep(
              name,
              c.options,
              ref[i],
              Array.from(params[i].grad as ArrayLike<number>),
              states[i],
              t + 1,
            );
        });
      }
      if (c.gradCorrupt === 'nan') return; // NaN gradients propagate (PyTorch); not finite input
      const tol = c.dtype === 'float32' ? 2e-4 : 1e-9;
      params.forEach((p, i) => {
        for (let k = 0; k < p.data.length; k++) {
          check(
            Number.isFinite(p.data[k]),
            () => `${name}: parameter ${i}[${k}] = ${p.data[k]} from finite input`,
          );
          check(
            close(p.data[k], ref[i][k], tol, tol * 10),
            () => `${name}: parameter ${i}[${k}] = ${p.data[k]}, reference ${ref[i][k]}`,
          );
        }
      });
      // state dict round trip: a fresh optimizer loaded from it continues identically
      const sd = JSON.parse(JSON.stringify(opt.stateDict()));
      const params2 = params.map((p) => ({
        data: p.data.slice(),
        grad: p.grad === null ? null : p.grad.slice(),
      }));
      const opt2 = construct(name, params2, c.options);
      opt2.loadStateDict(sd);
      opt.step();
      opt2.step();
      params.forEach((p, i) => {
        for (let k = 0; k < p.data.length; k++)
          check(
            Object.is(p.data[k], params2[i].data[k]),
            () => `${name}: state dict round trip differs at ${i}[${k}]`,
          );
      });
    },
  };
}

const stateDictCorruptTarget: Target<{ name: Name; corruption: string; junkValue: unknown }> = {
  pkg: PKG,
  name: 'Optimizer',
  variant: 'loadStateDict with corrupted state dicts; zeroGrad; addParamGroup with bad groups; junk params',
  weight: 2,
  arb: fc.record({
    name: fc.constantFrom<Name>('SGD', 'Adam', 'AdamW', 'Adagrad', 'RMSprop'),
    corruption: fc.constantFrom(
      'none',
      'junk',
      'drop-state',
      'wrong-length',
      'nan-state',
      'extra-group',
      'bad-lr',
      'add-group',
      'add-duplicate',
      'junk-params',
      'zero-grad',
      'custom-spec',
    ),
    junkValue: junk,
  }),
  run: (c) => {
    const params = [
      { data: Float64Array.from([1, 2, 3]), grad: Float64Array.from([0.1, -0.2, 0.3]) },
      { data: Float64Array.from([4]), grad: Float64Array.from([1]) },
    ];
    if (c.corruption === 'junk-params') {
      construct(c.name, c.junkValue, {});
      return;
    }
    if (c.corruption === 'custom-spec') {
      new optim.Optimizer(c.junkValue as never, params, {} as never);
      return;
    }
    const opt = construct(c.name, params, c.name === 'SGD' ? { lr: 0.1, momentum: 0.9 } : { lr: 0.1 });
    opt.step();
    if (c.corruption === 'zero-grad') {
      opt.zeroGrad(c.junkValue as never);
      check(
        params.every((p) => p.grad === null || p.grad.every((v) => v === 0)),
        'zeroed',
      );
      return;
    }
    if (c.corruption === 'add-group') {
      opt.addParamGroup(c.junkValue as never);
      return;
    }
    if (c.corruption === 'add-duplicate') {
      opt.addParamGroup({ params: [params[0]] } as never);
      return;
    }
    const sd = JSON.parse(JSON.stringify(opt.stateDict())) as Record<string, unknown>;
    const state = sd.state as Record<string, Record<string, unknown>> | undefined;
    const first = state === undefined ? undefined : Object.values(state)[0];
    const key =
      first === undefined
        ? undefined
        : Object.keys(first).find((k) => Array.isArray(first[k]) || typeof first[k] === 'object');
    switch (c.corruption) {
      case 'junk':
        opt.loadStateDict(c.junkValue as never);
        return;
      case 'drop-state':
        delete sd.state;
        break;
      case 'wrong-length':
        if (first !== undefined && key !== undefined) first[key] = [1, 2];
        break;
      case 'nan-state':
        if (first !== undefined && key !== undefined) first[key] = c.junkValue;
        break;
      case 'extra-group':
        (sd.paramGroups as unknown[]).push({ lr: 0.1, params: [7] });
        break;
      case 'bad-lr':
        (sd.paramGroups as Record<string, unknown>[])[0].lr = c.junkValue;
        break;
    }
    opt.loadStateDict(sd as never);
    opt.step();
    for (const p of params) check(p.data.every(Number.isFinite), 'finite after loading');
  },
};

// ---- transformations ----

type TfName =
  | 'scale'
  | 'scaleByLearningRate'
  | 'addDecayedWeights'
  | 'trace'
  | 'scaleByAdam'
  | 'scaleByRms'
  | 'scaleByAdagrad'
  | 'clipByGlobalNorm'
  | 'clipByValue'
  | 'chain';

const tfTarget = (
  name: TfName,
): Target<{
  arg: unknown;
  params: number[][];
  updates: (number[] | null)[];
  steps: number;
  corrupt: string;
}> => ({
  pkg: PKG,
  name,
  variant: 'valid and junk hyperparameters, init/update on matching, null and mismatched updates',
  arb: fc
    .record({
      arg: fc.oneof(
        { weight: 4, arbitrary: fc.double({ min: 0, max: 0.9, noNaN: true }) },
        { weight: 1, arbitrary: junk },
      ),
      params: fc.array(fc.array(val, { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
      updates: fc.constant([]),
      steps: fc.integer({ min: 1, max: 3 }),
      // (update's state is opaque — whatever init returned — so it is not fuzzed with junk)
      corrupt: fc.constantFrom('none', 'none', 'none', 'length', 'null-update'),
    })
    .chain((c) =>
      fc
        .tuple(
          ...c.params.map((p) =>
            fc.option(fc.array(val, { minLength: p.length, maxLength: p.length }), { freq: 5 }),
          ),
        )
        .map((u) => ({ ...c, updates: u as (number[] | null)[] })),
    ),
  run: (c) => {
    const a = c.arg as number;
    const tf: optim.GradientTransformation =
      name === 'scale'
        ? optim.scale(a)
        : name === 'scaleByLearningRate'
          ? optim.scaleByLearningRate(a)
          : name === 'addDecayedWeights'
            ? optim.addDecayedWeights(a)
            : name === 'trace'
              ? optim.trace({ momentum: a })
              : name === 'scaleByAdam'
                ? optim.scaleByAdam({ beta1: a })
                : name === 'scaleByRms'
                  ? optim.scaleByRms({ decay: a } as never)
                  : name === 'scaleByAdagrad'
                    ? optim.scaleByAdagrad({ eps: a } as never)
                    : name === 'clipByGlobalNorm'
                      ? optim.clipByGlobalNorm(a)
                      : name === 'clipByValue'
                        ? optim.clipByValue(a)
                        : optim.chain(
                            optim.scale(a),
                            optim.scaleByAdam(),
                            c.arg === 'x' ? (c.arg as never) : optim.trace({ momentum: 0 }),
                          );
    const params = c.params.map((p) => Float64Array.from(p));
    const state = tf.init(params);
    for (let s = 0; s < c.steps; s++) {
      const updates: (Float64Array | null)[] = c.updates.map((u) =>
        u === null ? null : Float64Array.from(u),
      );
      if (c.corrupt === 'length' && updates[0] !== null) updates[0] = Float64Array.from([...updates[0], 1]);
      if (c.corrupt === 'null-update') updates[0] = null;
      tf.update(updates, state as never, params);
      // finite updates for finite input and moderate hyperparameters (a 1e300 decay or eps = 0 may overflow)
      const moderate = typeof c.arg === 'number' && c.arg > 1e-3 && c.arg <= 0.9;
      if (moderate)
        for (const u of updates)
          if (u !== null)
            check(u.every(Number.isFinite), () => `${name}: non-finite update from finite input`);
      optim.applyUpdates(params, updates);
    }
  },
});

const applyUpdatesTarget: Target<{ params: number[][]; updates: unknown }> = {
  pkg: PKG,
  name: 'applyUpdates',
  variant: 'p += u; null updates skipped; mismatched lengths and junk',
  arb: fc.record({
    params: fc.array(fc.array(val, { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    updates: fc.oneof(fc.constant('match'), fc.constant('short'), junk),
  }),
  run: (c) => {
    const params = c.params.map((p) => Float64Array.from(p));
    const before = params.map((p) => Array.from(p));
    const updates =
      c.updates === 'match'
        ? params.map((p) => p.map((v) => v * 0.5))
        : c.updates === 'short'
          ? params.map((p) => p.slice(1))
          : c.updates;
    optim.applyUpdates(params, updates as never);
    if (c.updates === 'match')
      params.forEach((p, i) => {
        p.forEach((v, k) => {
          check(close(v, before[i][k] * 1.5, 1e-12, 1e-12), 'p + u');
        });
      });
  },
};

// ---- clipping ----

const clipTarget: Target<{
  grads: number[][];
  maxNorm: unknown;
  normType: unknown;
  errorIfNonfinite: unknown;
  which: 'norm' | 'value' | 'global';
  special: boolean;
}> = {
  pkg: PKG,
  name: 'clipGradNorm',
  variant: 'p-norms (1, 2, 3, ∞), bad max norms / norm types, NaN gradients with errorIfNonfinite',
  weight: 2,
  arb: fc.record({
    grads: fc.array(fc.array(val, { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    maxNorm: fc.oneof(
      { weight: 4, arbitrary: fc.double({ min: 0, max: 5, noNaN: true }) },
      { weight: 1, arbitrary: fc.oneof(nonFinite, fc.constant(-1)) },
    ),
    normType: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom<unknown>(1, 2, 3, Number.POSITIVE_INFINITY, undefined) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, Number.NaN, 'l2') },
    ),
    errorIfNonfinite: fc.constantFrom<unknown>(true, false, undefined),
    which: fc.constant<'norm' | 'value' | 'global'>('norm'),
    special: fc.boolean(),
  }),
  run: (c) => {
    const params = c.grads.map((g) => ({ data: new Float64Array(g.length), grad: Float64Array.from(g) }));
    if (c.special && params[0].grad.length > 0) params[0].grad[0] = Number.NaN;
    const norm = (p: number) => {
      const all = c.grads.flat();
      if (c.special && c.grads[0].length > 0) all[0] = Number.NaN;
      if (p === Number.POSITIVE_INFINITY)
        return all.reduce(
          (m, v) => (Number.isNaN(v) || Number.isNaN(m) ? Number.NaN : Math.max(m, Math.abs(v))),
          0,
        );
      return all.reduce((s, v) => s + Math.abs(v) ** p, 0) ** (1 / p);
    };
    if (c.which === 'global') {
      const got = optim.globalNorm(
        params.map((p) => p.grad),
        c.normType as number,
      );
      const want = norm((c.normType as number | undefined) ?? 2);
      check(close(got, want, 1e-10, 1e-12), () => `globalNorm ${got}, reference ${want}`);
      return;
    }
    if (c.which === 'value') {
      optim.clipGradValue(params, c.maxNorm as number);
      const v = c.maxNorm as number;
      for (const p of params)
        for (const g of p.grad) check(Number.isNaN(g) || Math.abs(g) <= v, () => `clipped value ${g} > ${v}`);
      return;
    }
    const total = optim.clipGradNorm(params, c.maxNorm as number, {
      normType: c.normType as number,
      errorIfNonfinite: c.errorIfNonfinite as boolean,
    });
    const want = norm((c.normType as number | undefined) ?? 2);
    check(close(total, want, 1e-10, 1e-12), () => `total norm ${total}, reference ${want}`);
    if (Number.isFinite(want)) {
      const after = optim.globalNorm(
        params.map((p) => p.grad),
        (c.normType as number | undefined) ?? 2,
      );
      check(
        after <= (c.maxNorm as number) * (1 + 1e-9) + 1e-9 || after <= want * (1 + 1e-12),
        () => `norm after clipping ${after} > ${c.maxNorm}`,
      );
    }
  },
};

// ---- schedules ----

type SchedName =
  | 'constantSchedule'
  | 'inverseSqrtSchedule'
  | 'stepSchedule'
  | 'multiStepSchedule'
  | 'exponentialSchedule'
  | 'cosineSchedule'
  | 'linearWarmupSchedule'
  | 'warmupCosineSchedule'
  | 'oneCycleSchedule'
  | 'joinSchedules';

const posNum = fc.double({ min: 1e-4, max: 2, noNaN: true });
const steps = fc.integer({ min: 1, max: 50 });
const scheduleArgs: Record<SchedName, fc.Arbitrary<unknown[]>> = {
  constantSchedule: fc.tuple(posNum),
  inverseSqrtSchedule: fc.tuple(posNum),
  stepSchedule: fc.tuple(
    fc.record({ init: posNum, stepSize: steps, gamma: fc.double({ min: 0, max: 1, noNaN: true }) }),
  ),
  multiStepSchedule: fc.tuple(
    fc.record({
      init: posNum,
      milestones: fc.uniqueArray(steps, { maxLength: 3 }).map((a) => a.sort((x, y) => x - y)),
      gamma: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  ),
  exponentialSchedule: fc.tuple(
    fc.record({ init: posNum, gamma: fc.double({ min: 0.5, max: 1, noNaN: true }) }),
  ),
  cosineSchedule: fc.tuple(fc.record({ init: posNum, decaySteps: steps, min: fc.constant(0) })),
  linearWarmupSchedule: fc.tuple(fc.record({ init: fc.constant(0), peak: posNum, warmupSteps: steps })),
  warmupCosineSchedule: fc.tuple(
    steps.chain((w) =>
      fc.record({
        init: fc.constant(0),
        peak: posNum,
        warmupSteps: fc.constant(w),
        totalSteps: fc.integer({ min: w + 1, max: w + 50 }),
        end: fc.constant(0),
      }),
    ),
  ),
  oneCycleSchedule: fc.tuple(
    fc.record({
      maxLr: posNum,
      totalSteps: fc.integer({ min: 2, max: 60 }),
      pctStart: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
      annealStrategy: fc.constantFrom('cos', 'linear'),
      threePhase: fc.boolean(),
    }),
  ),
  joinSchedules: fc.tuple(
    fc.constant([optim.constantSchedule(1), optim.constantSchedule(0.5)]),
    fc.tuple(steps).map((b) => [...b]),
  ),
};

/** Replace one option (or the positional argument) by junk. */
function corruptArgs(args: unknown[], key: number | string, value: unknown): unknown[] {
  const out = args.map((a) => (typeof a === 'object' && a !== null && !Array.isArray(a) ? { ...a } : a));
  if (typeof key === 'number') out[key] = value;
  else if (typeof out[0] === 'object' && out[0] !== null) (out[0] as Record<string, unknown>)[key] = value;
  return out;
}

const scheduleTarget = (name: SchedName): Target<{ args: unknown[]; ts: number[] }> => ({
  pkg: PKG,
  name,
  variant:
    'valid options: finite values for every step >= 1 (>= 0 unless a negative value was asked for); junk options: a typed error',
  arb: fc
    .record({
      args: scheduleArgs[name],
      corrupt: fc.option(
        fc.tuple(
          fc.nat(),
          fc.oneof(nonFinite, fc.constantFrom<unknown>(-1, 0, 0.5, 'x', undefined, null, [])),
        ),
        { freq: 3 },
      ),
      // the documented domain: 1-based integer steps (far ones too)
      ts: fc.array(fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(1e9)), {
        minLength: 1,
        maxLength: 6,
      }),
    })
    .map(({ args, corrupt, ts }) => {
      if (corrupt === null) return { args, ts };
      const first = args[0];
      const keys: (number | string)[] =
        typeof first === 'object' && first !== null && !Array.isArray(first) ? Object.keys(first) : [0];
      return { args: corruptArgs(args, keys[corrupt[0] % keys.length], corrupt[1]), ts };
    }),
  run: ({ args, ts }) => {
    const s = (optim[name] as (...a: unknown[]) => optim.Schedule)(...args);
    check(typeof s === 'function', 'a schedule is a function');
    for (const t of ts) {
      const v = s(t);
      check(Number.isFinite(v), () => `${name}(${JSON.stringify(args)}) at t = ${t} is ${v}`);
      const negativeAsked = JSON.stringify(args).includes('-');
      if (!negativeAsked) check(v >= 0, () => `${name}(${JSON.stringify(args)}) at t = ${t} is ${v} < 0`);
    }
  },
});

const resolveScalarTarget: Target<{ value: unknown; t: unknown }> = {
  pkg: PKG,
  name: 'resolveScalar',
  variant: 'numbers, schedules, junk; any step',
  arb: fc.record({
    value: fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.constant('schedule'), junk),
    t: fc.oneof(fc.integer({ min: 0, max: 100 }), junk),
  }),
  run: ({ value, t }) => {
    const v = optim.resolveScalar(
      value === 'schedule' ? optim.constantSchedule(0.3) : (value as number),
      t as number,
    );
    check(typeof v === 'number', 'a number');
    if (typeof value === 'number') check(Object.is(v, value), 'a number resolves to itself');
  },
};

// ---- state JSON, checkHyper, gradOf, ReduceOnPlateau ----

const encodeTarget: Target<{ x: unknown }> = {
  pkg: PKG,
  name: 'encodeNumber',
  variant: 'every double incl. NaN, ±∞, −0: decode(encode(x)) is x',
  arb: fc.record({
    x: fc.oneof(
      fc.double(),
      fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
      junk,
    ),
  }),
  run: ({ x }) => {
    const e = optim.encodeNumber(x as number);
    check(typeof e === 'number' || typeof e === 'string', 'JSON-safe');
    const round = JSON.parse(JSON.stringify(e));
    const back = optim.decodeNumber(round);
    if (typeof x === 'number')
      check(Object.is(back, x) || (x === 0 && back === 0), () => `round trip of ${x} gave ${back}`);
  },
};

const decodeTarget: Target<{ x: unknown }> = {
  pkg: PKG,
  name: 'decodeNumber',
  variant: 'junk and encoded values: a number or undefined',
  arb: fc.record({
    x: fc.oneof(
      junk,
      fc.string({ maxLength: 6 }),
      fc.constantFrom('NaN', 'Infinity', '-Infinity', '-0', '1e400'),
    ),
  }),
  run: ({ x }) => {
    const v = optim.decodeNumber(x);
    check(v === undefined || typeof v === 'number', 'a number or undefined');
  },
};

const stateJsonArb = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.double(),
    fc.boolean(),
    fc.string({ maxLength: 4 }),
    fc.array(fc.double(), { maxLength: 3 }).map((a) => Float64Array.from(a)),
    fc.array(fc.double({ noNaN: true }), { maxLength: 3 }).map((a) => Float32Array.from(a)),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'count'), tie('node'), { maxKeys: 3 }),
  ),
})).node;

const stateToJsonTarget: Target<{ state: unknown }> = {
  pkg: PKG,
  name: 'stateToJSON',
  variant: 'nested states with typed arrays, NaN/±∞: JSON round trip through restoreState is exact',
  arb: fc.record({ state: stateJsonArb }),
  run: ({ state }) => {
    const plain = JSON.parse(JSON.stringify(optim.stateToJSON(state)));
    const template = structuredClone(state);
    const back = optim.restoreState(template, plain);
    const same = (a: unknown, b: unknown): boolean => {
      if (typeof a === 'number') return Object.is(a, b) || (a === 0 && b === 0);
      if (ArrayBuffer.isView(a))
        return (
          ArrayBuffer.isView(b) &&
          (a as Float64Array).length === (b as Float64Array).length &&
          Array.from(a as Float64Array).every(
            (v, i) => Object.is(v, (b as Float64Array)[i]) || (v === 0 && (b as Float64Array)[i] === 0),
          )
        );
      if (Array.isArray(a))
        return Array.isArray(b) && a.length === b.length && a.every((v, i) => same(v, b[i]));
      if (typeof a === 'object' && a !== null)
        return (
          typeof b === 'object' &&
          b !== null &&
          Object.keys(a).every((k) =>
            same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
          )
        );
      return a === b;
    };
    check(same(state, back), 'restored state equals the original');
  },
};

const restoreTarget: Target<{ template: unknown; plain: unknown }> = {
  pkg: PKG,
  name: 'restoreState',
  variant: 'templates against junk / mismatched plain values',
  arb: fc.record({
    template: stateJsonArb,
    plain: fc.oneof(
      junk,
      stateJsonArb.map((s) => JSON.parse(JSON.stringify(optim.stateToJSON(s)))),
    ),
  }),
  run: ({ template, plain }) => {
    optim.restoreState(template, plain);
  },
};

const checkHyperTarget: Target<{ name: string; value: unknown; spec: optim.RangeSpec; prefix: string }> = {
  pkg: PKG,
  name: 'checkHyper',
  variant: 'random ranges and values: returns the value iff valid, else names it',
  arb: fc.record({
    name: fc.constantFrom('lr', 'beta1', 'eps'),
    value: fc.oneof(fc.double(), junk),
    spec: fc.record({
      min: fc.option(fc.double({ min: -2, max: 2, noNaN: true }), { nil: undefined }),
      max: fc.option(fc.double({ min: -2, max: 2, noNaN: true }), { nil: undefined }),
      minOpen: fc.boolean(),
      maxOpen: fc.boolean(),
    }),
    prefix: fc.constantFrom('', 'Adam: '),
  }),
  run: (c) => {
    const v = c.value;
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (c.spec.min === undefined || (c.spec.minOpen ? v > c.spec.min : v >= c.spec.min)) &&
      (c.spec.max === undefined || (c.spec.maxOpen ? v < c.spec.max : v <= c.spec.max));
    let got: number;
    try {
      got = optim.checkHyper(c.name, v, c.spec, c.prefix);
    } catch (e) {
      check(!ok, () => `refused a valid ${c.name} = ${String(v)}`);
      check(e instanceof optim.OptimError && e.message.includes(c.name), 'names the hyperparameter');
      throw e;
    }
    check(ok, () => `accepted ${c.name} = ${String(v)} outside ${JSON.stringify(c.spec)}`);
    check(got === v, 'returns the value');
  },
};

const gradOfTarget: Target<{ param: unknown }> = {
  pkg: PKG,
  name: 'gradOf',
  variant: 'tensors, pairs, null grads and junk',
  arb: fc.record({
    param: fc.oneof(
      fc.constantFrom<unknown>(
        { data: new Float32Array(2), grad: new Float32Array(2) },
        { data: new Float32Array(2), grad: { data: new Float32Array(2) } },
        { data: new Float32Array(2), grad: null },
        { data: new Float32Array(2) },
        { data: new Float32Array(2), grad: 3 },
        { data: new Float32Array(2), grad: { data: 'x' } },
      ),
      junk,
    ),
  }),
  run: ({ param }) => {
    const g = optim.gradOf(param as optim.ParamLike);
    check(
      g === null || g instanceof Float32Array || g instanceof Float64Array,
      () => `gradOf gave ${String(g)}`,
    );
  },
};

const plateauTarget: Target<{ options: unknown; metrics: unknown[]; target: unknown }> = {
  pkg: PKG,
  name: 'ReduceOnPlateau',
  variant: 'valid and junk options, metrics incl. NaN; lr never grows, never below minLr; state round trip',
  arb: fc.record({
    options: fc.oneof(
      fc.record({
        mode: fc.constantFrom('min', 'max'),
        factor: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
        patience: fc.integer({ min: 0, max: 3 }),
        cooldown: fc.integer({ min: 0, max: 2 }),
        minLr: fc.constantFrom(0, 1e-3),
      }),
      fc.constant(undefined),
      fc.constantFrom<unknown>(
        null,
        { factor: 1 },
        { factor: 0 },
        { patience: -1 },
        { mode: 'up' },
        { threshold: Number.NaN },
        { minLr: [1, 2, 3] },
      ),
    ),
    metrics: fc.array(fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), junk), { maxLength: 12 }),
    target: fc.oneof(fc.constant('opt'), junk, fc.constant({ paramGroups: [{ lr: 'x' }] })),
  }),
  run: (c) => {
    const params = [{ data: new Float64Array(1), grad: new Float64Array(1) }];
    const target = c.target === 'opt' ? new optim.SGD(params, { lr: 0.1 }) : c.target;
    const s = new optim.ReduceOnPlateau(
      target as optim.HasLearningRate,
      c.options as optim.ReduceOnPlateauOptions,
    );
    let lr = (target as optim.HasLearningRate).paramGroups[0].lr;
    for (const m of c.metrics) {
      s.step(m as number);
      const now = (target as optim.HasLearningRate).paramGroups[0].lr;
      check(now <= lr && now >= 0 && Number.isFinite(now), () => `lr went ${lr} → ${now}`);
      lr = now;
    }
    const st = JSON.parse(JSON.stringify(s.stateDict()));
    const s2 = new optim.ReduceOnPlateau(
      target as optim.HasLearningRate,
      c.options as optim.ReduceOnPlateauOptions,
    );
    s2.loadStateDict(st);
    check(Object.is(s2.best, s.best) && s2.numBadSteps === s.numBadSteps, 'state round trip');
  },
};

const fnAny = (f: unknown) => f as (...a: unknown[]) => unknown;
const p1 = fc.constant([{ data: new Float32Array(2), grad: new Float32Array([3, 4]) }]);

export const optimTargets: Target<never>[] = [
  ...(['SGD', 'Adam', 'AdamW', 'Adagrad', 'RMSprop'] as const).map(optimizerTarget),
  stateDictCorruptTarget,
  ...(
    [
      'scale',
      'scaleByLearningRate',
      'addDecayedWeights',
      'trace',
      'scaleByAdam',
      'scaleByRms',
      'scaleByAdagrad',
      'clipByGlobalNorm',
      'clipByValue',
      'chain',
    ] as const
  ).map(tfTarget),
  applyUpdatesTarget,
  clipTarget,
  {
    ...clipTarget,
    name: 'clipGradValue',
    variant: 'clip values (shared generator with clipGradNorm)',
    arb: clipTarget.arb.map((c) => ({ ...c, which: 'value' as const })),
  },
  {
    ...clipTarget,
    name: 'globalNorm',
    variant: 'p-norms (shared generator with clipGradNorm)',
    arb: clipTarget.arb.map((c) => ({ ...c, which: 'global' as const })),
  },
  ...(Object.keys(scheduleArgs) as SchedName[]).map(scheduleTarget),
  resolveScalarTarget,
  encodeTarget,
  decodeTarget,
  stateToJsonTarget,
  restoreTarget,
  checkHyperTarget,
  gradOfTarget,
  plateauTarget,
  junkTarget(PKG, 'clipGradNorm', fnAny(optim.clipGradNorm), [p1, fc.constant(1), fc.constant({})]),
  junkTarget(PKG, 'clipGradValue', fnAny(optim.clipGradValue), [p1, fc.constant(1)]),
  junkTarget(PKG, 'globalNorm', fnAny(optim.globalNorm), [
    fc.constant([new Float32Array(2)]),
    fc.constant(2),
  ]),
  junkTarget(PKG, 'stateToJSON', fnAny(optim.stateToJSON), [
    fc.constant({ a: new Float32Array(1) }),
    fc.constant({}),
  ]),
  ...(['SGD', 'Adam', 'AdamW', 'Adagrad', 'RMSprop'] as const).map((n) =>
    junkTarget(PKG, n, (p, o) => construct(n, p, o), [p1, fc.constant({ lr: 0.1 })]),
  ),
] as Target<never>[];
