/**
 * Fuzz targets of @hw3/losses: every loss and softmax against float64 references (log-sum-exp, PyTorch's
 * reductions, weights, ignoreIndex, label smoothing), with out-of-range / non-integer labels, bad probabilities,
 * mismatched shapes, bad options, NaN/±∞ and huge logits (which must not give NaN).
 */

import * as losses from '@hw3/losses';
import fc from 'fast-check';
import * as core from '../entries/core';
import { badValue, close, junk, junkTarget } from '../gen';
import { type Bad, check, type Target } from '../harness';

const PKG = '@hw3/losses' as const;
type DType = 'float32' | 'float64';
type Reduction = 'mean' | 'sum' | 'none';

const arr = (dtype: DType, v: readonly number[]) =>
  dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v);

/** Logits: moderate, or huge (±1e4…1e30, where naive softmax overflows: the log-sum-exp path must stay finite). */
const logitValue = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -8, max: 8, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(1e4, -1e4, 1e30, -1e30, 88.8, -103) },
);

/** log-softmax of a row as (v − max) − log Σ exp(v − max): no absorption of log Σ into a huge max. */
function logSoftmaxRow(row: readonly number[]): number[] {
  const m = Math.max(...row);
  let s = 0;
  for (const v of row) s += Math.exp(v - m);
  const ls = Math.log(s);
  return row.map((v) => v - m - ls);
}

function near(got: number, want0: number, dtype: DType, scale: number, what: string): void {
  // float32 results beyond 3.4e38 overflow to ±∞ (as in PyTorch): the reference rounds the same way
  const want =
    dtype === 'float32' && Math.abs(want0) > 3.4028234663852886e38 ? Math.sign(want0) * Infinity : want0;
  const tol = dtype === 'float32' ? 3e-5 : 1e-10;
  // (array forms return the scalar loss as a double, which does not overflow)
  check(
    close(got, want, tol, tol * scale) || close(got, want0, tol, tol * scale),
    () => `${what}: ${got}, reference ${want}`,
  );
}

function reduceRef(perRow: number[], weights: number[], reduction: Reduction): number | number[] {
  if (reduction === 'none') return perRow;
  const total = perRow.reduce((a, b) => a + b, 0);
  if (reduction === 'sum') return total;
  const den = weights.reduce((a, b) => a + b, 0);
  return den === 0 ? Number.NaN : total / den;
}

function compareLoss(got: unknown, want: number | number[], dtype: DType, scale: number, what: string): void {
  if (Array.isArray(want)) {
    const g = got as ArrayLike<number>;
    check(g.length === want.length, () => `${what}: ${g.length} values, expected ${want.length}`);
    want.forEach((w, i) => {
      near(g[i], w, dtype, scale, `${what}[${i}]`);
    });
  } else {
    check(typeof got === 'number', () => `${what}: not a number`);
    if (Number.isNaN(want)) return; // an empty or all-ignored mean: PyTorch gives NaN, hw3 documents its choice
    near(got as number, want, dtype, scale, what);
  }
}

// ---- cross-entropy / NLL with class indices ----

interface ClassCase {
  dtype: DType;
  rows: number;
  classes: number;
  logits: number[];
  target: unknown;
  targetKind: 'indices' | 'probabilities';
  probs: number[];
  weight: number[] | null;
  reduction: unknown;
  labelSmoothing: unknown;
  ignoreIndex: unknown;
  lead: number[];
  bad?: Bad;
}

