import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tsKernels } from '../ts-kernels';
import { isSatelliteModule, loadWasmSatellite, type WasmSatelliteBuilds } from './satellite';
import {
  satelliteBuilds as builds,
  type MarkExports as Exports,
  SOURCE,
  WITH_DATA,
} from './satellite-test-module';
import { createThreadedWasmKernels } from './threads.node';
import { createWasmKernels, WasmKernels, wasmKernelBytes } from './wasm-kernels';

/** The one-thread set on an unshared memory (what createWasmKernels gives where SharedArrayBuffer is missing). */
function unsharedKernels(): WasmKernels {
  return new WasmKernels(new WebAssembly.Instance(new WebAssembly.Module(wasmKernelBytes('simd')!), {}));
}

/** The bytes below the kernel set's per-call arena: core's static data, stack-free globals, pack buffers. */
function fixedRegion(kernels: object): Uint8Array {
  const rt = (kernels as { runtime: { arena: { memory: WebAssembly.Memory }; extraBase: number } }).runtime;
  return new Uint8Array(rt.arena.memory.buffer, 0, rt.extraBase).slice();
}

const threaded = createThreadedWasmKernels('simd');
let good: WasmSatelliteBuilds;
beforeAll(async () => {
  good = await builds(SOURCE);
  await threaded?.ready();
});
afterAll(() => threaded?.dispose());

