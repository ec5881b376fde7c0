/**
 * WebAssembly glue of the conv2d passes: operands in place when they live in wasm memory (tensors of a `tidy` scope),
 * else copied in and out; sets the geometry, runs the export;
 * on two threads forward and input gradient split the batch (each thread its own im2col buffer and pack buffers).
 */
import type { Conv2dGeometry, FloatArray } from '../types';
import { checkRange, colChunk, geometryArgs, isF32, type WasmRuntime } from '../wasm/runtime';
import { conv2dBackwardInput, conv2dBackwardWeight, conv2dForward } from './conv2d';

interface ConvExports {
  conv2dForward(...args: number[]): void;
  conv2dBackwardInput(...args: number[]): void;
  conv2dBackwardWeight(...args: number[]): void;
  addFloats(dst: number, src: number, count: number): void;
}

export const CONV2D_EXPORTS = {
  setConvGeometry: 16,
  conv2dForward: 8,
  conv2dBackwardInput: 7,
  conv2dBackwardWeight: 7,
} as const;

/** Element counts of the input / activations x, the weights and the output of a convolution. */
function convSizes(g: Conv2dGeometry): { xSize: number; wSize: number; outSize: number } {
  return {
    xSize: g.batch * g.inH * g.inW * g.inC,
    wSize: g.outC * g.kH * g.kW * (g.inC / g.groups),
    outSize: g.batch * g.outH * g.outW * g.outC,
  };
}

const macs = (g: Conv2dGeometry) => g.batch * g.outH * g.outW * g.outC * g.kH * g.kW * (g.inC / g.groups);

/**
 * Forward (kind 0: input = x, output = out) or backward input (kind 1: input = dOut, output = dx) on buffers in
 * wasm memory; `col` holds `rt.colBuffers` im2col buffers. Both are independent per image: on two threads images
 * [0, n0) run here and [n0, batch) on the worker.
 */
function runConv(
  rt: WasmRuntime,
  kind: 0 | 1,
  g: Conv2dGeometry,
  input: number,
  w: number,
  bias: number,
  output: number,
  col: number,
  chunkRows: number,
): void {
  const e = rt.exports as unknown as ConvExports;
  const worker = g.batch < 2 ? null : rt.parallelWorker(macs(g));
  let here = g;
  if (worker !== null) {
    const n0 = Math.ceil(g.batch / 2);
    const inImage = 4 * (kind === 0 ? g.inH * g.inW * g.inC : g.outH * g.outW * g.outC);
    const outImage = 4 * (kind === 0 ? g.outH * g.outW * g.outC : g.inH * g.inW * g.inC);
    const col2 = col + 4 * colChunk(g).floats;
    const geometry = geometryArgs({ ...g, batch: g.batch - n0 });
    const inRest = input + n0 * inImage;
    const outRest = output + n0 * outImage;
    worker.post([
      ['setConvGeometry', geometry],
      kind === 0
        ? ['conv2dForward', [inRest, w, bias, outRest, col2, chunkRows, worker.packedA, worker.packedB]]
        : ['conv2dBackwardInput', [inRest, w, outRest, col2, chunkRows, worker.packedA, worker.packedB]],
    ]);
    here = { ...g, batch: n0 };
  }
  rt.setGeometry(here);
  if (kind === 0) e.conv2dForward(input, w, bias, output, col, chunkRows, rt.packedA, rt.packedB);
  else e.conv2dBackwardInput(input, w, output, col, chunkRows, rt.packedA, rt.packedB);
  worker?.join();
}

export function wasmConv2dForward(
  rt: WasmRuntime,
  g: Conv2dGeometry,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  out: FloatArray,
): void {
  if (!(isF32(x) && isF32(w) && isF32(bias) && isF32(out))) {
    conv2dForward(g, x, w, bias, out);
    return;
  }
  const { xSize, wSize, outSize } = convSizes(g);
  checkRange('x', x, 0, xSize);
  checkRange('w', w, 0, wSize);
  checkRange('out', out, 0, outSize);
  if (bias) checkRange('bias', bias, 0, g.outC);
  const chunk = colChunk(g);
  const bytes =
    rt.need(x, xSize) +
    rt.need(w, wSize) +
    rt.need(bias, g.outC) +
    rt.need(out, outSize) +
    4 * chunk.floats * rt.colBuffers +
    16;
  if (!rt.arena.reserve(bytes)) {
    conv2dForward(g, x, w, bias, out);
    return;
  }
  const xp = rt.place(x, 0, xSize, true);
  const wp = rt.place(w, 0, wSize, true);
  const bp = bias ? rt.place(bias, 0, g.outC, true) : 0;
  const op = rt.place(out, 0, outSize, false);
  const colp = rt.arena.alloc(chunk.floats * rt.colBuffers);
  runConv(rt, 0, g, xp, wp, bp, op, colp, chunk.rows);
  rt.takeBack(out, 0, outSize, op);
}