const classArb: fc.Arbitrary<ClassCase> = fc
  .record({
    dtype: fc.constantFrom<DType>('float32', 'float64'),
    rows: fc.integer({ min: 1, max: 5 }),
    classes: fc.integer({ min: 1, max: 5 }),
    extraLead: fc.boolean(),
    weighted: fc.boolean(),
    targetKind: fc.constantFrom<'indices' | 'probabilities'>('indices', 'indices', 'probabilities'),
    reduction: fc.constantFrom<unknown>('mean', 'sum', 'none', undefined),
    labelSmoothing: fc.oneof(fc.constant(undefined), fc.double({ min: 0, max: 1, noNaN: true })),
    ignoreIndex: fc.constantFrom<unknown>(undefined, -100, 0, 2),
    corrupt: fc.option(
      fc.constantFrom(
        'label-high',
        'label-negative',
        'label-fraction',
        'label-nan',
        'weight-length',
        'weight-nan',
        'reduction',
        'smoothing',
        'probs-negative',
        'probs-sum',
        'target-length',
      ),
      { freq: 3 },
    ),
  })
  .chain((g) =>
    fc.record({
      g: fc.constant(g),
      logits: fc.array(logitValue, { minLength: g.rows * g.classes, maxLength: g.rows * g.classes }),
      labels: fc.array(fc.integer({ min: 0, max: g.classes - 1 }), { minLength: g.rows, maxLength: g.rows }),
      probs: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), {
        minLength: g.rows * g.classes,
        maxLength: g.rows * g.classes,
      }),
      weight: fc.array(fc.double({ min: 0.1, max: 2, noNaN: true }), {
        minLength: g.classes,
        maxLength: g.classes,
      }),
    }),
  )
  .map(({ g, logits, labels, probs, weight }) => {
    // Normalise probability rows.
    for (let r = 0; r < g.rows; r++) {
      let s = 0;
      for (let c = 0; c < g.classes; c++) s += probs[r * g.classes + c];
      for (let c = 0; c < g.classes; c++) probs[r * g.classes + c] /= s;
    }
    let target: unknown = g.targetKind === 'indices' ? labels : probs;
    let w: number[] | null = g.weighted ? weight : null;
    let reduction = g.reduction;
    let labelSmoothing = g.labelSmoothing;
    let bad: Bad | undefined;
    const l = [...labels];
    switch (g.corrupt) {
      case 'label-high':
        if (g.targetKind === 'indices' && g.ignoreIndex !== g.classes + 3) {
          l[0] = g.classes + 3;
          target = l;
          bad = { arg: 'target', value: g.classes + 3 };
        }
        break;
      case 'label-negative':
        if (g.targetKind === 'indices' && g.ignoreIndex !== -1) {
          l[0] = -1;
          target = l;
          bad = { arg: 'target', value: -1 };
        }
        break;
      case 'label-fraction':
        if (g.targetKind === 'indices') {
          l[0] = 0.5;
          target = l;
          bad = { arg: 'target', value: 0.5 };
        }
        break;
      case 'label-nan':
        if (g.targetKind === 'indices') {
          l[0] = Number.NaN;
          target = l;
          bad = { arg: 'target', value: Number.NaN };
        }
        break;
      case 'weight-length':
        w = [...weight, 1];
        bad = { arg: 'weight', value: weight.length + 1 };
        break;
      case 'weight-nan':
        w = [...weight];
        w[0] = Number.NaN;
        bad = { arg: 'weight', value: Number.NaN };
        break;
      case 'reduction':
        reduction = 'avg';
        bad = badValue('reduction', 'avg');
        break;
      case 'smoothing':
        labelSmoothing = 1.5;
        bad = badValue('labelSmoothing', 1.5);
        break;
      case 'probs-negative':
        if (g.targetKind === 'probabilities' && g.classes > 1) {
          const p = [...probs];
          p[0] = -0.5;
          p[1] += 0.5;
          target = p;
          bad = { arg: 'target', value: -0.5 };
        }
        break;
      case 'probs-sum':
        if (g.targetKind === 'probabilities') {
          target = probs.map((v) => v * 2);
          bad = { arg: 'target', value: 0, skipValue: true };
        }
        break;
      case 'target-length':
        target = g.targetKind === 'indices' ? [...labels, 0] : [...probs, 0];
        bad = { arg: 'target', value: 0, skipValue: true };
        break;
    }
    return {
      dtype: g.dtype,
      rows: g.rows,
      classes: g.classes,
      logits,
      target,
      targetKind: g.targetKind,
      probs,
      weight: w,
      reduction,
      labelSmoothing,
      ignoreIndex: g.ignoreIndex,
      lead: g.extraLead && g.rows % 2 === 0 ? [2, g.rows / 2] : [g.rows],
      bad,
    };
  });

