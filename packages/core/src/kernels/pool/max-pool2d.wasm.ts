/** WebAssembly glue of max pooling (forward with argmax, backward scatter): copies in, runs the export, copies out. */
import type { FloatArray, Pool2dGeometry } from '../types';
import { checkRange, isF32, type WasmRuntime } from '../wasm/runtime';
import { maxPool2dBackward, maxPool2dForward } from './max-pool2d';

export const POOL_EXPORTS = { setConvGeometry: 16, maxPool2dForward: 5 } as const;

interface PoolExports {
  setConvGeometry(...g: number[]): void;
  maxPool2dForward(x: number, out: number, argmax: number, firstImage: number, endImage: number): void;
  maxPool2dBackward(argmax: number, g: number, m: number, dx: number, n: number): void;
}

/** The pooling geometry as setConvGeometry's 16 arguments (outC = channels, groups = 1). */
export function poolGeometryArgs(g: Pool2dGeometry): number[] {
  return [
    g.batch,
    g.inH,
    g.inW,
    g.channels,
    g.outH,
    g.outW,
    g.channels,
    g.kH,
    g.kW,
    g.strideH,
    g.strideW,
    g.padTop,
    g.padLeft,
    g.dilationH,
    g.dilationW,
    1,
  ];
}

export function wasmMaxPool2dForward(
  rt: WasmRuntime,
  g: Pool2dGeometry,
  x: FloatArray,
  out: FloatArray,
  argmax: Int32Array,
): void {
  if (!(isF32(x) && isF32(out))) {
    maxPool2dForward(g, x, out, argmax);
    return;
  }
  const xSize = g.batch * g.inH * g.inW * g.channels;
  const outSize = g.batch * g.outH * g.outW * g.channels;
  checkRange('x', x, 0, xSize);
  checkRange('out', out, 0, outSize);
  checkRange('argmax', argmax, 0, outSize);
  const arena = rt.arena;
  if (!arena.reserve(4 * (xSize + 2 * outSize) + 48)) {
    maxPool2dForward(g, x, out, argmax);
    return;
  }
  const xp = arena.alloc(xSize);
  const op = arena.alloc(outSize);
  const ap = arena.alloc(outSize);
  arena.f32.set(x.subarray(0, xSize), xp >> 2);
  const e = rt.exports as unknown as PoolExports;
  const geometry = poolGeometryArgs(g);
  // Two threads: images [n0, N) on the worker (every output is one window's maximum: bit-identical).
  const worker = g.batch < 2 ? null : rt.parallelWorker(64 * xSize);
  const n0 = worker === null ? g.batch : Math.ceil(g.batch / 2);
  worker?.post([
    ['setConvGeometry', geometry],
    ['maxPool2dForward', [xp, op, ap, n0, g.batch]],
  ]);
  e.setConvGeometry(...geometry);
  e.maxPool2dForward(xp, op, ap, 0, n0);
  worker?.join();
  out.set(arena.f32.subarray(op >> 2, (op >> 2) + outSize));
  argmax.set(arena.i32.subarray(ap >> 2, (ap >> 2) + outSize));
}

export function wasmMaxPool2dBackward(
  rt: WasmRuntime,
  argmax: Int32Array,
  g: FloatArray,
  dx: FloatArray,
): void {
  const m = argmax.length;
  const n = dx.length;
  const arena = rt.arena;
  if (!(isF32(g) && isF32(dx)) || g.length < m || !arena.reserve(4 * (2 * m + n) + 48)) {
    maxPool2dBackward(argmax, g, dx);
    return;
  }
  const ap = arena.alloc(m);
  const gp = arena.alloc(m);
  const dxp = arena.alloc(n);
  arena.i32.set(argmax, ap >> 2);
  arena.f32.set(g.subarray(0, m), gp >> 2);
  (rt.exports as unknown as PoolExports).maxPool2dBackward(ap, gp, m, dxp, n);
  dx.set(arena.f32.subarray(dxp >> 2, (dxp >> 2) + n));
}
