/**
 * Helpers shared by the per-op AssemblyScript kernels (src/kernels/<op>/*.asm.ts). scripts/build-wasm.mjs compiles
 * every src/kernels/<op>/*.asm.ts into one module with `--runtime stub`: no allocator, no GC. Every buffer lives in
 * linear memory above `heapBase()`, laid out by the JavaScript glue (wasm/runtime.ts), which passes byte addresses.
 * Two variants are built: plain SIMD128 (f32x4.mul + f32x4.add) and relaxed SIMD (f32x4.relaxed_madd, a fused
 * multiply-add on x86 with FMA); ASC_FEATURE_RELAXED_SIMD picks the branch at compile time.
 */

/** First free byte after the static data: the loader lays its buffers out from here. */
export function heapBase(): usize {
  return __heap_base;
}

/** Whether this build uses relaxed SIMD (fused multiply-add). */
export function relaxed(): bool {
  return ASC_FEATURE_RELAXED_SIMD;
}

export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/**
 * Copies `count` floats from src to dst. Runs in im2col are short (kW·C floats): v128 loads beat memory.copy, which
 * V8 runs as an out-of-line call, up to a few hundred bytes.
 */
export function copyFloats(dst: usize, src: usize, count: i32): void {
  if (count >= 128) {
    memory.copy(dst, src, (<usize>count) << 2);
    return;
  }
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + ((<usize>i) << 2), v128.load(src + ((<usize>i) << 2)));
  for (; i < count; i++) store<f32>(dst + ((<usize>i) << 2), load<f32>(src + ((<usize>i) << 2)));
}

/** Zeroes `count` floats at dst (short runs inline, like copyFloats). */
export function zeroFloats(dst: usize, count: i32): void {
  if (count >= 128) {
    memory.fill(dst, 0, (<usize>count) << 2);
    return;
  }
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + ((<usize>i) << 2), f32x4.splat(0));
  for (; i < count; i++) store<f32>(dst + ((<usize>i) << 2), 0);
}

/** dst[i] += src[i] for i < count (combines per-thread partial sums in a fixed order). */
export function addFloats(dst: usize, src: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const b = (<usize>i) << 2;
    v128.store(dst + b, f32x4.add(v128.load(dst + b), v128.load(src + b)));
  }
  for (; i < count; i++) {
    const b = (<usize>i) << 2;
    store<f32>(dst + b, load<f32>(dst + b) + load<f32>(src + b));
  }
}
