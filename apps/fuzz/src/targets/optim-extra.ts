/**
 * Fuzz targets of @hw3/optim's NAdam, `descent`, `scaleByNadam` and the `@hw3/optim/testing` optimizer contract:
 * every real optimizer passes the contract, a broken one is an OptimizerContractError, junk factories are typed
 * errors.
 */

import * as contract from '@hw3/optim/testing';
import fc from 'fast-check';
import * as optim from '../entries/optim';
import { close, junk } from '../gen';
import { check, defect, type Target } from '../harness';

const val = fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true });

const nadamTarget: Target<{ lengths: number[]; grads: number[][]; options: unknown; steps: number }> = {
  pkg: '@hw3/optim',
  name: 'NAdam',
  variant: 'steps on finite gradients stay finite, bad hyperparameters refused, state dict round trip',
  weight: 2,
  arb: fc
    .record({
      lengths: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }),
      options: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.record({
            lr: fc.double({ min: 1e-4, max: 0.3, noNaN: true }),
            betas: fc.tuple(
              fc.double({ min: 0, max: 0.95, noNaN: true }),
              fc.double({ min: 0.5, max: 0.999, noNaN: true }),
            ),
            momentumDecay: fc.constantFrom(0, 4e-3, 0.1),
            weightDecay: fc.constantFrom(0, 0.01),
          }),
        },
        {
          weight: 1,
          arbitrary: fc.oneof(
            junk,
            fc.constantFrom<unknown>(
              { lr: -1 },
              { betas: [1, 0.9] },
              { momentumDecay: -1 },
              { eps: Number.NaN },
            ),
          ),
        },
      ),
      steps: fc.integer({ min: 1, max: 4 }),
    })
    .chain((c) =>
      fc
        .array(val, {
          minLength: c.lengths.reduce((a, b) => a + b, 0),
          maxLength: c.lengths.reduce((a, b) => a + b, 0),
        })
        .map((g) => ({ ...c, grads: [g] })),
    ),
  run: (c) => {
    const flat = c.grads[0];
    let at = 0;
    const params = c.lengths.map((n) => {
      const g = Float64Array.from(flat.slice(at, at + n));
      at += n;
      return { data: new Float64Array(n).fill(0.5), grad: g };
    });
    const opt = new optim.NAdam(params, c.options as never);
    for (let s = 0; s < c.steps; s++) opt.step();
    for (const p of params) check(p.data.every(Number.isFinite), 'finite parameters after finite steps');
    const params2 = params.map((p) => ({ data: p.data.slice(), grad: p.grad.slice() }));
    const opt2 = new optim.NAdam(params2, c.options as never);
    opt2.loadStateDict(JSON.parse(JSON.stringify(opt.stateDict())));
    opt.step();
    opt2.step();
    params.forEach((p, i) => {
      p.data.forEach((v, k) => {
        check(Object.is(v, params2[i].data[k]), 'state round trip continues identically');
      });
    });
  },
};

