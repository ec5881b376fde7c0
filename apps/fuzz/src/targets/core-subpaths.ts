/** Fuzz targets of the @hw3/core subpaths: `@hw3/core/testing` (gradcheck) and `@hw3/core/threads`. */

import * as testing from '@hw3/core/testing';
import * as threads from '@hw3/core/threads';
import fc from 'fast-check';
import * as core from '../entries/core';
import { junk } from '../gen';
import { check, defect, type Target } from '../harness';
import { matmulRef } from '../reference';
import { expectClose, restoreKernels } from './core-ops';

// A custom op whose backward is wrong by a factor 2: gradcheck must catch it with a GradcheckError.
const wrongSquare = core.defineOp({
  name: 'wrongSquare',
  forward(ctx, [x]) {
    ctx.save(x);
    return core.mul(x, x);
  },
  backward(ctx, g) {
    const [x] = ctx.saved as [core.Tensor];
    return [core.mul(g, core.mul(x, 4))];
  },
});

const FNS = {
  mul: (a: core.Tensor, b: core.Tensor) => core.mul(a, b),
  tanh: (a: core.Tensor) => core.tanh(a),
  matmul: (a: core.Tensor, b: core.Tensor) => core.matmul(a, b),
  sigmoidSum: (a: core.Tensor) => core.sum(core.sigmoid(a)),
  wrongSquare: (a: core.Tensor) => wrongSquare([a]),
} as const;

const gradcheckTarget: Target<{
  fn: keyof typeof FNS | 'junk';
  values: number[];
  options: unknown;
  inputs: string;
}> = {
  pkg: '@hw3/core/testing',
  name: 'gradcheck',
  variant:
    'correct ops pass, a wrong backward is a GradcheckError, junk fn / inputs / options are typed errors',
  arb: fc.record({
    fn: fc.constantFrom<keyof typeof FNS | 'junk'>(
      'mul',
      'tanh',
      'matmul',
      'sigmoidSum',
      'wrongSquare',
      'junk',
    ),
    values: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 4, maxLength: 4 }),
    options: fc.oneof(
      { weight: 4, arbitrary: fc.constant({}) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<unknown>({ eps: 0 }, { atol: -1 }, { rtol: Number.NaN }, { eps: 'x' }),
      },
    ),
    inputs: fc.constantFrom('ok', 'ok', 'ok', 'float32', 'no-grad', 'junk', 'not-array'),
  }),
  run: (c) => {
    const make = (shape: number[], vals: number[]) =>
      new core.Tensor(c.inputs === 'float32' ? Float32Array.from(vals) : Float64Array.from(vals), shape, {
        requiresGrad: c.inputs !== 'no-grad',
      });
    const a = make([2, 2], c.values);
    const b = make(
      [2, 2],
      c.values.map((v) => v * 0.5 + 0.25),
    );
    const fn = c.fn === 'junk' ? 3 : FNS[c.fn];
    const unary = c.fn === 'tanh' || c.fn === 'sigmoidSum' || c.fn === 'wrongSquare';
    const inputs = c.inputs === 'junk' ? [a, 7] : c.inputs === 'not-array' ? a : unary ? [a] : [a, b];
    testing.gradcheck(fn as never, inputs as core.Tensor[], c.options as testing.GradcheckOptions);
    if (c.fn === 'wrongSquare' && c.values.some((v) => Math.abs(v) > 1e-3))
      defect('gradcheck passed a wrong backward');
  },
};

let shared: core.Kernels | null | undefined;
function threadedKernels(): core.Kernels | null {
  if (shared === undefined) shared = threads.createThreadedWasmKernels();
  return shared;
}

const createThreadedTarget: Target<{ variant: unknown }> = {
  pkg: '@hw3/core/threads',
  name: 'createThreadedWasmKernels',
  variant: 'every variant and junk: kernels (disposed again) or null',
  weight: 0.05,
  arb: fc.record({
    variant: fc.oneof(fc.constantFrom<unknown>('auto', 'simd', 'relaxed-simd', undefined), junk),
  }),
  run: ({ variant }) => {
    const k = threads.createThreadedWasmKernels(variant as 'auto');
    if (k === null) return;
    check(typeof k.gemm === 'function' && typeof k.ready === 'function', 'a kernel table with ready()');
    k.dispose();
  },
};

const threadedGemmTarget: Target<{ m: number; k: number; n: number; values: number[] }> = {
  pkg: '@hw3/core/threads',
  name: 'ThreadedWasmKernels',
  variant: 'matmul on the two-thread kernels vs reference (zero-size and odd sizes)',
  arb: fc
    .record({
      m: fc.integer({ min: 0, max: 40 }),
      k: fc.integer({ min: 0, max: 40 }),
      n: fc.integer({ min: 0, max: 40 }),
    })
    .chain((d) =>
      fc
        .array(fc.double({ min: -2, max: 2, noNaN: true }), {
          minLength: d.m * d.k + d.k * d.n,
          maxLength: d.m * d.k + d.k * d.n,
        })
        .map((values) => ({ ...d, values })),
    ),
  run: (c) => {
    const kernels = threadedKernels();
    if (kernels === null) return;
    check(
      kernels instanceof threads.ThreadedWasmKernels,
      'createThreadedWasmKernels gives a ThreadedWasmKernels',
    );
    core.setKernels(kernels);
    try {
      const a = new core.Tensor(Float32Array.from(c.values.slice(0, c.m * c.k)), [c.m, c.k]);
      const b = new core.Tensor(Float32Array.from(c.values.slice(c.m * c.k)), [c.k, c.n]);
      const out = core.matmul(a, b);
      const ref = matmulRef(a.data, a.shape, b.data, b.shape);
      if (ref === null) defect('reference refused valid shapes');
      else expectClose('threaded matmul', out, ref.shape, ref.data, ref.scale);
    } finally {
      restoreKernels();
    }
  },
};

export const coreSubpathTargets: Target<never>[] = [
  gradcheckTarget,
  createThreadedTarget,
  threadedGemmTarget,
] as Target<never>[];
