import { getKernels, neg, setKernels, Tensor, tidy } from '@hw3/core';
import { createWasmKernels, type Kernels, tsKernels } from '@hw3/core/kernels';
import { createThreadedWasmKernels } from '@hw3/core/threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { batchNorm } from '../batch-norm';
import { batchNormBackward } from '../batch-norm-backward';
import { batchNormForward, batchNormInference } from '../batch-norm-forward';
import { randomArray } from '../test-utils';
import { batchNormWasmBuilds } from './batch-norm.generated';
import { batchNormWasmFor } from './batch-norm-wasm';

// The batch-norm loops on the kernel set's memory: on the one-thread WebAssembly set and on the two-thread set (the
// second half of the rows on the worker). The reductions are computed per fixed half of the rows and added in the same
// order on one and two threads, so every output is bit-identical between them.

const single = createWasmKernels('simd') as Kernels; // on a shared memory (Node has SharedArrayBuffer)

/** The one-thread set as where SharedArrayBuffer is missing: the unshared build (and the unshared satellite). */
function withoutSharedArrayBuffer<T>(fn: () => T): T {
  const g = globalThis as { SharedArrayBuffer?: unknown };
  const saved = g.SharedArrayBuffer;
  delete g.SharedArrayBuffer;
  try {
    return fn();
  } finally {
    g.SharedArrayBuffer = saved;
  }
}
const unshared = withoutSharedArrayBuffer(() => createWasmKernels('simd')) as Kernels;
const memoryOf = (k: Kernels): WebAssembly.Memory =>
  (k as unknown as { runtime: { arena: { memory: WebAssembly.Memory } } }).runtime.arena.memory;
const threaded = createThreadedWasmKernels('simd');
const saved = getKernels();
beforeAll(async () => {
  await threaded?.ready();
});
afterEach(() => setKernels(saved));
afterAll(() => threaded?.dispose());

/** Records the satellite calls posted to the worker of the two-thread set. */
function recordPosts(): { names: string[]; restore(): void } {
  const link = (threaded as unknown as { runtime: { worker: Record<string, unknown> } }).runtime.worker;
  const original = link.postSatellite as (
    calls: readonly [string, readonly number[]][],
    table: unknown,
  ) => void;
  const names: string[] = [];
  link.postSatellite = (calls: readonly [string, readonly number[]][], table: unknown) => {
    for (const [name] of calls) names.push(name);
    original(calls, table);
  };
  return {
    names,
    restore() {
      link.postSatellite = original;
    },
  };
}

type Run = Record<string, Float32Array | Float64Array | null>;

/** Every public float32 path: training / eval forward with and without ReLU, backward with ReLU, dx = dy, dx = null. */
function runAll(kernels: Kernels, shape: number[], seed: number): Run {
  setKernels(kernels);
  const c = shape[shape.length - 1];
  const size = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(randomArray(size, seed, 2, 3));
  const dy = new Float32Array(randomArray(size, seed + 1));
  const gamma = new Float32Array(randomArray(c, seed + 2, 1, 0.5));
  const beta = new Float32Array(randomArray(c, seed + 3));
  const fwd = batchNormForward(x, shape, { gamma, beta });
  const bwd = batchNormBackward(dy, fwd.cache, { gamma });
  const fwdRelu = batchNormForward(x, shape, { gamma, beta, relu: true });
  const bwdRelu = batchNormBackward(dy, fwdRelu.cache, { gamma });
  const aliased = dy.slice();
  const bwdAliased = batchNormBackward(aliased, fwdRelu.cache, { gamma, dx: aliased });
  const noDx = batchNormBackward(dy, fwdRelu.cache, { gamma, inputGradient: false });
  const running = {
    runningMean: new Float32Array(randomArray(c, seed + 4)),
    runningVar: new Float32Array(c).fill(2),
  };
  const evalOut = batchNormInference(x, shape, { gamma, beta, ...running }).output;
  const evalRelu = batchNormInference(x, shape, { gamma, beta, ...running, relu: true }).output;
  return {
    y: fwd.output,
    mean: fwd.cache.mean.slice(),
    variance: fwd.cache.variance.slice(),
    dx: bwd.dx,
    dGamma: bwd.dGamma,
    dBeta: bwd.dBeta,
    yRelu: fwdRelu.output,
    dxRelu: bwdRelu.dx,
    dGammaRelu: bwdRelu.dGamma,
    aliased,
    dGammaAliased: bwdAliased.dGamma,
    noDx: noDx.dx,
    dGammaNoDx: noDx.dGamma,
    dyAfter: dy,
    evalOut,
    evalRelu,
  };
}