/** PyTorch's cross-entropy per row for index or probability targets with weights and label smoothing. */
function crossEntropyRef(c: ClassCase, logits: ArrayLike<number>): { perRow: number[]; weights: number[] } {
  const C = c.classes;
  const eps = (c.labelSmoothing as number | undefined) ?? 0;
  const w = c.weight ?? new Array<number>(C).fill(1);
  const ignore = (c.ignoreIndex as number | undefined) ?? -100;
  const perRow: number[] = [];
  const weights: number[] = [];
  for (let r = 0; r < c.rows; r++) {
    const row = Array.from({ length: C }, (_, k) => logits[r * C + k]);
    const logp = logSoftmaxRow(row);
    if (c.targetKind === 'indices') {
      const t = (c.target as number[])[r];
      if (t === ignore) {
        perRow.push(0);
        weights.push(0);
        continue;
      }
      // PyTorch: (1 − ε)·w_t·(−log p_t) + ε/C·Σ_c w_c·(−log p_c); the mean divides by Σ w_t.
      let smooth = 0;
      for (let k = 0; k < C; k++) smooth += w[k] * -logp[k];
      perRow.push((1 - eps) * w[t] * -logp[t] + (eps / C) * smooth);
      weights.push(w[t]);
    } else {
      const q = (c.target as number[]).slice(r * C, r * C + C).map((v) => (1 - eps) * v + eps / C);
      let s = 0;
      for (let k = 0; k < C; k++) s += w[k] * q[k] * -logp[k];
      perRow.push(s);
      weights.push(1);
    }
  }
  return { perRow, weights };
}

function crossEntropyTarget(form: 'array' | 'tensor'): Target<ClassCase> {
  return {
    pkg: PKG,
    name: form === 'array' ? 'crossEntropyArray' : 'crossEntropy',
    variant:
      'index/probability targets, weights, ignoreIndex, smoothing, reductions, corrupted labels vs reference',
    weight: 3,
    arb: classArb,
    run: (c) => {
      const logits = arr(c.dtype, c.logits);
      const shape = [...c.lead, c.classes];
      const options = {
        weight: c.weight,
        reduction: c.reduction as Reduction,
        labelSmoothing: c.labelSmoothing as number,
        ignoreIndex: c.ignoreIndex as number,
      };
      const target =
        c.targetKind === 'probabilities' && Array.isArray(c.target) && c.bad?.arg !== 'target'
          ? arr(c.dtype, c.target as number[])
          : c.targetKind === 'probabilities'
            ? arr(c.dtype, c.target as number[])
            : c.target;
      let loss: unknown;
      let grad: ArrayLike<number> | null = null;
      if (form === 'array') {
        const out = losses.crossEntropyArray(
          logits,
          shape,
          target as losses.CrossEntropyArrayTarget,
          options,
        );
        loss = out.loss;
        grad = out.grad;
      } else {
        const x = new core.Tensor(logits, shape, { requiresGrad: true });
        const out = losses.crossEntropy(x, target as losses.CrossEntropyTarget, options);
        loss = out.ndim === 0 ? out.item() : out.data;
        if (out.ndim === 0) {
          out.backward();
          grad = x.grad?.data ?? null;
        }
      }
      if (c.bad !== undefined) return;
      const ref = crossEntropyRef(c, logits);
      const want = reduceRef(ref.perRow, ref.weights, (c.reduction as Reduction | undefined) ?? 'mean');
      const scale = Math.max(1, ...c.logits.map(Math.abs)) * 4;
      compareLoss(loss, want, c.dtype, scale, 'loss');
      if (grad !== null) check(Array.from(grad).every(Number.isFinite), 'finite gradient for finite logits');
    },
  };
}

