/**
 * The browser build of the two-thread kernels (threads.browser.ts), run in Node: a minimal Web Worker
 * (constructor(blobUrl), postMessage, onmessage, onerror, terminate) on top of worker_threads runs the real helper
 * script from its Blob URL, with `self.postMessage` / `self.onmessage` mapped to the worker port. The headless
 * Chromium test of the playground runs the same code in a real browser.
 */
import { resolveObjectURL } from 'node:buffer';
import { Worker as NodeWorker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelConformanceTests } from '../conformance';
import type { Conv2dGeometry, Kernels } from '../kernels';
import { randomArray, sameConv3x3, seededRandom } from '../test-helpers';
import { loadWasmSatellite } from './satellite';
import { type MarkExports, SOURCE, satelliteBuilds } from './satellite-test-module';
import { createThreadedWasmKernels, type ThreadedKernels, threadsUnavailableReason } from './threads.browser';
import { createWasmKernels } from './wasm-kernels';

const SHIM = `
const { parentPort } = require('node:worker_threads');
globalThis.self = globalThis;
self.postMessage = (m) => parentPort.postMessage(m);
self.close = () => parentPort.close();
parentPort.on('message', (data) => { if (self.onmessage) self.onmessage({ data }); });
`;

/** Just enough of a Web Worker for threads.browser.ts (a classic script from a Blob URL). */
class FakeWebWorker {
  static started = 0;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: { preventDefault(): void }) => void) | null = null;
  private readonly inner: Promise<NodeWorker>;

  constructor(url: string) {
    FakeWebWorker.started++;
    const blob = resolveObjectURL(url);
    if (blob === undefined) throw new Error(`no Blob behind ${url}`);
    this.inner = blob.text().then((source) => {
      const w = new NodeWorker(SHIM + source, { eval: true, execArgv: [] });
      w.unref();
      w.on('message', (data) => this.onmessage?.({ data }));
      w.on('error', () => this.onerror?.({ preventDefault() {} }));
      return w;
    });
  }

  postMessage(message: unknown): void {
    void this.inner.then((w) => w.postMessage(message));
  }

  terminate(): void {
    void this.inner.then((w) => w.terminate());
  }
}

/** A Worker that fails to load its script (as a browser reports a blocked or broken worker). */
class BrokenWebWorker {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: { preventDefault(): void }) => void) | null = null;
  constructor() {
    setTimeout(() => this.onerror?.({ preventDefault() {} }), 5);
  }
  postMessage(): void {}
  terminate(): void {}
}

const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; document?: unknown };

function withGlobals<T>(
  values: { crossOriginIsolated?: boolean; Worker?: unknown; document?: unknown },
  fn: () => T,
): T {
  const saved = { crossOriginIsolated: g.crossOriginIsolated, Worker: g.Worker, document: g.document };
  Object.assign(g, values);
  try {
    return fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete (g as Record<string, unknown>)[key];
      else (g as Record<string, unknown>)[key] = value;
    }
  }
}

const single = createWasmKernels('simd') as Kernels;
let threaded: ThreadedKernels | null = null;

beforeAll(async () => {
  threaded = withGlobals({ crossOriginIsolated: true, Worker: FakeWebWorker }, () =>
    createThreadedWasmKernels('simd'),
  );
  expect(await threaded?.ready()).toBe(true);
});
afterAll(() => threaded?.dispose());

