import { afterEach, describe, expect, it } from 'vitest';
import { allocateIndices, allocateOutputLike } from './dtype';
import { kernelConformanceTests } from './kernels/conformance';
import { createWasmKernels, getKernels, type Kernels, setKernels, tsKernels } from './kernels/index';
import { kernelDescriptors } from './kernels/kernels';
import { conv2d } from './ops/conv2d';
import { linear } from './ops/linear';
import { maxPool2d } from './ops/pool2d';
import { flatten } from './ops/reshape';
import { relu } from './ops/unary';
import { Rng } from './rng';
import { scopeDepth, TensorReleasedError } from './storage';
import { Tensor } from './tensor';
import { tidy } from './tidy';

const saved = getKernels();
afterEach(() => setKernels(saved));

const wasm = createWasmKernels() as Kernels;
const storage = () => wasm.residentStorage!;

function randomTensor(shape: number[], seed: number, requiresGrad = false): Tensor {
  const rng = new Rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.uniform(-1, 1);
  return new Tensor(data, shape, { requiresGrad });
}

/** A small conv net step: conv → relu → pool → linear → sum of squares; returns the loss and leaf grads. */
function params() {
  return {
    w1: randomTensor([4, 3, 3, 2], 1, true),
    b1: randomTensor([4], 2, true),
    wl: randomTensor([3, 4 * 8 * 8], 3, true),
    bl: randomTensor([3], 4, true),
  };
}
function step(p: ReturnType<typeof params>, x: Tensor): number {
  const h = maxPool2d(relu(conv2d(x, p.w1, p.b1, { padding: 'same' })), { kernelSize: 2 });
  const y = linear(flatten(h), p.wl, p.bl);
  let loss = 0;
  const g = new Float32Array(y.size);
  for (let i = 0; i < y.size; i++) {
    loss += y.data[i] * y.data[i];
    g[i] = 2 * y.data[i];
  }
  y.backward(new Tensor(g, y.shape));
  return loss;
}