function expectBitIdentical(a: Run, b: Run, where: string): void {
  for (const key of Object.keys(a)) {
    const u = a[key];
    const v = b[key];
    if (u === null || v === null) {
      expect(v, `${where} ${key}`).toBe(u);
      continue;
    }
    expect(v.length, `${where} ${key}`).toBe(u.length);
    // Compare bits (NaN-safe, −0 vs +0 distinguished).
    const bu = new Uint8Array(u.buffer, u.byteOffset, u.byteLength);
    const bv = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    expect(Buffer.compare(bu, bv), `${where} ${key}`).toBe(0);
  }
}

describe('batch norm on two threads (the two-thread WebAssembly kernel set)', () => {
  it('the two-thread set starts, and the loops load on both kernel sets (satellite builds: shared and unshared)', () => {
    expect(threaded?.parallel).toBe(true);
    expect(batchNormWasmFor(single)).not.toBeNull();
    expect(memoryOf(unshared).buffer instanceof SharedArrayBuffer).toBe(false);
    expect(batchNormWasmFor(unshared)).not.toBeNull();
    expect(batchNormWasmFor(threaded as Kernels)).not.toBeNull();
    expect(batchNormWasmFor(tsKernels)).toBeNull();
  });

  it('forward (training / eval, ± ReLU) and backward (ReLU, dx = dy, dx = null): one and two threads bit-identical; the worker takes part', () => {
    const posts = recordPosts();
    try {
      for (const [shape, seed] of [
        [[64, 28, 28, 8], 1],
        [[64, 14, 14, 16], 2],
        [[33, 17, 9, 5], 3], // odd rows, C not a multiple of 4
        [[4097, 1], 4], // odd rows, one channel
        [[3, 5, 7, 3], 5], // small: one thread on both
      ] as [number[], number][]) {
        const one = runAll(single, shape, seed);
        const two = runAll(threaded as Kernels, shape, seed);
        expectBitIdentical(one, two, `[${shape}]`);
        expectBitIdentical(one, runAll(unshared, shape, seed), `[${shape}] unshared memory`);
      }
    } finally {
      posts.restore();
    }
    for (const name of ['bnReduce', 'bnNormalize', 'bnAffine', 'bnReluMaskReduce'])
      expect(posts.names).toContain(name);
  });

  it('parts the worker has not started run on the calling thread with its own instance of the loops: the same bits', () => {
    const held = threaded as unknown as { holdWorker: boolean; stolen: number };
    const shape = [64, 14, 14, 16];
    const one = runAll(single, shape, 6);
    expectBitIdentical(one, runAll(threaded as Kernels, shape, 6), 'warm-up (the loops load on the worker)');
    const before = held.stolen;
    held.holdWorker = true; // the worker never sees the commands: the calling thread claims every part
    try {
      expectBitIdentical(one, runAll(threaded as Kernels, shape, 6), 'every part on the calling thread');
    } finally {
      held.holdWorker = false;
    }
    expect(held.stolen - before).toBeGreaterThanOrEqual(6);
    expectBitIdentical(one, runAll(threaded as Kernels, shape, 6), 'the worker again');
  });

  it('agrees with the TypeScript kernels on two threads too (the statistics only change summation order)', () => {
    const shape = [64, 14, 14, 16];
    const ref = runAll(tsKernels, shape, 7);
    const two = runAll(threaded as Kernels, shape, 7);
    const err = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let d = 0;
      let s = 0;
      for (let i = 0; i < b.length; i++) {
        d = Math.max(d, Math.abs(a[i] - b[i]));
        s = Math.max(s, Math.abs(b[i]));
      }
      return d / (1 + s);
    };
    expect(err(two.mean!, ref.mean!)).toBeLessThan(1e-13);
    expect(err(two.variance!, ref.variance!)).toBeLessThan(1e-13);
    expect(err(two.y!, ref.y!)).toBeLessThan(2e-7);
    expect(err(two.dxRelu!, ref.dxRelu!)).toBeLessThan(2e-7);
    expect(err(two.dGammaRelu!, ref.dGammaRelu!)).toBeLessThan(1e-6);
  });

  it('operands already in the kernel set memory are used in place and give the same bits as copies', () => {
    for (const k of [single, unshared, threaded as Kernels]) {
      const loops = batchNormWasmFor(k)!;
      const memory = (k as unknown as { runtime: { arena: { memory: WebAssembly.Memory } } }).runtime.arena
        .memory;
      const rows = 64 * 14 * 14;
      const C = 16;
      const size = rows * C;
      // Room far above the per-call arena: grow, then lay the "tensors" out near the end.
      const start = memory.buffer.byteLength + (32 << 20);
      memory.grow(Math.ceil((start + 5 * 4 * size + 4 * 64 - memory.buffer.byteLength) / 65536));
      const view = (i: number, n: number) => new Float32Array(memory.buffer, start + i * 4 * size, n);
      const x = new Float32Array(randomArray(size, 11, 1, 2));
      const dy = new Float32Array(randomArray(size, 12));
      const gamma = new Float32Array(randomArray(C, 13, 1, 0.3));
      const beta = new Float32Array(randomArray(C, 14));
      const stats = () => [new Float64Array(C), new Float64Array(C), new Float64Array(C)] as const;
      // Copies (plain arrays).
      const [m1, v1, i1] = stats();
      const y1 = new Float32Array(size);
      expect(loops.forward(x, rows, C, 1e-5, gamma, beta, true, m1, v1, i1, y1, true)).toBe(true);
      const s1 = [new Float64Array(C), new Float64Array(C)];
      const dx1 = new Float32Array(size);
      expect(loops.backward(dy, x, rows, C, m1, i1, gamma, s1[0], s1[1], dx1, true, beta)).toBe(true);
      // The same operands as views of the memory (x, y, dy, dx, then γ and β).
      const [xm, ym, dym, dxm] = [view(0, size), view(1, size), view(2, size), view(3, size)];
      const gm = view(4, C);
      const bm = new Float32Array(memory.buffer, start + 4 * 4 * size + 64, C);
      xm.set(x);
      dym.set(dy);
      gm.set(gamma);
      bm.set(beta);
      const [m2, v2, i2] = stats();
      expect(loops.forward(xm, rows, C, 1e-5, gm, bm, true, m2, v2, i2, ym, true)).toBe(true);
      const s2 = [new Float64Array(C), new Float64Array(C)];
      expect(loops.backward(dym, xm, rows, C, m2, i2, gm, s2[0], s2[1], dxm, true, bm)).toBe(true);
      const now = (i: number, n: number) => view(i, n); // fresh views (an unshared memory may have grown)
      expect(Array.from(m2)).toEqual(Array.from(m1));
      expect(Array.from(v2)).toEqual(Array.from(v1));
      expect(
        Buffer.compare(Buffer.from(now(1, size).buffer, start + 4 * size, 4 * size), Buffer.from(y1.buffer)),
      ).toBe(0);
      expect(Array.from(s2[0])).toEqual(Array.from(s1[0]));
      expect(Array.from(s2[1])).toEqual(Array.from(s1[1]));
      expect(
        Buffer.compare(
          Buffer.from(now(3, size).buffer, start + 12 * size, 4 * size),
          Buffer.from(dx1.buffer),
        ),
      ).toBe(0);
      // dy in the memory is not modified by the fused ReLU's mask.
      expect(
        Buffer.compare(Buffer.from(now(2, size).buffer, start + 8 * size, 4 * size), Buffer.from(dy.buffer)),
      ).toBe(0);
      // In place: out = x, dx = dy, both in the memory.
      const [m3, v3, i3] = stats();
      expect(loops.forward(now(0, size), rows, C, 1e-5, gm, bm, true, m3, v3, i3, now(0, size), true)).toBe(
        true,
      );
      expect(Buffer.compare(Buffer.from(now(0, size).buffer, start, 4 * size), Buffer.from(y1.buffer))).toBe(
        0,
      );
    }
  });

  it('inside tidy (outputs resident in the kernel set memory, used in place): the same bits as outside', () => {
    for (const k of [single, threaded as Kernels]) {
      const outside = runAll(k, [64, 14, 14, 16], 31);
      const inside = tidy(() => {
        const r = runAll(k, [64, 14, 14, 16], 31);
        const memory = memoryOf(k);
        // y, dx were allocated by the ops (allocateOutputLike): resident, i.e. views of the set's shared memory.
        expect(
          r.y!.buffer instanceof SharedArrayBuffer && r.y!.buffer.byteLength <= memory.buffer.byteLength,
        ).toBe(true);
        expect(r.dx!.buffer instanceof SharedArrayBuffer).toBe(true);
        const copy: Run = {};
        for (const [key, v] of Object.entries(r)) copy[key] = v === null ? null : v.slice();
        return copy;
      });
      expectBitIdentical(outside, inside, `${k.name} tidy`);
    }
  });

  it('the fused max pool (batchNorm(x, { relu, maxPool2d })): one and two threads bit-identical, the worker takes its images', () => {
    const pooled = (k: Kernels, relu: boolean, training: boolean) => {
      setKernels(k);
      const shape = [64, 28, 28, 8];
      const size = 64 * 28 * 28 * 8;
      const x = new Tensor(new Float32Array(randomArray(size, 41, 0.5, 2)), shape, { requiresGrad: true });
      const weight = new Tensor(new Float32Array(randomArray(8, 42, 1, 0.5)), [8], { requiresGrad: true });
      const bias = new Tensor(new Float32Array(randomArray(8, 43)), [8], { requiresGrad: true });
      const runningMean = new Tensor(new Float32Array(8), [8]);
      const runningVar = new Tensor(new Float32Array(8).fill(1), [8]);
      const y = tidy(() => {
        const out = batchNorm(neg(neg(x)), {
          weight,
          bias,
          runningMean,
          runningVar,
          training,
          relu,
          maxPool2d: { kernelSize: 2 },
        });
        out.backward(new Tensor(new Float32Array(randomArray(out.size, 44)), out.shape));
        return out.data.slice();
      });
      const run: Run = {
        y,
        dx: x.grad!.data,
        dw: weight.grad!.data,
        db: bias.grad!.data,
        rm: runningMean.data,
      };
      return run;
    };
    const posts = recordPosts();
    try {
      for (const relu of [true, false])
        for (const training of [true, false])
          expectBitIdentical(
            pooled(single, relu, training),
            pooled(threaded as Kernels, relu, training),
            `relu ${relu} training ${training}`,
          );
    } finally {
      posts.restore();
    }
    expect(posts.names).toContain('bnNormalizePool2x2');
  });

  it('a growth of the memory between calls: the next calls still give the same bits', () => {
    for (const k of [single, unshared, threaded as Kernels]) {
      const before = runAll(k, [64, 14, 14, 16], 21);
      const memory = (k as unknown as { runtime: { arena: { memory: WebAssembly.Memory } } }).runtime.arena
        .memory;
      const pages = memory.buffer.byteLength / 65536;
      memory.grow(64);
      expect(memory.buffer.byteLength / 65536).toBe(pages + 64);
      const after = runAll(k, [64, 14, 14, 16], 21);
      expectBitIdentical(before, after, k.name);
    }
  });

  it('the satellite builds import env.memory only and have no data, memory or start section (nothing of core is overwritten)', () => {
    for (const b64 of [batchNormWasmBuilds.unshared.simd, batchNormWasmBuilds.shared.simd]) {
      const bytes = Buffer.from(b64, 'base64');
      const module = new WebAssembly.Module(bytes);
      expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
      const ids: number[] = [];
      for (let p = 8; p < bytes.length; ) {
        ids.push(bytes[p++]);
        let n = 0;
        let shift = 0;
        let b: number;
        do {
          b = bytes[p++];
          n += (b & 127) * 2 ** shift;
          shift += 7;
        } while (b & 128);
        p += n;
      }
      for (const id of [5, 6, 8, 11, 12]) expect(ids, `section ${id}`).not.toContain(id); // memory, global, start, data
    }
  });
});
