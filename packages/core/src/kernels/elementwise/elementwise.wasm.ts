/** WebAssembly glue of the elementwise loops (ReLU forward / backward, channel sums): copy in, SIMD loop, copy out. */
import type { FloatArray } from '../types';
import { checkRange, isF32, type WasmRuntime } from '../wasm/runtime';
import { channelSum, reluBackward, reluForward } from './elementwise';

interface ElementwiseExports {
  reluForward(x: number, out: number, n: number): void;
  reluBackward(y: number, g: number, out: number, n: number): void;
  channelSum(g: number, rows: number, channels: number, acc: number, out: number): void;
}

const exportsOf = (rt: WasmRuntime) => rt.exports as unknown as ElementwiseExports;

/**
 * The loops stay on the calling thread: the copies in and out (on the calling thread either way) are most of a
 * call, and splitting the SIMD loop saves about what a hand-off costs (measured 16–80 µs on the loaded team machine).
 */
export const ELEMENTWISE_EXPORTS = {} as const;

export function wasmReluForward(rt: WasmRuntime, x: FloatArray, out: FloatArray): void {
  const n = out.length;
  const arena = rt.arena;
  if (!(isF32(x) && isF32(out)) || x.length < n || !arena.reserve(4 * n + 16)) {
    reluForward(x, out);
    return;
  }
  const p = arena.alloc(n);
  arena.f32.set(x.subarray(0, n), p >> 2);
  exportsOf(rt).reluForward(p, p, n);
  out.set(arena.f32.subarray(p >> 2, (p >> 2) + n));
}

export function wasmReluBackward(rt: WasmRuntime, y: FloatArray, g: FloatArray, out: FloatArray): void {
  const n = out.length;
  const arena = rt.arena;
  if (!(isF32(y) && isF32(g) && isF32(out)) || y.length < n || g.length < n || !arena.reserve(8 * n + 32)) {
    reluBackward(y, g, out);
    return;
  }
  const yp = arena.alloc(n);
  const gp = arena.alloc(n);
  arena.f32.set(y.subarray(0, n), yp >> 2);
  arena.f32.set(g.subarray(0, n), gp >> 2);
  exportsOf(rt).reluBackward(yp, gp, gp, n);
  out.set(arena.f32.subarray(gp >> 2, (gp >> 2) + n));
}

export function wasmChannelSum(
  rt: WasmRuntime,
  x: FloatArray,
  rows: number,
  channels: number,
  out: FloatArray,
): void {
  const size = rows * channels;
  const arena = rt.arena;
  if (!(isF32(x) && isF32(out)) || !arena.reserve(4 * (size + channels) + 8 * channels + 48)) {
    channelSum(x, rows, channels, out);
    return;
  }
  checkRange('x', x, 0, size);
  checkRange('out', out, 0, channels);
  const accp = arena.alloc(2 * channels);
  const xp = arena.alloc(size);
  const op = arena.alloc(channels);
  arena.f32.set(x.subarray(0, size), xp >> 2);
  exportsOf(rt).channelSum(xp, rows, channels, accp, op);
  out.set(arena.f32.subarray(op >> 2, (op >> 2) + channels));
}
