/**
 * WebAssembly glue of max pooling (forward with argmax, backward scatter): operands in place when they live in wasm
 * memory (tensors of a `tidy` scope), else copied in and out; runs the export.
 */
import type { FloatArray, Pool2dGeometry } from '../types';
import { checkRange, isF32, type WasmRuntime } from '../wasm/runtime';
import { maxPool2dBackward, maxPool2dForward } from './max-pool2d';

export const POOL_EXPORTS = { setConvGeometry: 16, maxPool2dForward: 5 } as const;
/** The backward's worker exports: argmax, g, m, dx, lo, hi; argmax, g, dx, first image, end image. */
export const POOL_BACKWARD_EXPORTS = { maxPool2dBackwardRange: 6, maxPool2dBackwardImages: 5 } as const;

interface PoolExports {
  setConvGeometry(...g: number[]): void;
  maxPool2dForward(x: number, out: number, argmax: number, firstImage: number, endImage: number): void;
  maxPool2dBackward(argmax: number, g: number, m: number, dx: number, n: number): void;
  maxPool2dBackwardRange(argmax: number, g: number, m: number, dx: number, lo: number, hi: number): void;
  maxPool2dBackwardImages(argmax: number, g: number, dx: number, firstImage: number, endImage: number): void;
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
  if (!rt.arena.reserve(rt.need(x, xSize) + rt.need(out, outSize) + rt.need(argmax, outSize))) {
    maxPool2dForward(g, x, out, argmax);
    return;
  }
  const xp = rt.place(x, 0, xSize, true);
  const op = rt.place(out, 0, outSize, false);
  const ap = rt.place(argmax, 0, outSize, false);
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
  rt.takeBack(out, 0, outSize, op);
  rt.takeBack(argmax, 0, outSize, ap);
}

export function wasmMaxPool2dBackward(
  rt: WasmRuntime,
  argmax: Int32Array,
  g: FloatArray,
  dx: FloatArray,
  geometry?: Pool2dGeometry,
): void {
  const m = argmax.length;
  const n = dx.length;
  if (
    !(isF32(g) && isF32(dx)) ||
    g.length < m ||
    !rt.arena.reserve(rt.need(argmax, m) + rt.need(g, m) + rt.need(dx, n))
  ) {
    maxPool2dBackward(argmax, g, dx);
    return;
  }
  const ap = rt.place(argmax, 0, m, true);
  const gp = rt.place(g, 0, m, true);
  const dxp = rt.place(dx, 0, n, false);
  const e = rt.exports as unknown as PoolExports;
  const g0 = geometry;
  if (
    g0 !== undefined &&
    m === g0.batch * g0.outH * g0.outW * g0.channels &&
    n === g0.batch * g0.inH * g0.inW * g0.channels
  ) {
    // The forward's geometry: dx image by image (written window by window where they do not overlap); on two
    // threads images [n0, N) on the worker. Every dx element gets the same terms in the same order: bit-identical.
    const geometryArgs = poolGeometryArgs(g0);
    const worker = g0.batch < 2 ? null : rt.parallelWorker(16 * n);
    const n0 = worker === null ? g0.batch : Math.ceil(g0.batch / 2);
    worker?.post([
      ['setConvGeometry', geometryArgs],
      ['maxPool2dBackwardImages', [ap, gp, dxp, n0, g0.batch]],
    ]);
    e.setConvGeometry(...geometryArgs);
    e.maxPool2dBackwardImages(ap, gp, dxp, 0, n0);
    worker?.join();
    rt.takeBack(dx, 0, n, dxp);
    return;
  }
  // Two threads: the worker writes dx[h, n), this thread dx[0, h); both scan all m outputs in order (bit-identical).
  const worker = rt.parallelWorker(16 * n);
  if (worker === null) e.maxPool2dBackward(ap, gp, m, dxp, n);
  else {
    const h = Math.ceil(n / 8) * 4;
    worker.post([['maxPool2dBackwardRange', [ap, gp, m, dxp, h, n]]]);
    e.maxPool2dBackwardRange(ap, gp, m, dxp, 0, h);
    worker.join();
  }
  rt.takeBack(dx, 0, n, dxp);
}
