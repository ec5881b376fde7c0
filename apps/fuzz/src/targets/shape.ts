/** Fuzz targets of @hw3/shape: every output size against the reference formula, every bad option refused. */

import fc from 'fast-check';
import * as shape from '../entries/shape';
import { badNonNegativeInt, badPositiveInt, badValue, hugeShape, junk, junkTarget, sameShape } from '../gen';
import { type Bad, check, type Target } from '../harness';

const PKG = '@hw3/shape' as const;

// Reference formulas (PyTorch's documented rules; 'same' is TensorFlow's).
export function convRef(n: number, k: number, s: number, d: number, pb: number, pa: number): number {
  return Math.floor((n + pb + pa - d * (k - 1) - 1) / s) + 1;
}
export function poolRef(n: number, k: number, s: number, d: number, pb: number, pa: number, ceil: boolean) {
  const eff = d * (k - 1) + 1;
  if (pb > Math.floor(eff / 2) || pa > Math.floor(eff / 2)) return Number.NaN; // padding too large
  let out = Math.floor((n + pb + pa - eff + (ceil ? s - 1 : 0)) / s) + 1;
  if (out >= 1 && ceil && (out - 1) * s >= n + pb) out -= 1;
  return out;
}
export function transRef(n: number, k: number, s: number, d: number, pb: number, pa: number, op: number) {
  return (n - 1) * s - pb - pa + d * (k - 1) + op + 1;
}
export function sameRef(n: number, k: number, s: number, d: number): [number, number] {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + d * (k - 1) + 1 - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

type Pad1 = number | [number, number] | 'same' | 'valid';

interface Dim {
  n: number;
  k: number;
  s: number;
  d: number;
  pad: Pad1;
  op: number;
}

const dimArb: fc.Arbitrary<Dim> = fc.record({
  n: fc.integer({ min: 1, max: 12 }),
  k: fc.integer({ min: 1, max: 5 }),
  s: fc.integer({ min: 1, max: 3 }),
  d: fc.integer({ min: 1, max: 2 }),
  pad: fc.oneof(
    fc.integer({ min: 0, max: 3 }),
    fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
    fc.constantFrom<'same' | 'valid'>('same', 'valid'),
  ),
  op: fc.integer({ min: 0, max: 2 }),
});

function resolve1(dim: Dim): [number, number] {
  if (dim.pad === 'valid') return [0, 0];
  if (dim.pad === 'same') return sameRef(dim.n, dim.k, dim.s, dim.d);
  if (typeof dim.pad === 'number') return [dim.pad, dim.pad];
  return dim.pad;
}

// ---- 1-d output sizes ----

interface SizeCase {
  dim: Dim;
  ceilMode: boolean;
  bad?: Bad;
  /** A null option: the function may treat it as the default or refuse it with a typed error. */
  lenient: boolean;
  args: [unknown, unknown, Record<string, unknown>];
}

const sizeCase = (kind: 'conv' | 'pool' | 'transpose'): fc.Arbitrary<SizeCase> =>
  fc
    .record({
      dim: dimArb,
      ceilMode: fc.boolean(),
      corrupt: fc.option(
        fc.oneof(
          fc.tuple(fc.constantFrom('inputSize', 'kernelSize', 'stride', 'dilation'), badPositiveInt),
          fc.tuple(fc.constant('padding'), badNonNegativeInt),
          ...(kind === 'transpose' ? [fc.tuple(fc.constant('outputPadding'), badNonNegativeInt)] : []),
          ...(kind === 'pool'
            ? [fc.tuple(fc.constant('ceilMode'), fc.constantFrom<unknown>(1, 'yes', null))]
            : []),
        ),
        { freq: 3 },
      ),
    })
    .map(({ dim, ceilMode, corrupt }) => {
      const pad = kind === 'transpose' && dim.pad === 'same' ? 'valid' : dim.pad;
      const options: Record<string, unknown> = { stride: dim.s, padding: pad, dilation: dim.d };
      if (kind === 'pool') options.ceilMode = ceilMode;
      if (kind === 'transpose') options.outputPadding = dim.op;
      const args: [unknown, unknown, Record<string, unknown>] = [dim.n, dim.k, options];
      let bad: Bad | undefined;
      let lenient = false;
      if (corrupt !== null) {
        const [key, value] = corrupt as [string, unknown];
        if (key === 'inputSize') args[0] = value;
        else if (key === 'kernelSize') args[1] = value;
        else options[key] = value;
        if (value === null && key !== 'inputSize' && key !== 'kernelSize') lenient = true;
        else bad = badValue(key, value);
      }
      return { dim: { ...dim, pad }, ceilMode, bad, lenient, args };
    });

function sizeTarget(kind: 'conv' | 'pool' | 'transpose'): Target<SizeCase> {
  const fn =
    kind === 'conv'
      ? shape.convOutputSize
      : kind === 'pool'
        ? shape.poolOutputSize
        : shape.convTransposeOutputSize;
  return {
    pkg: PKG,
    name: fn.name,
    variant: 'valid and corrupted sizes vs reference formula',
    weight: 2,
    arb: sizeCase(kind),
    run: ({ dim, ceilMode, args, bad, lenient }) => {
      const expected = (): number => {
        const [pb, pa] = resolve1(dim);
        if (kind === 'conv') return convRef(dim.n, dim.k, dim.s, dim.d, pb, pa);
        if (kind === 'pool') return poolRef(dim.n, dim.k, dim.s, dim.d, pb, pa, ceilMode);
        if (dim.op >= dim.s && dim.op >= dim.d) return Number.NaN; // outputPadding must be < stride or dilation
        return transRef(dim.n, dim.k, dim.s, dim.d, pb, pa, dim.op);
      };
      let got: number;
      try {
        got = (fn as (...a: unknown[]) => number)(...args);
      } catch (e) {
        // A typed error on a valid input is only right when the reference says "no valid output".
        const want = bad === undefined && !lenient ? expected() : Number.NaN;
        check(!(want >= 1), () => `threw ${String(e)} although the reference gives ${want}`);
        throw e;
      }
      if (bad !== undefined) return;
      const want = expected();
      check(got === want, () => `got ${got}, reference ${want}`);
    },
  };
}

// ---- N-d shapes ----

interface NdCase {
  fnName: string;
  input: number[];
  options: Record<string, unknown>;
  expected: number[] | null;
  bad?: Bad;
  /** Huge extents: no reference kept, the result must still be integers >= 1. */
  hugeCase: boolean;
}

type NdKind = 'conv' | 'pool' | 'transpose';

function ndCase(kind: NdKind, rank: number | undefined): fc.Arbitrary<NdCase> {
  const rankArb = rank === undefined ? fc.integer({ min: 1, max: 3 }) : fc.constant(rank);
  return rankArb.chain((r) =>
    fc
      .record({
        dims: fc.array(dimArb, { minLength: r, maxLength: r }),
        batch: fc.integer({ min: 1, max: 3 }),
        groups: fc.integer({ min: 1, max: 3 }),
        inPerGroup: fc.integer({ min: 1, max: 3 }),
        outPerGroup: fc.integer({ min: 1, max: 3 }),
        layout: fc.constantFrom('channels-last', 'channels-first', undefined),
        ceilMode: fc.boolean(),
        scalarStride: fc.boolean(),
        corrupt: fc.option(
          fc.oneof(
            fc.tuple(
              fc.constantFrom('kernelSize', 'stride', 'dilation', 'outChannels', 'groups'),
              badPositiveInt,
            ),
            fc.tuple(fc.constant('padding'), fc.constantFrom<unknown>(-1, 0.5, Number.NaN, 'full', true)),
            fc.tuple(fc.constant('layout'), fc.constantFrom<unknown>('NHWC', 1)),
            fc.tuple(fc.constant('inputShape'), fc.constantFrom<unknown>(0, -2, 1.5, Number.NaN, '4')),
            fc.tuple(fc.constant('stride'), fc.constantFrom<unknown>([1, 1, 1, 1, 1], [])),
            fc.tuple(fc.constant('inChannels'), fc.constantFrom<unknown>(1000)),
            fc.tuple(fc.constant('inputShape'), hugeShape),
          ),
          { freq: 3 },
        ),
      })
      .map((g) => {
        const { dims, batch, layout } = g;
        const groups = kind === 'pool' ? 1 : g.groups;
        const inC = groups * g.inPerGroup;
        const outC = groups * g.outPerGroup;
        const spatial = dims.map((d) => d.n);
        const cl = layout !== 'channels-first';
        const input = cl ? [batch, ...spatial, inC] : [batch, inC, ...spatial];
        const pads = dims.map((d) => (kind === 'transpose' && d.pad === 'same' ? 'valid' : d.pad));
        const allSame = pads.every((p) => p === 'same');
        const allValid = pads.every((p) => p === 'valid');
        const padding: unknown = allSame
          ? 'same'
          : allValid
            ? 'valid'
            : pads.map((p) => (p === 'same' || p === 'valid' ? 0 : p));
        const resolvedDims = dims.map((d, i) => ({
          ...d,
          pad: (padding === 'same' ? 'same' : padding === 'valid' ? 'valid' : (padding as Pad1[])[i]) as Pad1,
        }));
        const options: Record<string, unknown> = {
          kernelSize: dims.map((d) => d.k),
          stride: g.scalarStride ? dims[0].s : dims.map((d) => d.s),
          dilation: dims.map((d) => d.d),
          padding,
        };
        if (g.scalarStride) for (const d of resolvedDims) d.s = dims[0].s;
        if (layout !== undefined) options.layout = layout;
        if (kind !== 'pool') {
          options.outChannels = outC;
          options.groups = groups;
        }
        if (kind === 'pool') options.ceilMode = g.ceilMode;
        if (kind === 'transpose') options.outputPadding = dims.map((d) => d.op);
        let expected: number[] | null = resolvedDims.map((d) => {
          const [pb, pa] = resolve1(d);
          if (kind === 'conv') return convRef(d.n, d.k, d.s, d.d, pb, pa);
          if (kind === 'pool') return poolRef(d.n, d.k, d.s, d.d, pb, pa, g.ceilMode);
          if (d.op >= d.s && d.op >= d.d) return Number.NaN;
          return transRef(d.n, d.k, d.s, d.d, pb, pa, d.op);
        });
        if (expected.some((v) => !(v >= 1))) expected = null;
        else {
          const c = kind === 'pool' ? inC : outC;
          expected = cl ? [batch, ...expected, c] : [batch, c, ...expected];
        }
        let bad: Bad | undefined;
        let hugeCase = false;
        let inputShape: unknown = input;
        if (g.corrupt !== null) {
          const [key, value] = g.corrupt as [string, unknown];
          if (key === 'inputShape' && Array.isArray(value)) {
            // Huge extents are valid shape arithmetic (nothing is allocated): the oracle still applies.
            const huge = cl
              ? [1, ...spatial.map((_, i) => value[i % value.length]), inC]
              : [1, inC, ...spatial.map((_, i) => value[i % value.length])];
            inputShape = huge;
            expected = null;
            hugeCase = true;
          } else if (key === 'inputShape') {
            inputShape = [value, ...input.slice(1)];
            bad = badValue('', value);
          } else if (kind === 'pool' && (key === 'outChannels' || key === 'groups')) {
            // pooling has no such option
          } else if (key === 'inChannels') {
            if (kind !== 'pool') {
              options.inChannels = inC + (value as number);
              bad = { arg: 'channel', value: inC + (value as number) };
            }
          } else if (value !== null || key === 'kernelSize' || key === 'outChannels') {
            // (null for an optional option may mean "default": not generated)
            options[key] = value;
            bad = Array.isArray(value) ? { arg: key, value, skipValue: true } : badValue(key, value);
          }
        }
        return {
          fnName: '',
          input: inputShape as number[],
          options,
          expected: bad === undefined ? expected : null,
          bad,
          hugeCase,
        };
      }),
  );
}

function ndTarget(
  name: keyof typeof shape,
  kind: NdKind,
  rank: number | undefined,
  pick: (r: unknown) => number[] = (r) => r as number[],
): Target<NdCase> {
  const fn = shape[name] as unknown as (s: unknown, o: unknown) => unknown;
  return {
    pkg: PKG,
    name,
    variant: 'valid and corrupted geometry vs reference formula',
    weight: 2,
    arb: ndCase(kind, rank),
    run: (c) => {
      let out: number[];
      try {
        out = pick(fn(c.input, c.options));
      } catch (e) {
        check(c.expected === null, () => `threw ${String(e)} although the reference gives [${c.expected}]`);
        throw e;
      }
      if (c.bad !== undefined) return;
      if (c.hugeCase) {
        check(
          out.every((d) => Number.isInteger(d) && d >= 1),
          () => `huge input gave [${out}]`,
        );
        return;
      }
      check(c.expected !== null, () => `returned [${out}] although the reference has an output < 1`);
      check(sameShape(out, c.expected), () => `got [${out}], reference [${c.expected}]`);
    },
  };
}

// ---- padding ----

const samePaddingTarget: Target<{ dim: Dim; bad?: Bad; args: unknown[] }> = {
  pkg: PKG,
  name: 'samePadding',
  variant: 'valid and corrupted vs TensorFlow rule',
  arb: fc
    .record({
      dim: dimArb,
      corrupt: fc.option(fc.tuple(fc.integer({ min: 0, max: 3 }), badPositiveInt), { freq: 3 }),
    })
    .map(({ dim, corrupt }) => {
      const args: unknown[] = [dim.n, dim.k, dim.s, dim.d];
      let bad: Bad | undefined;
      if (corrupt !== null) {
        const names = ['inputSize', 'kernelSize', 'stride', 'dilation'];
        args[corrupt[0]] = corrupt[1];
        bad = badValue(names[corrupt[0]], corrupt[1]);
      }
      return { dim, bad, args };
    }),
  run: ({ dim, bad, args }) => {
    const got = (shape.samePadding as (...a: unknown[]) => [number, number])(...args);
    if (bad !== undefined) return;
    const want = sameRef(dim.n, dim.k, dim.s, dim.d);
    check(got[0] === want[0] && got[1] === want[1], () => `got [${got}], reference [${want}]`);
  },
};

const resolvePaddingTarget: Target<{ dims: Dim[]; padding: unknown; bad?: Bad }> = {
  pkg: PKG,
  name: 'resolvePadding',
  variant: 'valid and corrupted vs reference',
  arb: fc
    .record({
      dims: fc.array(dimArb, { minLength: 1, maxLength: 3 }),
      mode: fc.constantFrom('same', 'valid', 'list', 'number'),
      corrupt: fc.option(fc.constantFrom<unknown>(-1, 0.5, Number.NaN, 'full', [1, 2, 3, 4], null), {
        freq: 3,
      }),
    })
    .map(({ dims, mode, corrupt }) => {
      let padding: unknown =
        mode === 'same' || mode === 'valid'
          ? mode
          : mode === 'number'
            ? typeof dims[0].pad === 'number'
              ? dims[0].pad
              : 1
            : dims.map((d) => (typeof d.pad === 'string' ? 0 : d.pad));
      let bad: Bad | undefined;
      if (corrupt !== null) {
        padding = corrupt;
        bad = badValue('padding', corrupt);
        if (Array.isArray(corrupt)) bad = { arg: 'padding', value: corrupt, skipValue: true };
      }
      return { dims, padding, bad };
    }),
  run: ({ dims, padding, bad }) => {
    const geometry = {
      inputSize: dims.map((d) => d.n),
      kernelSize: dims.map((d) => d.k),
      stride: dims.map((d) => d.s),
      dilation: dims.map((d) => d.d),
    };
    const got = shape.resolvePadding(padding as shape.Padding, geometry);
    if (bad !== undefined) return;
    const want = dims.map((d) =>
      resolve1({
        ...d,
        pad:
          padding === 'same' || padding === 'valid'
            ? padding
            : typeof padding === 'number'
              ? padding
              : d.pad === 'same' || d.pad === 'valid'
                ? 0
                : d.pad,
      }),
    );
    check(
      got.length === want.length && got.every((p, i) => p[0] === want[i][0] && p[1] === want[i][1]),
      () => `got ${JSON.stringify(got)}, reference ${JSON.stringify(want)}`,
    );
  },
};

// ---- network summaries ----

const layerArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({
    type: fc.constant('conv'),
    outChannels: fc.integer({ min: 1, max: 8 }),
    kernelSize: fc.integer({ min: 1, max: 3 }),
    padding: fc.constantFrom(0, 1, 'same'),
  }),
  fc.record({
    type: fc.constant('pool'),
    mode: fc.constantFrom('max', 'avg'),
    kernelSize: fc.integer({ min: 1, max: 2 }),
  }),
  fc.record({ type: fc.constant('batchNorm') }),
  fc.record({ type: fc.constant('relu') }),
  fc.record({ type: fc.constant('dropout'), p: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ type: fc.constant('flatten') }),
  fc.record({ type: fc.constant('linear'), outFeatures: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    type: fc.constant('convTranspose'),
    outChannels: fc.integer({ min: 1, max: 4 }),
    kernelSize: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
  }),
);

