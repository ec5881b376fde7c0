import { beforeAll, describe, expect, it } from 'vitest';
import { compileSatellite } from '../../scripts/compile-satellite.mjs';
import { seededUniform as seeded } from '../test-utils';
import { batchNormWasmBuilds } from './batch-norm.generated';
import referenceSource from './batch-norm-reference.asm.ts?raw';
import type { BatchNormExports } from './batch-norm-wasm';

// The loops of batch-norm.asm.ts (the built module) against batch-norm-reference.asm.ts, the loops as they were before
// their instructions were chosen for speed (f32x4 loads widened with a shuffle, the fused ReLU's masks in float32).
// Every output must be bit-identical: the same per-channel summation order, the same row blocks and the same float64
// operations per element.

type Loops = BatchNormExports;

/** The reference loops built as the package's module is (scripts/compile-satellite.mjs), unshared. */
async function compileReference(): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await compileSatellite(referenceSource));
}

const MAX_ROWS = 64 * 28 * 28;
const MAX_C = 20;
const FLOATS = MAX_ROWS * MAX_C;
// Byte layout of the memory: per-channel float64 arrays, then x, y and one output per module.
const P = 64; // k / mean, a, scale, offset: 4 arrays of MAX_C float64
const S = P + 4 * 8 * MAX_C; // s1, s2 of each module: 4 arrays of MAX_C float64
const X = 4096;
const Y = X + 4 * FLOATS;
const OUT_NEW = Y + 4 * FLOATS;
const OUT_REF = OUT_NEW + 4 * FLOATS;
const memory = new WebAssembly.Memory({ initial: Math.ceil((OUT_REF + 4 * FLOATS) / 65536) });
let fresh: Loops;
let reference: Loops;

beforeAll(async () => {
  const instantiate = (bytes: Uint8Array<ArrayBuffer>) =>
    new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as Loops;
  fresh = instantiate(new Uint8Array(Buffer.from(batchNormWasmBuilds.unshared.simd, 'base64')));
  reference = instantiate(await compileReference());
});

const f32 = () => new Float32Array(memory.buffer);
const u32 = () => new Uint32Array(memory.buffer);
const f64 = () => new Float64Array(memory.buffer);

/** Float32 bit patterns that the masks and the ReLU must treat exactly as before. */
const SPECIAL = [
  0x00000000, // +0
  0x80000000, // −0
  0x7f800000, // +∞
  0xff800000, // −∞
  0x7fc00000, // NaN
  0xffc00001, // NaN, sign set, payload
  0x7fa00000, // signalling NaN
  0x00000001, // smallest subnormal (×0.5 = 2^−150: rounds to +0)
  0x00000002,
  0x00000003, // ×0.5 = 1.5·2^−149: rounds up
  0x80000001,
  0x007fffff,
  0x7f7fffff, // largest finite
  0xff7fffff,
];

/**
 * Random x and y (with `specials`, 2 % of the elements special values), per-channel constants (some channels chosen
 * to hit the ReLU boundary). Without specials the sums are finite and depend on the summation order.
 */
function fill(rows: number, C: number, seed: number, specials = true): void {
  const rand = seeded(seed);
  const n = rows * C;
  const fx = f32();
  const ux = u32();
  for (let i = 0; i < n; i++) {
    fx[X / 4 + i] = (rand() * 2 - 1) * 3 + 0.5;
    fx[Y / 4 + i] = rand() * 2 - 1;
    if (!specials) continue;
    if (rand() < 0.02) ux[X / 4 + i] = SPECIAL[Math.floor(rand() * SPECIAL.length)];
    // At most one NaN operand per element, so that its payload is what any output of that element carries.
    if (rand() < 0.02 && !Number.isNaN(fx[X / 4 + i]))
      ux[Y / 4 + i] = SPECIAL[Math.floor(rand() * SPECIAL.length)];
  }
  const d = f64();
  for (let c = 0; c < C; c++) {
    const kind = c % 5;
    // mean (or shift k), a, scale, offset
    d[P / 8 + c] = kind === 1 ? 0 : rand() - 0.5;
    d[P / 8 + MAX_C + c] = rand() * 2 - 1;
    d[P / 8 + 2 * MAX_C + c] = kind === 1 ? 0.5 : kind === 2 ? -(1 + rand()) : 0.5 + rand();
    d[P / 8 + 3 * MAX_C + c] = kind === 1 ? 0 : kind === 3 ? -0 : rand() - 0.5;
  }
  if (C >= 2) {
    // Channel 1 (mean 0, scale 0.5, offset 0) on tiny x: (x − 0)·0.5 straddles 2^−150.
    for (let r = 0; r < rows; r++) if (rand() < 0.5) ux[X / 4 + r * C + 1] = Math.floor(rand() * 8);
  }
}

function bits(address: number, count: number, float64: boolean): Uint32Array {
  return new Uint32Array(memory.buffer.slice(address, address + count * (float64 ? 8 : 4)));
}

/**
 * The bits of `count` float64 sums, each NaN as 0x7ff8000000000000: when NaNs of several elements meet in one sum,
 * which payload survives depends on the operand order the engine picks for an add (not on the loops' structure; it
 * differs between two compilations of the same scalar loop).
 */
