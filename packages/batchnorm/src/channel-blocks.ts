/**
 * What the batch-norm kernels share: the float array type and the cache-blocked loop structure. The kernels view
 * channels-last data as a matrix [m, C]: row i is one position (sample, or sample × length, or sample × height ×
 * width), column c is one channel; statistics are per channel over the m rows.
 */

/** Any of the float arrays hw3 works on. */
export type FloatArray = Float32Array | Float64Array;

/**
 * Loop structure shared by the kernels below. Channels-last data interleaves the channels, so a row-major loop
 * would load and store one per-channel accumulator per element. Instead the rows are cut into blocks of about
 * BLOCK_ELEMENTS values (small enough to stay in L1 cache) and, inside a block, each channel is walked with
 * stride C while its accumulators and coefficients live in local variables (registers). The reductions keep
 * four independent accumulator pairs (four rows at a time) to break the floating-point add latency chain.
 * Measured on the reference machine this is 2-3× faster than the row-major loop.
 */
const BLOCK_ELEMENTS = 4096;

export function rowsPerBlock(channels: number): number {
  return Math.max(4, Math.floor(BLOCK_ELEMENTS / channels));
}