const corruptLayer: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(fc.constantFrom('outChannels', 'kernelSize', 'outFeatures'), badPositiveInt),
  fc.tuple(fc.constant('type'), fc.constantFrom<unknown>('lstm', 3, null)),
  fc.tuple(fc.constant('p'), fc.constantFrom<unknown>(-0.5, 1.5, Number.NaN)),
);

interface NetCase {
  inputShape: unknown;
  layers: Record<string, unknown>[];
  bad?: Bad;
}

const netArb: fc.Arbitrary<NetCase> = fc
  .record({
    input: fc.tuple(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 3 }),
    ),
    layers: fc.array(layerArb, { minLength: 0, maxLength: 6 }),
    corrupt: fc.option(corruptLayer, { freq: 3 }),
    hugeInput: fc.option(hugeShape, { freq: 10 }),
  })
  .map(({ input, layers, corrupt, hugeInput }) => {
    const ls = layers.map((l) => ({ ...l }));
    let bad: Bad | undefined;
    if (corrupt !== null && ls.length > 0) {
      // The first layer, so that the error is about the corrupted option and not a later shape problem.
      const layer = ls[0];
      const [key, value] = corrupt as [string, unknown];
      const applies =
        key === 'type' ||
        (key in layer && !(key === 'p' && layer.type !== 'dropout')) ||
        (key === 'kernelSize' && 'kernelSize' in layer);
      if (applies) {
        layer[key] = value;
        bad = badValue(key === 'type' ? 'type' : key, value);
      }
    }
    const inputShape = hugeInput !== null ? [1, ...hugeInput, 1] : input;
    return { inputShape, layers: ls, bad };
  });