function nllTarget(form: 'array' | 'tensor'): Target<ClassCase> {
  return {
    pkg: PKG,
    name: form === 'array' ? 'nllLossArray' : 'nllLoss',
    variant: 'log-probabilities with labels, weights, ignoreIndex, reductions, corrupted labels vs reference',
    weight: 2,
    arb: classArb.filter((c) => c.targetKind === 'indices' && c.bad?.arg !== 'labelSmoothing'),
    run: (c) => {
      // NLL takes log-probabilities: feed log-softmax of the logits.
      const lp: number[] = [];
      for (let r = 0; r < c.rows; r++) {
        const row = c.logits.slice(r * c.classes, (r + 1) * c.classes);
        lp.push(...logSoftmaxRow(row));
      }
      const input = arr(c.dtype, lp);
      const shape = [...c.lead, c.classes];
      const options = {
        weight: c.weight,
        reduction: c.reduction as Reduction,
        ignoreIndex: c.ignoreIndex as number,
      };
      let loss: unknown;
      if (form === 'array') loss = losses.nllLossArray(input, shape, c.target as number[], options).loss;
      else {
        const out = losses.nllLoss(new core.Tensor(input, shape), c.target as number[], options);
        loss = out.ndim === 0 ? out.item() : out.data;
      }
      if (c.bad !== undefined) return;
      const ref = crossEntropyRef({ ...c, labelSmoothing: 0 }, c.logits);
      // reference on the rounded log-probabilities
      const ignore = (c.ignoreIndex as number | undefined) ?? -100;
      const w = c.weight ?? new Array<number>(c.classes).fill(1);
      const perRow = (c.target as number[]).map((t, r) =>
        t === ignore ? 0 : -w[t] * input[r * c.classes + t],
      );
      const want = reduceRef(perRow, ref.weights, (c.reduction as Reduction | undefined) ?? 'mean');
      compareLoss(loss, want, c.dtype, Math.max(1, ...c.logits.map(Math.abs)) * 4, 'loss');
    },
  };
}

// ---- softmax ----

interface SoftmaxCase {
  dtype: DType;
  shape: number[];
  x: number[];
  dy: number[];
  axis: unknown;
  bad?: Bad;
}

const softmaxArb: fc.Arbitrary<SoftmaxCase> = fc
  .record({
    dtype: fc.constantFrom<DType>('float32', 'float64'),
    shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
    axis: fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: -3, max: 2 }) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(0.5, Number.NaN, '0', 9) },
    ),
  })
  .chain((g) => {
    const n = g.shape.reduce((a, b) => a * b, 1);
    return fc.record({
      dtype: fc.constant(g.dtype),
      shape: fc.constant(g.shape),
      x: fc.array(logitValue, { minLength: n, maxLength: n }),
      dy: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
      axis: fc.constant(g.axis),
    });
  })
  .map((c) => {
    const r = c.shape.length;
    const a = c.axis;
    const ok = typeof a === 'number' && Number.isInteger(a) && a >= -r && a < r;
    return { ...c, bad: ok ? undefined : badValue('axis', a) };
  });

function softmaxRef(x: ArrayLike<number>, shape: number[], axis: number, log: boolean): Float64Array {
  const ax = axis < 0 ? axis + shape.length : axis;
  const outer = shape.slice(0, ax).reduce((p, q) => p * q, 1);
  const C = shape[ax];
  const inner = shape.slice(ax + 1).reduce((p, q) => p * q, 1);
  const y = new Float64Array(x.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const row = Array.from({ length: C }, (_, c) => x[(o * C + c) * inner + i]);
      logSoftmaxRow(row).forEach((lp, c) => {
        y[(o * C + c) * inner + i] = log ? lp : Math.exp(lp);
      });
    }
  return y;
}