const scaleByNadamTarget: Target<{ arg: unknown; params: number[][]; steps: number }> = {
  pkg: '@hw3/optim',
  name: 'scaleByNadam',
  variant: 'valid and junk hyperparameters; finite updates for finite input',
  arb: fc.record({
    arg: fc.oneof(
      { weight: 4, arbitrary: fc.double({ min: 0.01, max: 0.9, noNaN: true }) },
      { weight: 1, arbitrary: junk },
    ),
    params: fc.array(fc.array(val, { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    steps: fc.integer({ min: 1, max: 3 }),
  }),
  run: (c) => {
    const tf = optim.scaleByNadam({ beta1: c.arg as number });
    const params = c.params.map((p) => Float64Array.from(p));
    const state = tf.init(params);
    for (let s = 0; s < c.steps; s++) {
      const updates = params.map((p) => p.map((v) => v * 0.3 + 0.1));
      tf.update(updates, state, params);
      for (const u of updates) check(u.every(Number.isFinite), 'finite update');
      optim.applyUpdates(params, updates);
    }
  },
};

const descentTarget: Target<{ group: unknown; mode: unknown; p: number[]; g: number[] }> = {
  pkg: '@hw3/optim',
  name: 'descent',
  variant: "PyTorch's order: −g if maximize, coupled/decoupled decay, p − lr·u; junk groups / rules / modes",
  arb: fc.record({
    group: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          lr: fc.double({ min: 0, max: 1, noNaN: true }),
          weightDecay: fc.double({ min: 0, max: 0.5, noNaN: true }),
          maximize: fc.boolean(),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.oneof(
          junk,
          fc.constantFrom<unknown>({ lr: -1, weightDecay: 0, maximize: false }, { lr: 0.1 }),
        ),
      },
    ),
    mode: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom<unknown>('coupled', 'decoupled', undefined) },
      { weight: 1, arbitrary: junk },
    ),
    p: fc.array(val, { minLength: 3, maxLength: 3 }),
    g: fc.array(val, { minLength: 3, maxLength: 3 }),
  }),
  run: (c) => {
    const tf = optim.descent(c.group as never, optim.scale(2), c.mode as never);
    const p = Float64Array.from(c.p);
    const u = Float64Array.from(c.g);
    tf.update([u], tf.init([p]), [p]);
    const g = c.group as { lr: number; weightDecay: number; maximize: boolean };
    const mode = c.mode ?? 'coupled';
    if (mode !== 'coupled' && mode !== 'decoupled') defect(`accepted weightDecay mode ${String(c.mode)}`);
    c.g.forEach((gi, i) => {
      let x = g.maximize ? -gi : gi;
      if (mode === 'coupled') x += g.weightDecay * c.p[i];
      x *= 2;
      if (mode === 'decoupled') x += g.weightDecay * c.p[i];
      const want = -g.lr * x;
      check(close(u[i], want, 1e-12, 1e-12), () => `update ${i}: ${u[i]}, reference ${want}`);
    });
  },
};

type Make = (params: optim.ParamLike[], o: { maximize?: boolean }) => contract.ContractOptimizer;

const REAL: Record<string, Make> = {
  SGD: (p, o) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, ...o }),
  Adam: (p, o) => new optim.Adam(p, { lr: 0.01, ...o }),
  AdamW: (p, o) => new optim.AdamW(p, { lr: 0.01, ...o }),
  Adagrad: (p, o) => new optim.Adagrad(p, { lr: 0.1, ...o }),
  RMSprop: (p, o) => new optim.RMSprop(p, { lr: 0.01, ...o }),
  NAdam: (p, o) => new optim.NAdam(p, { lr: 0.01, ...o }),
};
// Broken on purpose: ignores maximize.
const BROKEN: Make = (p) => new optim.SGD(p, { lr: 0.1 });

const CHECKS = [
  'checkStateRoundTrip',
  'checkMaximize',
  'checkZeroAllocationSteps',
  'checkNanGuard',
  'checkOptimizerContract',
] as const;

const contractTarget = (name: (typeof CHECKS)[number]): Target<{ which: string; junkMake: unknown }> => ({
  pkg: '@hw3/optim/testing',
  name,
  variant:
    'every real optimizer passes; a broken one is an OptimizerContractError; junk factories are typed errors',
  weight: 0.5,
  arb: fc.record({
    which: fc.constantFrom(...Object.keys(REAL), 'broken', 'junk'),
    junkMake: fc.oneof(
      junk,
      fc.constant(() => 3),
      fc.constant(() => ({ step: 1 })),
    ),
  }),
  run: (c) => {
    const make = c.which === 'broken' ? BROKEN : c.which === 'junk' ? c.junkMake : REAL[c.which];
    contract[name](make as Make);
    if (c.which === 'broken' && (name === 'checkMaximize' || name === 'checkOptimizerContract'))
      defect(`${name} passed an optimizer that ignores maximize`);
  },
});

const countTarget: Target<{ n: number; kind: unknown }> = {
  pkg: '@hw3/optim/testing',
  name: 'countTypedArrays',
  variant: 'counts the typed arrays a function allocates; junk functions are typed errors',
  arb: fc.record({ n: fc.integer({ min: 0, max: 5 }), kind: fc.oneof(fc.constant('fn'), junk) }),
  run: (c) => {
    const fn =
      c.kind === 'fn'
        ? () => {
            for (let i = 0; i < c.n; i++) new Float32Array(1);
          }
        : c.kind;
    const k = contract.countTypedArrays(fn as () => void);
    check(typeof k === 'number' && k >= (c.kind === 'fn' ? c.n : 0), () => `counted ${k}, allocated ${c.n}`);
  },
};

export const optimExtraTargets: Target<never>[] = [
  nadamTarget,
  scaleByNadamTarget,
  descentTarget,
  ...CHECKS.map(contractTarget),
  countTarget,
] as Target<never>[];