const summarizeTarget: Target<NetCase> = {
  pkg: PKG,
  name: 'summarize',
  variant: 'random networks, corrupted layers, huge inputs',
  weight: 2,
  arb: netArb,
  run: ({ inputShape, layers }) => {
    const s = shape.summarize(inputShape as number[], layers as unknown as shape.LayerSpec[]);
    check(s.rows.length === layers.length, 'one row per layer');
    check(sameShape(s.inputShape, inputShape as number[]), 'inputShape echoed');
    for (const r of s.rows) {
      check(
        r.outputShape.every((d) => Number.isInteger(d) && d >= 1),
        () => `row ${r.name} shape [${r.outputShape}]`,
      );
      check(Number.isFinite(r.params) && r.params >= 0, () => `row ${r.name} params ${r.params}`);
      check(Number.isFinite(r.macs) && r.macs >= 0, () => `row ${r.name} macs ${r.macs}`);
    }
    const last = s.rows.length > 0 ? s.rows[s.rows.length - 1].outputShape : s.inputShape;
    check(sameShape(s.outputShape, last), 'outputShape is the last row');
    check(Number.isFinite(s.totals.totalBytes), () => `totalBytes ${s.totals.totalBytes}`);
  },
};

const summarizeNetworkTarget: Target<NetCase> = {
  pkg: PKG,
  name: 'summarizeNetwork',
  variant: 'random networks and mnistCnnBn',
  arb: fc.oneof(
    netArb,
    fc.constant({
      inputShape: [...shape.mnistCnnBn.inputShape],
      layers: [] as Record<string, unknown>[],
      mnist: true,
    }),
  ),
  run: (c) => {
    if ('mnist' in c) {
      const s = shape.summarizeNetwork(shape.mnistCnnBn);
      check(s.totals.trainableParams === 9146, () => `mnist-cnn-bn params ${s.totals.trainableParams}`);
      check(s.totals.macsPerSample === 290080, () => `mnist-cnn-bn MACs ${s.totals.macsPerSample}`);
      return;
    }
    const s = shape.summarizeNetwork({
      inputShape: c.inputShape as number[],
      layers: c.layers as unknown as shape.LayerSpec[],
    });
    check(s.rows.length === c.layers.length, 'one row per layer');
  },
};