describe('loadWasmSatellite: a package module on the kernel set memory', () => {
  it('is null for kernel sets that are not WebAssembly sets, and for unfit modules (own data or own memory)', async () => {
    expect(loadWasmSatellite(tsKernels, good)).toBeNull();
    expect(loadWasmSatellite(null as never, good)).toBeNull();
    for (const junk of [null, 'x', {}, { unshared: good.unshared }, { unshared: {}, shared: good.shared }]) {
      expect(() => loadWasmSatellite(tsKernels, junk as never)).toThrow(
        expect.objectContaining({ name: 'ValueError', code: 'INVALID_WASM_BUILDS' }),
      );
    }
    expect(() => loadWasmSatellite(tsKernels, 'x' as never)).toThrow(/builds must be .*got string "x"/);
    expect(loadWasmSatellite({ ...tsKernels, wasmVariant: 'simd' }, good)).toBeNull();
    const one = createWasmKernels('simd');
    expect(one).not.toBeNull();
    expect(loadWasmSatellite(one!, await builds(WITH_DATA))).toBeNull();
    expect(loadWasmSatellite(one!, await builds(SOURCE, false))).toBeNull();
    const bytes = Buffer.from(good.unshared.simd, 'base64');
    expect(isSatelliteModule(bytes, new WebAssembly.Module(bytes))).toBe(true);
  });

  it('one thread, shared memory (createWasmKernels with SharedArrayBuffer): the shared build, no worker', () => {
    const k = createWasmKernels('simd')!;
    const sat = loadWasmSatellite<Exports>(k, good)!;
    expect(sat.memory.buffer instanceof SharedArrayBuffer).toBe(true);
    expect(sat.parallelWorker(1 << 30)).toBeNull();
    expect(sat.reserve(4 * 100 + 64)).toBe(true);
    const p = sat.arena.alloc(100);
    sat.exports.mark(p, 100, 3);
    expect(sat.arena.i32[(p >> 2) + 99]).toBe(102);
  });

  it('one thread: runs on the unshared memory, scratch from the arena, never touching core data; same object per set', () => {
    const k = unsharedKernels();
    const before = fixedRegion(k);
    const sat = loadWasmSatellite<Exports>(k, good)!;
    expect(sat).not.toBeNull();
    expect(loadWasmSatellite<Exports>(k, good)).toBe(sat);
    expect(sat.memory.buffer instanceof SharedArrayBuffer).toBe(false);
    expect(sat.parallelWorker(1 << 30)).toBeNull();
    expect(sat.reserve(4 * 1000 + 64)).toBe(true);
    const p = sat.arena.alloc(1000);
    const out = sat.arena.alloc(2);
    sat.exports.mark(p, 1000, 7);
    sat.exports.sum(p, 1000, out);
    expect(sat.arena.f64[out >> 3]).toBe(7 * 1000 + (999 * 1000) / 2);
    expect(Buffer.compare(fixedRegion(k), before)).toBe(0); // core's static data and pack buffers are untouched
    // A kernel call between satellite calls (same arena) and a growth of the memory: the satellite keeps working.
    const x = new Float32Array(64).fill(-1);
    const y = new Float32Array(64);
    k.reluForward(x, y);
    expect(Array.from(y)).toEqual(new Array(64).fill(0));
    const pages = sat.memory.buffer.byteLength / 65536;
    expect(sat.reserve(4 * 4_000_000)).toBe(true); // grows
    expect(sat.memory.buffer.byteLength / 65536).toBeGreaterThan(pages);
    const q = sat.arena.alloc(4_000_000);
    sat.exports.mark(q, 4_000_000, 1);
    expect(sat.arena.i32[(q >> 2) + 3_999_999]).toBe(4_000_000);
  });

  it('addressOf: views of the memory by address, anything else −1 (unshared: only the current buffer)', () => {
    const k = unsharedKernels();
    const sat = loadWasmSatellite<Exports>(k, good)!;
    const view = new Float32Array(sat.memory.buffer, 4096, 16);
    expect(sat.addressOf(view)).toBe(4096);
    expect(sat.addressOf(new Float32Array(16))).toBe(-1);
    expect(sat.addressOf(new Float32Array(new SharedArrayBuffer(64)))).toBe(-1);
    sat.memory.grow(1); // detaches `view`
    expect(sat.addressOf(view)).toBe(-1);
    expect(sat.addressOf(new Float32Array(sat.memory.buffer, 256, 4))).toBe(256);
  });

  it('two threads: loaded on the worker on first use; the worker runs its exports on the shared memory; checked calls', () => {
    expect(threaded?.parallel).toBe(true);
    const k = threaded!;
    const before = fixedRegion(k);
    const sat = loadWasmSatellite<Exports>(k, good)!;
    expect(sat).not.toBeNull();
    expect(sat.memory.buffer instanceof SharedArrayBuffer).toBe(true);
    expect(sat.reserve(8 * 1000 + 64)).toBe(true); // loads the module on the worker
    const worker = sat.parallelWorker(1 << 20);
    expect(worker).not.toBeNull();
    expect(sat.parallelWorker(16)).toBeNull(); // small work stays on one thread
    const p = sat.arena.alloc(2000);
    worker!.post([['mark', [p + 4000, 1000, 1000]]]);
    sat.exports.mark(p, 1000, 0);
    worker!.join();
    const i32 = sat.arena.i32;
    for (let i = 0; i < 2000; i++)
      if (i32[(p >> 2) + i] !== i) throw new Error(`element ${i}: ${i32[(p >> 2) + i]}`);
    expect(Buffer.compare(fixedRegion(k), before)).toBe(0);
    expect(() => worker!.post([['mark', [p, 1]]])).toThrow(/not a worker export/);
    expect(() => worker!.post([['gemm', [p, 1, 2]]])).toThrow(/not a worker export/);
    // Core's kernels still run on the worker after the satellite was added to its table.
    const a = new Float32Array(300 * 300).fill(1);
    const c = new Float32Array(300 * 300);
    k.gemm(false, false, 300, 300, 300, a, 0, 300, a, 0, 300, c, 0, 300, false);
    expect(c[0]).toBe(300);
    expect(c[c.length - 1]).toBe(300);
  });

  it('two threads: a satellite loaded before the worker is ready goes to the worker once it is; none after dispose', async () => {
    const k = createThreadedWasmKernels('simd')!;
    try {
      const sat = loadWasmSatellite<Exports>(k, good)!;
      expect(k.parallel).toBe(false); // the worker starts asynchronously
      expect(sat.reserve(64)).toBe(true);
      expect(sat.parallelWorker(1 << 30)).toBeNull();
      expect(await k.ready()).toBe(true);
      expect(sat.reserve(8 * 100 + 64)).toBe(true); // loads it on the worker now
      const worker = sat.parallelWorker(1 << 30);
      expect(worker).not.toBeNull();
      const p = sat.arena.alloc(200);
      worker!.post([['mark', [p + 400, 100, 100]]]);
      sat.exports.mark(p, 100, 0);
      worker!.join();
      expect(Array.from(sat.arena.i32.subarray(p >> 2, (p >> 2) + 200))).toEqual(
        Array.from({ length: 200 }, (_, i) => i),
      );
      k.dispose();
      expect(sat.reserve(64)).toBe(true);
      expect(sat.parallelWorker(1 << 30)).toBeNull();
    } finally {
      k.dispose();
    }
  });

  it('two threads: a growth of the shared memory between calls; old views are still recognised by address', () => {
    const sat = loadWasmSatellite<Exports>(threaded!, good)!;
    const old = new Float32Array(sat.memory.buffer, 8192, 8);
    expect(sat.addressOf(old)).toBe(8192);
    const pages = sat.memory.buffer.byteLength / 65536;
    expect(sat.reserve(4 * 3_000_000)).toBe(true);
    expect(sat.memory.buffer.byteLength / 65536).toBeGreaterThan(pages);
    expect(sat.addressOf(old)).toBe(8192);
    const p = sat.arena.alloc(3_000_000);
    const worker = sat.parallelWorker(1 << 22)!;
    worker.post([['mark', [p + 4 * 1_500_000, 1_500_000, 1_500_000]]]);
    sat.exports.mark(p, 1_500_000, 0);
    worker.join();
    expect(sat.arena.i32[(p >> 2) + 2_999_999]).toBe(2_999_999);
    expect(sat.arena.i32[(p >> 2) + 1_500_000]).toBe(1_500_000);
  });
});