function softmaxTarget(
  name: 'softmaxArray' | 'logSoftmaxArray' | 'softmax' | 'logSoftmax',
): Target<SoftmaxCase> {
  const log = name.startsWith('log');
  return {
    pkg: PKG,
    name,
    variant: 'any axis, huge logits (no overflow), bad axes vs log-sum-exp reference; backward',
    weight: 2,
    arb: softmaxArb,
    run: (c) => {
      const x = arr(c.dtype, c.x);
      let y: ArrayLike<number>;
      let grad: ArrayLike<number> | null = null;
      if (name.endsWith('Array'))
        y = (log ? losses.logSoftmaxArray : losses.softmaxArray)(x, c.shape, c.axis as number);
      else {
        const t = new core.Tensor(x, c.shape, { requiresGrad: true });
        const out = (log ? losses.logSoftmax : losses.softmax)(t, c.axis as number);
        y = out.data;
        out.backward(new core.Tensor(arr(c.dtype, c.dy), c.shape));
        grad = t.grad?.data ?? null;
      }
      if (c.bad !== undefined) return;
      const want = softmaxRef(x, c.shape, c.axis as number, log);
      const tol = c.dtype === 'float32' ? 1e-5 : 1e-12;
      for (let i = 0; i < want.length; i++) {
        const scale = log ? Math.max(1, Math.abs(want[i])) : 1;
        check(close(y[i], want[i], tol, tol * scale), () => `${name}[${i}] = ${y[i]}, reference ${want[i]}`);
      }
      if (grad !== null) check(Array.from(grad).every(Number.isFinite), 'finite gradient for finite input');
    },
  };
}

function softmaxBackwardTarget(
  name: 'softmaxBackwardArray' | 'logSoftmaxBackwardArray',
): Target<SoftmaxCase> {
  const log = name.startsWith('log');
  return {
    pkg: PKG,
    name,
    variant: 'backward vs reference formula, mismatched lengths',
    arb: softmaxArb,
    run: (c) => {
      const x = arr(c.dtype, c.x);
      const axis = c.bad === undefined ? (c.axis as number) : -1;
      const y = (log ? losses.logSoftmaxArray : losses.softmaxArray)(x, c.shape, axis);
      const dy = arr(c.dtype, c.dy);
      const dx = (log ? losses.logSoftmaxBackwardArray : losses.softmaxBackwardArray)(
        y,
        dy,
        c.shape,
        c.axis as number,
      );
      if (c.bad !== undefined) return;
      const ax = axis < 0 ? axis + c.shape.length : axis;
      const outer = c.shape.slice(0, ax).reduce((p, q) => p * q, 1);
      const C = c.shape[ax];
      const inner = c.shape.slice(ax + 1).reduce((p, q) => p * q, 1);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          const idx = (k: number) => (o * C + k) * inner + i;
          let s = 0;
          for (let k = 0; k < C; k++) s += log ? dy[idx(k)] : dy[idx(k)] * y[idx(k)];
          for (let k = 0; k < C; k++) {
            const want = log ? dy[idx(k)] - Math.exp(y[idx(k)]) * s : y[idx(k)] * (dy[idx(k)] - s);
            const tol = c.dtype === 'float32' ? 1e-5 : 1e-12;
            check(
              close(dx[idx(k)], want, tol, tol * 4 * C),
              () => `${name}[${idx(k)}] = ${dx[idx(k)]}, reference ${want}`,
            );
          }
        }
    },
  };
}

// ---- MSE and BCE-with-logits ----

interface ElemCase {
  dtype: DType;
  shape: number[];
  input: number[];
  target: number[];
  weight: number[] | null;
  posWeight: number[] | null;
  reduction: unknown;
  corrupt: string | null;
  bad?: Bad;
}