const formatSummaryTarget: Target<NetCase> = {
  pkg: PKG,
  name: 'formatSummary',
  variant: 'summaries of random networks',
  arb: netArb.filter((c) => c.bad === undefined),
  run: ({ inputShape, layers }) => {
    const s = shape.summarize(inputShape as number[], layers as unknown as shape.LayerSpec[]);
    const text = shape.formatSummary(s);
    check(typeof text === 'string' && text.split('\n').length >= layers.length + 2, 'one line per layer');
    check(!text.includes('NaN') && !text.includes('undefined'), () => `NaN/undefined in summary:\n${text}`);
  },
};

const plausibleShape = fc.constantFrom([1, 8, 8, 3], [2, 5, 3], [1, 4, 4, 4, 2]);
const plausibleOpts = fc.constantFrom<unknown>({ kernelSize: 2, outChannels: 2 }, { kernelSize: 3 });
const fnAny = (f: unknown) => f as (...a: unknown[]) => unknown;

export const shapeTargets: Target<never>[] = [
  sizeTarget('conv'),
  sizeTarget('pool'),
  sizeTarget('transpose'),
  ndTarget('convShape', 'conv', undefined),
  ndTarget('conv1dShape', 'conv', 1),
  ndTarget('conv2dShape', 'conv', 2),
  ndTarget('conv3dShape', 'conv', 3),
  ndTarget('convGeometry', 'conv', undefined, (g) => (g as shape.ConvGeometry).outputShape),
  ndTarget('poolShape', 'pool', undefined),
  ndTarget('pool1dShape', 'pool', 1),
  ndTarget('pool2dShape', 'pool', 2),
  ndTarget('pool3dShape', 'pool', 3),
  ndTarget('poolGeometry', 'pool', undefined, (g) => (g as shape.PoolGeometry).outputShape),
  ndTarget('convTransposeShape', 'transpose', undefined),
  ndTarget('convTranspose1dShape', 'transpose', 1),
  ndTarget('convTranspose2dShape', 'transpose', 2),
  ndTarget('convTranspose3dShape', 'transpose', 3),
  samePaddingTarget,
  resolvePaddingTarget,
  summarizeTarget,
  summarizeNetworkTarget,
  formatSummaryTarget,
  // Wrong types everywhere.
  ...(
    [
      'convShape',
      'conv1dShape',
      'conv2dShape',
      'conv3dShape',
      'convGeometry',
      'poolShape',
      'pool1dShape',
      'pool2dShape',
      'pool3dShape',
      'poolGeometry',
      'convTransposeShape',
      'convTranspose1dShape',
      'convTranspose2dShape',
      'convTranspose3dShape',
    ] as const
  ).map((n) => junkTarget(PKG, n, fnAny(shape[n]), [plausibleShape, plausibleOpts])),
  junkTarget(PKG, 'convOutputSize', fnAny(shape.convOutputSize), [fc.constant(8), fc.constant(3), junk]),
  junkTarget(PKG, 'poolOutputSize', fnAny(shape.poolOutputSize), [fc.constant(8), fc.constant(2), junk]),
  junkTarget(PKG, 'convTransposeOutputSize', fnAny(shape.convTransposeOutputSize), [
    fc.constant(8),
    fc.constant(3),
    junk,
  ]),
  junkTarget(PKG, 'samePadding', fnAny(shape.samePadding), [fc.constant(8), fc.constant(3), junk, junk]),
  junkTarget(PKG, 'resolvePadding', fnAny(shape.resolvePadding), [
    fc.constantFrom<unknown>('same', 1, [1, 1]),
    fc.constantFrom<unknown>({ inputSize: [4, 4], kernelSize: 3 }, { inputSize: 4 }),
  ]),
  junkTarget(PKG, 'summarize', fnAny(shape.summarize), [
    plausibleShape,
    fc.constantFrom<unknown>([{ type: 'relu' }], [junk], [null]),
    junk,
  ]),
  junkTarget(PKG, 'summarizeNetwork', fnAny(shape.summarizeNetwork), [
    fc.constantFrom<unknown>({ inputShape: [1, 4, 4, 1] }, { layers: [] }),
  ]),
  junkTarget(PKG, 'formatSummary', fnAny(shape.formatSummary), [
    fc.constantFrom<unknown>({ rows: [] }, { rows: null, totals: {} }),
  ]),
] as Target<never>[];