function sumBits(address: number, count: number): Uint32Array {
  const out = bits(address, count, true);
  const values = new Float64Array(out.buffer);
  for (let i = 0; i < count; i++) if (Number.isNaN(values[i])) values[i] = Number.NaN;
  return out;
}

function expectSameBits(a: Uint32Array, b: Uint32Array, what: string): void {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i]) expect(`${what}: word ${i}: ${a[i].toString(16)}`).toBe(`${b[i].toString(16)}`);
}

const k = P;
const a = P + 8 * MAX_C;
const scale = P + 16 * MAX_C;
const offset = P + 24 * MAX_C;
const s1New = S;
const s2New = S + 8 * MAX_C;
const s1Ref = S + 16 * MAX_C;
const s2Ref = S + 24 * MAX_C;

describe('batch-norm loops: bit-identical to the reference loops', () => {
  const shapes: [number, number][] = [];
  for (const C of [1, 3, 4, 8, 12, 16, 20]) for (const rows of [1, 7, 600, MAX_ROWS]) shapes.push([rows, C]);

  it('bnReduce (moments and backward sums) and bnReluMaskReduce: the same sums and the same mask', () => {
    let seed = 1;
    for (const [[rows, C], specials] of shapes.flatMap((shape) => [
      [shape, false] as const,
      [shape, true] as const,
    ])) {
      fill(rows, C, seed++, specials);
      const where = `rows ${rows} C ${C}${specials ? ' with special values' : ''}`;
      for (const y of [0, Y]) {
        fresh.bnReduce(X, y, rows, C, k, s1New, s2New);
        reference.bnReduce(X, y, rows, C, k, s1Ref, s2Ref);
        expectSameBits(sumBits(s1New, C), sumBits(s1Ref, C), `bnReduce y=${y} s1 ${where}`);
        expectSameBits(sumBits(s2New, C), sumBits(s2Ref, C), `bnReduce y=${y} s2 ${where}`);
      }
      fresh.bnReluMaskReduce(X, Y, OUT_NEW, rows, C, k, scale, offset, s1New, s2New);
      reference.bnReluMaskReduce(X, Y, OUT_REF, rows, C, k, scale, offset, s1Ref, s2Ref);
      expectSameBits(bits(OUT_NEW, rows * C, false), bits(OUT_REF, rows * C, false), `mask ${where}`);
      expectSameBits(sumBits(s1New, C), sumBits(s1Ref, C), `mask s1 ${where}`);
      expectSameBits(sumBits(s2New, C), sumBits(s2Ref, C), `mask s2 ${where}`);
    }
  });

  it('bnNormalize (with and without ReLU) and bnAffine (normalize and input gradient)', () => {
    let seed = 100;
    for (const [rows, C] of shapes) {
      fill(rows, C, seed++);
      const where = `rows ${rows} C ${C}`;
      const n = rows * C;
      for (const relu of [0, 1]) {
        fresh.bnNormalize(X, OUT_NEW, rows, C, k, scale, offset, relu);
        reference.bnNormalize(X, OUT_REF, rows, C, k, scale, offset, relu);
        expectSameBits(bits(OUT_NEW, n, false), bits(OUT_REF, n, false), `bnNormalize relu=${relu} ${where}`);
      }
      for (const y of [0, Y]) {
        fresh.bnAffine(X, y, OUT_NEW, rows, C, k, a, scale, offset);
        reference.bnAffine(X, y, OUT_REF, rows, C, k, a, scale, offset);
        expectSameBits(bits(OUT_NEW, n, false), bits(OUT_REF, n, false), `bnAffine y=${y} ${where}`);
      }
    }
  });

  it('in place as the glue calls them (out = x, out = dy), on row ranges that start mid-array', () => {
    const C = 16;
    const rows = 777;
    const skip = 333; // the second half of a split: x + 4·skip·C
    const n = rows * C;
    const off = 4 * skip * C;
    const save = (address: number) =>
      new Uint32Array(memory.buffer.slice(address, address + 4 * (skip + rows) * C));
    const restore = (address: number, saved: Uint32Array) => u32().set(saved, address / 4);
    fill(skip + rows, C, 7, false);
    const x0 = save(X);
    const y0 = save(Y);
    for (const step of ['normalize', 'affine', 'mask'] as const) {
      const results: Uint32Array[] = [];
      for (const loops of [fresh, reference]) {
        restore(X, x0);
        restore(Y, y0);
        if (step === 'normalize') loops.bnNormalize(X + off, X + off, rows, C, k, scale, offset, 1);
        else if (step === 'affine') loops.bnAffine(X + off, Y + off, Y + off, rows, C, k, a, scale, offset);
        else loops.bnReluMaskReduce(X + off, Y + off, Y + off, rows, C, k, scale, offset, s1New, s2New);
        results.push(bits(step === 'normalize' ? X + off : Y + off, n, false));
        if (step === 'mask') results.push(sumBits(s1New, 2 * MAX_C));
      }
      const half = results.length / 2;
      for (let i = 0; i < half; i++) expectSameBits(results[i], results[half + i], `${step} in place`);
    }
  });
});