export function wasmConv2dBackwardInput(
  rt: WasmRuntime,
  g: Conv2dGeometry,
  dOut: FloatArray,
  w: FloatArray,
  dx: FloatArray,
): void {
  if (!(isF32(dOut) && isF32(w) && isF32(dx))) {
    conv2dBackwardInput(g, dOut, w, dx);
    return;
  }
  const { xSize: dxSize, wSize, outSize: dOutSize } = convSizes(g);
  checkRange('dOut', dOut, 0, dOutSize);
  checkRange('w', w, 0, wSize);
  checkRange('dx', dx, 0, dxSize);
  const chunk = colChunk(g);
  const bytes =
    rt.need(dOut, dOutSize) + rt.need(w, wSize) + rt.need(dx, dxSize) + 4 * chunk.floats * rt.colBuffers + 16;
  if (!rt.arena.reserve(bytes)) {
    conv2dBackwardInput(g, dOut, w, dx);
    return;
  }
  const dop = rt.place(dOut, 0, dOutSize, true);
  const wp = rt.place(w, 0, wSize, true);
  const dxp = rt.place(dx, 0, dxSize, false);
  const colp = rt.arena.alloc(chunk.floats * rt.colBuffers);
  runConv(rt, 1, g, dop, wp, 0, dxp, colp, chunk.rows);
  rt.takeBack(dx, 0, dxSize, dxp);
}

/**
 * The weight gradient sums over the whole batch. For bit-identical results on one and two threads the sum is split
 * by a rule that does not depend on the thread count: with N ≥ 2 images, dW = dW(images [0, n0)) + dW(images
 * [n0, N)), n0 = ⌈N/2⌉, each half summed in the one-thread order and the two added once, in this order. On two
 * threads (when the problem is large enough) the worker computes the second half into its own buffer meanwhile.
 */
export function wasmConv2dBackwardWeight(
  rt: WasmRuntime,
  g: Conv2dGeometry,
  x: FloatArray,
  dOut: FloatArray,
  dw: FloatArray,
): void {
  if (!(isF32(x) && isF32(dOut) && isF32(dw))) {
    conv2dBackwardWeight(g, x, dOut, dw);
    return;
  }
  const { xSize, wSize, outSize: dOutSize } = convSizes(g);
  checkRange('x', x, 0, xSize);
  checkRange('dOut', dOut, 0, dOutSize);
  checkRange('dw', dw, 0, wSize);
  const chunk = colChunk(g);
  const split = g.batch >= 2;
  const bytes =
    rt.need(x, xSize) +
    rt.need(dOut, dOutSize) +
    rt.need(dw, wSize) +
    4 * (2 * chunk.floats + (split ? wSize : 0)) +
    48;
  if (!rt.arena.reserve(bytes)) {
    conv2dBackwardWeight(g, x, dOut, dw);
    return;
  }
  const xp = rt.place(x, 0, xSize, true);
  const dop = rt.place(dOut, 0, dOutSize, true);
  const dwp = rt.place(dw, 0, wSize, false);
  const dw2p = split ? rt.arena.alloc(wSize) : 0;
  const colp = rt.arena.alloc(chunk.floats);
  const col2p = rt.arena.alloc(chunk.floats);
  const e = rt.exports as unknown as ConvExports;
  if (!split) {
    rt.setGeometry(g);
    e.conv2dBackwardWeight(xp, dop, dwp, colp, chunk.rows, rt.packedA, rt.packedB);
  } else {
    const n0 = Math.ceil(g.batch / 2);
    const rest = { ...g, batch: g.batch - n0 };
    const xRest = xp + 4 * n0 * g.inH * g.inW * g.inC;
    const dOutRest = dop + 4 * n0 * g.outH * g.outW * g.outC;
    const worker = rt.parallelWorker(macs(g));
    if (worker !== null) {
      worker.post([
        ['setConvGeometry', geometryArgs(rest)],
        ['conv2dBackwardWeight', [xRest, dOutRest, dw2p, col2p, chunk.rows, worker.packedA, worker.packedB]],
      ]);
    }
    rt.setGeometry({ ...g, batch: n0 });
    e.conv2dBackwardWeight(xp, dop, dwp, colp, chunk.rows, rt.packedA, rt.packedB);
    if (worker !== null) worker.join();
    else {
      rt.setGeometry(rest);
      e.conv2dBackwardWeight(xRest, dOutRest, dw2p, colp, chunk.rows, rt.packedA, rt.packedB);
    }
    e.addFloats(dwp, dw2p, wSize);
  }
  rt.takeBack(dw, 0, wSize, dwp);
}
