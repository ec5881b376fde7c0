/**
 * WebAssembly glue of the elementwise loops (ReLU forward / backward, channel sums): operands in place when they live
 * in wasm memory (tensors of a `tidy` scope), else copied in and out; one SIMD loop.
 */
import type { FloatArray } from '../types';
import { checkRange, isF32, type WasmRuntime } from '../wasm/runtime';
import { channelSum, reluBackward, reluForward } from './elementwise';

interface ElementwiseExports {
  reluForward(x: number, out: number, n: number): void;
  reluBackward(y: number, g: number, out: number, n: number): void;
  channelSum(g: number, rows: number, channels: number, acc: number, out: number): void;
  channelSumRows(g: number, rows: number, channels: number, acc: number): void;
  channelSumFinish(acc: number, channels: number, out: number): void;
}

const exportsOf = (rt: WasmRuntime) => rt.exports as unknown as ElementwiseExports;

/**
 * The ReLU loops stay on the calling thread: the copies in and out (on the calling thread either way) are most of a
 * call, and splitting the SIMD loop saves about what a hand-off costs (measured 16–80 µs on the loaded team machine).
 */
export const ELEMENTWISE_EXPORTS = {} as const;

/**
 * channelSum's halves run on two threads: its input is usually a gradient the two threads just wrote half each (e.g.
 * batch norm's dx), and reading rows the other core wrote was 1.65× slower than reading one's own on the 2-core VM.
 */
export const CHANNEL_SUM_EXPORTS = { channelSumRows: 4 } as const;

export function wasmReluForward(rt: WasmRuntime, x: FloatArray, out: FloatArray): void {
  const n = out.length;
  if (!(isF32(x) && isF32(out)) || x.length < n || !rt.arena.reserve(rt.need(x, n) + rt.need(out, n))) {
    reluForward(x, out);
    return;
  }
  const xp = rt.place(x, 0, n, true);
  const op = rt.place(out, 0, n, false);
  exportsOf(rt).reluForward(xp, op, n);
  rt.takeBack(out, 0, n, op);
}

export function wasmReluBackward(rt: WasmRuntime, y: FloatArray, g: FloatArray, out: FloatArray): void {
  const n = out.length;
  if (
    !(isF32(y) && isF32(g) && isF32(out)) ||
    y.length < n ||
    g.length < n ||
    !rt.arena.reserve(rt.need(y, n) + rt.need(g, n) + rt.need(out, n))
  ) {
    reluBackward(y, g, out);
    return;
  }
  const yp = rt.place(y, 0, n, true);
  const gp = rt.place(g, 0, n, true);
  const op = rt.place(out, 0, n, false);
  exportsOf(rt).reluBackward(yp, gp, op, n);
  rt.takeBack(out, 0, n, op);
}

export function wasmChannelSum(
  rt: WasmRuntime,
  x: FloatArray,
  rows: number,
  channels: number,
  out: FloatArray,
): void {
  const size = rows * channels;
  if (
    !(isF32(x) && isF32(out)) ||
    !rt.arena.reserve(rt.need(x, size) + rt.need(out, channels) + 16 * channels + 16)
  ) {
    channelSum(x, rows, channels, out);
    return;
  }
  checkRange('x', x, 0, size);
  checkRange('out', out, 0, channels);
  const accp = rt.arena.alloc(4 * channels); // float64 [2][C]: the two halves' sums
  const xp = rt.place(x, 0, size, true);
  const op = rt.place(out, 0, channels, false);
  const e = exportsOf(rt);
  const worker = rt.parallelWorker(16 * size);
  if (worker === null) e.channelSum(xp, rows, channels, accp, op);
  else {
    const h = Math.ceil(rows / 2);
    worker.post([['channelSumRows', [xp + 4 * h * channels, rows - h, channels, accp + 8 * channels]]]);
    e.channelSumRows(xp, h, channels, accp);
    worker.join();
    e.channelSumFinish(accp, channels, op);
  }
  rt.takeBack(out, 0, channels, op);
}