const elemArb = (mse: boolean): fc.Arbitrary<ElemCase> =>
  fc
    .record({
      dtype: fc.constantFrom<DType>('float32', 'float64'),
      shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
      reduction: fc.constantFrom<unknown>('mean', 'sum', 'none', undefined),
      weighted: fc.boolean(),
      corrupt: fc.option(
        mse
          ? fc.constantFrom('length', 'reduction', 'target-nan')
          : fc.constantFrom('length', 'reduction', 'weight-length', 'target-nan'),
        { freq: 4 },
      ),
    })
    .chain((g) => {
      const n = g.shape.reduce((a, b) => a * b, 1);
      const C = g.shape[g.shape.length - 1];
      return fc.record({
        g: fc.constant(g),
        input: fc.array(logitValue, { minLength: n, maxLength: n }),
        target: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
        weight: fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: C, maxLength: C }),
        posWeight: fc.array(fc.double({ min: 0.1, max: 3, noNaN: true }), { minLength: C, maxLength: C }),
      });
    })
    .map(({ g, input, target, weight, posWeight }) => {
      let bad: Bad | undefined;
      let reduction = g.reduction;
      let t = target;
      let w: number[] | null = g.weighted && !mse ? weight : null;
      if (g.corrupt === 'length') {
        t = [...target, 0];
        bad = { arg: 'target', value: target.length + 1 };
      } else if (g.corrupt === 'reduction') {
        reduction = 'mean ';
        bad = badValue('reduction', 'mean ');
      } else if (g.corrupt === 'weight-length') {
        w = [...weight, 1];
        // weights broadcast over trailing dims: a length equal to a suffix product is valid
        const suffixes = g.shape.map((_, i) => g.shape.slice(i).reduce((a, b) => a * b, 1));
        if (!suffixes.includes(w.length)) bad = { arg: 'weight', value: 0, skipValue: true };
        else w = weight;
      } else if (g.corrupt === 'target-nan') {
        t = [...target];
        t[0] = Number.NaN;
      }
      return {
        dtype: g.dtype,
        shape: g.shape,
        input,
        target: t,
        weight: w,
        posWeight: g.weighted && !mse ? posWeight : null,
        reduction,
        corrupt: g.corrupt,
        bad,
      };
    });

function bceRef(x: number, y: number, w: number, pw: number): number {
  // PyTorch: −w·[pw·y·log σ(x) + (1 − y)·log(1 − σ(x))], with log σ(x) = −softplus(−x)
  const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
  return w * (pw * y * softplus(-x) + (1 - y) * softplus(x));
}

function elemTarget(
  name: 'mseLossArray' | 'mseLoss' | 'binaryCrossEntropyWithLogitsArray' | 'binaryCrossEntropyWithLogits',
): Target<ElemCase> {
  const mse = name.startsWith('mse');
  return {
    pkg: PKG,
    name,
    variant:
      'shapes, reductions, weights (BCE), huge logits (no overflow), corrupted lengths/options vs reference',
    weight: 2,
    arb: elemArb(mse),
    run: (c) => {
      const input = arr(c.dtype, c.input);
      const target = arr(c.dtype, c.target);
      const reduction = c.reduction as Reduction;
      let loss: unknown;
      if (mse) {
        const opts = { reduction };
        if (name === 'mseLossArray') loss = losses.mseLossArray(input, target, opts).loss;
        else {
          const out = losses.mseLoss(new core.Tensor(input, c.shape, { requiresGrad: true }), target, opts);
          loss = out.ndim === 0 ? out.item() : out.data;
        }
      } else {
        const opts = { reduction, weight: c.weight, posWeight: c.posWeight };
        if (name === 'binaryCrossEntropyWithLogitsArray')
          loss = losses.binaryCrossEntropyWithLogitsArray(input, c.shape, target, opts).loss;
        else {
          const out = losses.binaryCrossEntropyWithLogits(
            new core.Tensor(input, c.shape, { requiresGrad: true }),
            target,
            opts,
          );
          loss = out.ndim === 0 ? out.item() : out.data;
        }
      }
      if (c.bad !== undefined) return;
      const C = c.shape[c.shape.length - 1];
      const per = Array.from(input, (x, i) => {
        const y = target[i];
        if (mse) return (x - y) ** 2;
        return bceRef(
          x,
          y,
          c.weight === null ? 1 : c.weight[i % C],
          c.posWeight === null ? 1 : c.posWeight[i % C],
        );
      });
      if (c.corrupt === 'target-nan') {
        // NaN in the target propagates (PyTorch), it is not finite input
        return;
      }
      const r = reduction ?? 'mean';
      const want =
        r === 'none'
          ? per
          : r === 'sum'
            ? per.reduce((a, b) => a + b, 0)
            : per.reduce((a, b) => a + b, 0) / per.length;
      const scale = mse
        ? Math.max(1, ...c.input.map((v) => v * v)) * 4
        : Math.max(1, ...c.input.map(Math.abs)) * 8;
      compareLoss(loss, want, c.dtype, scale, 'loss');
    },
  };
}

