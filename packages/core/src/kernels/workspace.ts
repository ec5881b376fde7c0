/**
 * Reusable scratch memory for the kernels (packed GEMM panels, im2col buffers). Each slot holds one
 * Float64Array and one Float32Array that grow to the largest size asked for and are then reused, so
 * after warm-up no kernel call allocates. Slots are distinct so a kernel may hold one slot while
 * calling another kernel that uses a different one (conv2d's im2col buffer while GEMM packs panels).
 * The buffers are module-level: JavaScript runs one call at a time per thread (each worker has its own).
 */

/** Slot ids. */
export const SLOT_GEMM_A = 0;
export const SLOT_GEMM_B = 1;
export const SLOT_COLUMNS = 2;
const SLOT_COUNT = 3;
type Slot = number;

const f64: Float64Array[] = [];
const f32: Float32Array[] = [];
for (let s = 0; s < SLOT_COUNT; s++) {
  f64.push(new Float64Array(0));
  f32.push(new Float32Array(0));
}

/** Grows to at least `size` (with headroom, to avoid repeated regrowth), keeps contents unspecified. */
function grownSize(current: number, size: number): number {
  return Math.max(size, Math.ceil(current * 1.5));
}

export function scratch64(slot: Slot, size: number): Float64Array {
  let buf = f64[slot];
  if (buf.length < size) {
    buf = new Float64Array(grownSize(buf.length, size));
    f64[slot] = buf;
  }
  return buf;
}

export function scratch32(slot: Slot, size: number): Float32Array {
  let buf = f32[slot];
  if (buf.length < size) {
    buf = new Float32Array(grownSize(buf.length, size));
    f32[slot] = buf;
  }
  return buf;
}

/** A scratch buffer of the same element type as `like`. */
export function scratchLike(
  like: Float32Array | Float64Array,
  slot: Slot,
  size: number,
): Float32Array | Float64Array {
  return like instanceof Float32Array ? scratch32(slot, size) : scratch64(slot, size);
}

/** Total bytes currently held by the workspace (for tests and benchmarks). */
export function workspaceBytes(): number {
  let total = 0;
  for (let s = 0; s < SLOT_COUNT; s++) total += f64[s].byteLength + f32[s].byteLength;
  return total;
}