describe('two-thread wasm kernels, browser build', () => {
  it('are unavailable (null, with the reason) unless cross-origin isolated, in a worker, with nested workers', () => {
    withGlobals({ crossOriginIsolated: false, Worker: FakeWebWorker }, () => {
      expect(threadsUnavailableReason()).toMatch(
        /not cross-origin isolated.*COOP: same-origin.*COEP: require-corp/,
      );
      expect(createThreadedWasmKernels()).toBeNull();
    });
    withGlobals({ crossOriginIsolated: true, Worker: FakeWebWorker, document: {} }, () => {
      expect(threadsUnavailableReason()).toMatch(/main thread/);
      expect(createThreadedWasmKernels()).toBeNull();
    });
    withGlobals({ crossOriginIsolated: true, Worker: undefined }, () => {
      expect(threadsUnavailableReason()).toMatch(/nested Worker/);
      expect(createThreadedWasmKernels()).toBeNull();
    });
    withGlobals({ crossOriginIsolated: true, Worker: FakeWebWorker }, () => {
      expect(threadsUnavailableReason()).toBeNull();
    });
  });

  it('start a helper worker from a Blob URL and split the work', () => {
    expect(threaded?.name).toBe('wasm-simd-2threads');
    expect(threaded?.parallel).toBe(true);
    expect(FakeWebWorker.started).toBe(1);
  });

  it('gemm and conv2d: bit-identical to one thread', () => {
    const k = threaded as Kernels;
    const rand = seededRandom(31);
    for (const [transA, transB, m, n, kk] of [
      [false, false, 200, 130, 170],
      [true, false, 96, 257, 90],
      [false, true, 64, 784, 10],
      [true, true, 121, 99, 140],
    ] as const) {
      const a = randomArray(Float32Array, m * kk, rand);
      const b = randomArray(Float32Array, kk * n, rand);
      const c1 = randomArray(Float32Array, m * n, rand);
      const c2 = c1.slice();
      single.gemm(transA, transB, m, n, kk, a, 0, transA ? m : kk, b, 0, transB ? kk : n, c1, 0, n, true);
      k.gemm(transA, transB, m, n, kk, a, 0, transA ? m : kk, b, 0, transB ? kk : n, c2, 0, n, true);
      expect(Array.from(c2), JSON.stringify({ transA, transB, m, n, kk })).toEqual(Array.from(c1));
    }
    const geo: Conv2dGeometry = sameConv3x3(9, 14, 8, 16);
    const x = randomArray(Float32Array, 9 * 14 * 14 * 8, rand);
    const w = randomArray(Float32Array, 16 * 3 * 3 * 8, rand);
    const bias = randomArray(Float32Array, 16, rand);
    const dy = randomArray(Float32Array, 9 * 14 * 14 * 16, rand);
    const out = [new Float32Array(dy.length), new Float32Array(dy.length)];
    const dx = [new Float32Array(x.length), new Float32Array(x.length)];
    single.conv2dForward(geo, x, w, bias, out[0]);
    k.conv2dForward(geo, x, w, bias, out[1]);
    single.conv2dBackwardInput(geo, dy, w, dx[0]);
    k.conv2dBackwardInput(geo, dy, w, dx[1]);
    expect(Array.from(out[1])).toEqual(Array.from(out[0]));
    expect(Array.from(dx[1])).toEqual(Array.from(dx[0]));
  });

  it('fall back to one thread when the helper cannot start (ready() resolves false)', async () => {
    const k = withGlobals({ crossOriginIsolated: true, Worker: BrokenWebWorker }, () =>
      createThreadedWasmKernels('simd'),
    );
    expect(k).not.toBeNull();
    expect(await k?.ready()).toBe(false);
    expect(k?.parallel).toBe(false);
    const rand = seededRandom(32);
    const a = randomArray(Float32Array, 200 * 150, rand);
    const b = randomArray(Float32Array, 150 * 170, rand);
    const c1 = new Float32Array(200 * 170);
    const c2 = new Float32Array(200 * 170);
    single.gemm(false, false, 200, 170, 150, a, 0, 150, b, 0, 170, c1, 0, 170, false);
    k?.gemm(false, false, 200, 170, 150, a, 0, 150, b, 0, 170, c2, 0, 170, false);
    expect(Array.from(c2)).toEqual(Array.from(c1));
  });
});

describe('conformance of the browser build', () => {
  // Registered at collection time; the kernels are created in beforeAll, so delegate to them.
  const lazy = new Proxy({} as Kernels, {
    get: (_target, key) => {
      if (key === 'name') return 'wasm-simd-2threads (browser build)';
      const k = threaded as unknown as Record<PropertyKey, unknown>;
      const v = k[key];
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(k) : v;
    },
  });
  kernelConformanceTests(lazy, { describe, it, expect });
});

describe('two-thread wasm kernels, browser build: satellite modules', () => {
  it('a satellite module loads on the helper worker (OP_LOAD in the helper script) and runs there', async () => {
    const sat = loadWasmSatellite<MarkExports>(threaded as Kernels, await satelliteBuilds(SOURCE))!;
    expect(sat).not.toBeNull();
    expect(sat.reserve(8 * 1000 + 64)).toBe(true);
    const worker = sat.parallelWorker(1 << 20);
    expect(worker).not.toBeNull();
    const p = sat.arena.alloc(2000);
    worker!.post([['mark', [p + 4000, 1000, 1000]]]);
    sat.exports.mark(p, 1000, 0);
    worker!.join();
    const i32 = sat.arena.i32;
    let wrong = 0;
    for (let i = 0; i < 2000; i++) if (i32[(p >> 2) + i] !== i) wrong++;
    expect(wrong).toBe(0);
  });
});