const fnAny = (f: unknown) => f as (...a: unknown[]) => unknown;
const logits23 = fc.constant(new Float32Array(6));

export const lossesTargets: Target<never>[] = [
  crossEntropyTarget('array'),
  crossEntropyTarget('tensor'),
  nllTarget('array'),
  nllTarget('tensor'),
  softmaxTarget('softmaxArray'),
  softmaxTarget('logSoftmaxArray'),
  softmaxTarget('softmax'),
  softmaxTarget('logSoftmax'),
  softmaxBackwardTarget('softmaxBackwardArray'),
  softmaxBackwardTarget('logSoftmaxBackwardArray'),
  elemTarget('mseLossArray'),
  elemTarget('mseLoss'),
  elemTarget('binaryCrossEntropyWithLogitsArray'),
  elemTarget('binaryCrossEntropyWithLogits'),
  junkTarget(PKG, 'crossEntropyArray', fnAny(losses.crossEntropyArray), [
    logits23,
    fc.constant([2, 3]),
    fc.constant([0, 1]),
    fc.constant({}),
  ]),
  junkTarget(PKG, 'crossEntropy', fnAny(losses.crossEntropy), [
    fc.constant(core.zeros([2, 3])),
    fc.constant([0, 1]),
    fc.constant({}),
  ]),
  junkTarget(PKG, 'nllLossArray', fnAny(losses.nllLossArray), [
    logits23,
    fc.constant([2, 3]),
    fc.constant([0, 1]),
    fc.constant({}),
  ]),
  junkTarget(PKG, 'nllLoss', fnAny(losses.nllLoss), [
    fc.constant(core.zeros([2, 3])),
    fc.constant([0, 1]),
    fc.constant({}),
  ]),
  junkTarget(PKG, 'mseLossArray', fnAny(losses.mseLossArray), [logits23, logits23, fc.constant({})]),
  junkTarget(PKG, 'mseLoss', fnAny(losses.mseLoss), [
    fc.constant(core.zeros([2, 3])),
    fc.constant(core.zeros([2, 3])),
    fc.constant({}),
  ]),
  junkTarget(PKG, 'binaryCrossEntropyWithLogitsArray', fnAny(losses.binaryCrossEntropyWithLogitsArray), [
    logits23,
    fc.constant([2, 3]),
    logits23,
    fc.constant({}),
  ]),
  junkTarget(PKG, 'binaryCrossEntropyWithLogits', fnAny(losses.binaryCrossEntropyWithLogits), [
    fc.constant(core.zeros([2, 3])),
    logits23,
    fc.constant({}),
  ]),
  junkTarget(PKG, 'softmaxArray', fnAny(losses.softmaxArray), [
    logits23,
    fc.constant([2, 3]),
    fc.constant(-1),
    fc.constant(undefined),
  ]),
  junkTarget(PKG, 'logSoftmaxArray', fnAny(losses.logSoftmaxArray), [
    logits23,
    fc.constant([2, 3]),
    fc.constant(-1),
    fc.constant(undefined),
  ]),
  junkTarget(PKG, 'softmaxBackwardArray', fnAny(losses.softmaxBackwardArray), [
    logits23,
    logits23,
    fc.constant([2, 3]),
    fc.constant(-1),
    fc.constant(undefined),
  ]),
  junkTarget(PKG, 'logSoftmaxBackwardArray', fnAny(losses.logSoftmaxBackwardArray), [
    logits23,
    logits23,
    fc.constant([2, 3]),
    fc.constant(-1),
    fc.constant(undefined),
  ]),
  junkTarget(PKG, 'softmax', fnAny(losses.softmax), [fc.constant(core.zeros([2, 3])), fc.constant(-1)]),
  junkTarget(PKG, 'logSoftmax', fnAny(losses.logSoftmax), [fc.constant(core.zeros([2, 3])), fc.constant(-1)]),
] as Target<never>[];

export { junk };