describe('tidy: tensors in WebAssembly memory (resident storage)', () => {
  it('the one-thread WebAssembly kernels run on a shared memory and offer resident storage (Node 20)', () => {
    expect(wasm).not.toBeNull();
    expect(wasm.residentStorage).toBeDefined();
    expect(tsKernels.residentStorage).toBeUndefined();
  });

  it('op outputs inside tidy live in the kernels memory; after tidy their data throws TensorReleasedError', () => {
    setKernels(wasm);
    let kept: Tensor | null = null;
    const x = randomTensor([2, 16, 16, 2], 5);
    const w = randomTensor([4, 3, 3, 2], 6);
    tidy(() => {
      kept = conv2d(x, w, null, { padding: 'same' });
      expect(storage().addressOf(kept.data)).toBeGreaterThanOrEqual(0);
      expect(kept.isAvailable).toBe(true);
      // Inputs made by the user stay ordinary JavaScript arrays.
      expect(storage().addressOf(x.data)).toBe(-1);
    });
    const t = kept as unknown as Tensor;
    expect(t.isAvailable).toBe(false);
    expect(() => t.data).toThrow(TensorReleasedError);
    expect(() => t.toArray()).toThrow(/released when the tidy\(\) scope that computed it ended/);
    let code = '';
    try {
      t.data;
    } catch (e) {
      code = (e as TensorReleasedError).code;
    }
    expect(code).toBe('TENSOR_RELEASED');
    expect(scopeDepth()).toBe(0);
    // x itself was never released.
    expect(x.data.length).toBe(2 * 16 * 16 * 2);
  });

  it('a returned tensor (alone, in an array or in a plain object) is copied out: same values, ordinary memory', () => {
    setKernels(wasm);
    const x = randomTensor([1, 8, 8, 3], 7);
    const w = randomTensor([2, 3, 3, 3], 8);
    const expected = conv2d(x, w, null, { padding: 'same' }).data.slice();
    const one = tidy(() => conv2d(x, w, null, { padding: 'same' }));
    const arr = tidy(() => [conv2d(x, w, null, { padding: 'same' }), 3] as const);
    const obj = tidy(() => ({ y: conv2d(x, w, null, { padding: 'same' }), n: 'a' }));
    for (const t of [one, arr[0], obj.y]) {
      expect(t.isAvailable).toBe(true);
      expect(storage().addressOf(t.data)).toBe(-1);
      expect(t.data.buffer).toBeInstanceOf(ArrayBuffer);
      expect(Array.from(t.data)).toEqual(Array.from(expected));
      expect(t.shape).toEqual([1, 8, 8, 2]);
      expect(t.requiresGrad).toBe(false);
    }
    expect(arr[1]).toBe(3);
    expect(obj.n).toBe('a');
    // A tensor that did not come from the scope is returned as it is.
    expect(tidy(() => x)).toBe(x);
  });

  it('a training step inside tidy gives bit-identical losses and gradients; leaf .grad survives the scope', () => {
    setKernels(wasm);
    const x = randomTensor([3, 16, 16, 2], 9);
    const a = params();
    const b = params();
    for (let s = 0; s < 3; s++) {
      for (const p of [a, b]) for (const t of Object.values(p)) t.grad = null;
      const la = step(a, x);
      const lb = tidy(() => step(b, x));
      expect(Object.is(la, lb)).toBe(true);
      for (const k of Object.keys(a) as (keyof typeof a)[]) {
        const ga = a[k].grad!;
        const gb = b[k].grad!;
        expect(gb.isAvailable).toBe(true);
        expect(storage().addressOf(gb.data)).toBe(-1);
        expect(Array.from(gb.data)).toEqual(Array.from(ga.data));
      }
    }
  });

  it('warm steps reuse the same memory: the allocator returns to its mark and the memory stops growing', () => {
    setKernels(wasm);
    const x = randomTensor([4, 16, 16, 2], 10);
    const p = params();
    const memory = (storage() as unknown as { memory: WebAssembly.Memory }).memory;
    const mark = storage().mark();
    tidy(() => step(p, x));
    expect(storage().mark()).toBe(mark);
    const bytes = memory.buffer.byteLength;
    const addresses: number[][] = [];
    for (let s = 0; s < 3; s++) {
      tidy(() => {
        const y = conv2d(x, p.w1, p.b1, { padding: 'same' });
        addresses.push([storage().addressOf(y.data)]);
        step(p, x);
      });
      expect(storage().mark()).toBe(mark);
    }
    expect(memory.buffer.byteLength).toBe(bytes);
    expect(addresses[1]).toEqual(addresses[0]);
    expect(addresses[2]).toEqual(addresses[0]);
  });

  it('growing the memory keeps every live resident view valid (shared memory)', () => {
    setKernels(wasm);
    const memory = (storage() as unknown as { memory: WebAssembly.Memory }).memory;
    tidy(() => {
      const a = allocateOutputLike(new Float32Array(1), 5000);
      expect(storage().addressOf(a)).toBeGreaterThanOrEqual(0);
      for (let i = 0; i < a.length; i++) a[i] = i * 0.5;
      const before = memory.buffer.byteLength;
      // 48 MiB more than the memory has: forces a growth.
      const big = allocateOutputLike(new Float32Array(1), before / 4 + (12 << 20));
      expect(storage().addressOf(big)).toBeGreaterThanOrEqual(0);
      expect(memory.buffer.byteLength).toBeGreaterThan(before + (48 << 20));
      big[big.length - 1] = 7;
      expect(a.length).toBe(5000);
      expect(a[4999]).toBe(4999 * 0.5);
      expect(storage().addressOf(a)).toBeGreaterThanOrEqual(0);
      // A kernel call after the growth still uses (and reads) the old view in place.
      const t = new Tensor(a, [5000]);
      expect(relu(t).data[4999]).toBe(4999 * 0.5);
    });
  });

  it('nested scopes: an inner scope releases only what it allocated', () => {
    setKernels(wasm);
    const x = randomTensor([1, 32, 32, 1], 11);
    const w = randomTensor([2, 3, 3, 1], 12);
    tidy(() => {
      const outer = conv2d(x, w, null, { padding: 'same' });
      expect(storage().addressOf(outer.data)).toBeGreaterThanOrEqual(0);
      let inner: Tensor | null = null;
      const reshaped = tidy(() => {
        inner = conv2d(x, w, null, { padding: 'same' });
        return outer.reshape([2, 1024]); // shares outer's data: owned by the outer scope, returned as it is
      });
      expect(inner).not.toBeNull();
      expect((inner as unknown as Tensor).isAvailable).toBe(false);
      expect(outer.isAvailable).toBe(true);
      expect(reshaped.data).toBe(outer.data);
      expect(scopeDepth()).toBe(1);
    });
    expect(scopeDepth()).toBe(0);
  });

  it('an exception inside fn closes the scope; a Promise result is refused with a typed error', () => {
    setKernels(wasm);
    const mark = storage().mark();
    expect(() =>
      tidy(() => {
        allocateOutputLike(new Float32Array(1), 10_000);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(scopeDepth()).toBe(0);
    expect(storage().mark()).toBe(mark);
    expect(() => tidy(() => Promise.resolve(1))).toThrow(/returned a Promise/);
    expect(() => tidy(3 as unknown as () => number)).toThrow(/fn must be a function, got number 3/);
  });

  it('stays on the JavaScript heap outside tidy, for float64, small outputs and the TypeScript kernels', () => {
    setKernels(wasm);
    expect(storage().addressOf(allocateOutputLike(new Float32Array(1), 10_000))).toBe(-1);
    tidy(() => {
      expect(storage().addressOf(allocateOutputLike(new Float64Array(1), 10_000))).toBe(-1);
      expect(storage().addressOf(allocateOutputLike(new Float32Array(1), 100))).toBe(-1);
      expect(storage().addressOf(allocateIndices(10_000))).toBeGreaterThanOrEqual(0);
    });
    setKernels(tsKernels);
    const x = randomTensor([1, 8, 8, 1], 13);
    const w = randomTensor([2, 3, 3, 1], 14);
    let y: Tensor | null = null;
    tidy(() => {
      y = conv2d(x, w, null, { padding: 'same' });
    });
    expect((y as unknown as Tensor).data.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('without SharedArrayBuffer the WebAssembly kernels use an unshared memory and no resident storage', () => {
    const sab = globalThis.SharedArrayBuffer;
    try {
      // biome-ignore lint/suspicious/noExplicitAny: removing a global for this test only
      delete (globalThis as any).SharedArrayBuffer;
      const k = createWasmKernels();
      expect(k).not.toBeNull();
      expect(k!.residentStorage).toBeUndefined();
    } finally {
      globalThis.SharedArrayBuffer = sab;
    }
  });
});

/**
 * The kernels with every typed-array argument moved into their resident storage first (inside a tidy scope), and
 * outputs copied back to the caller's arrays after: the conformance suite then checks the in-place path (operands
 * passed by address) on every case it has — offsets, leading dimensions with gaps, accumulate, NaN, ...
 */
function withResidentOperands(kernels: Kernels): Kernels {
  const s = kernels.residentStorage!;
  const out: Record<string, unknown> = { name: `${kernels.name}-resident`, wasmVariant: kernels.wasmVariant };
  for (const { name } of kernelDescriptors) {
    const fn = kernels[name] as (...args: unknown[]) => void;
    out[name] = (...args: unknown[]) =>
      tidy(() => {
        const moved = args.map((a) => {
          if (a instanceof Float32Array) {
            const r = s.allocF32(a.length)!;
            r.set(a);
            return r;
          }
          if (a instanceof Int32Array) {
            const r = s.allocI32(a.length)!;
            r.set(a);
            return r;
          }
          return a;
        });
        for (const m of moved)
          if (m instanceof Float32Array) expect(s.addressOf(m)).toBeGreaterThanOrEqual(0);
        fn.apply(kernels, moved);
        args.forEach((a, i) => {
          if (a instanceof Float32Array || a instanceof Int32Array) a.set(moved[i] as typeof a);
        });
      });
  }
  return out as unknown as Kernels;
}

kernelConformanceTests(withResidentOperands(wasm), { describe, it, expect });
