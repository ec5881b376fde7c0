import { Rng } from '@hw3/core';
import { describe, expect, it } from 'vitest';
import { loadMnist } from './mnist-cache.node.js';
import {
  DataFormatError,
  decodeMnistBinary,
  fillBatch,
  fillShiftedBatch,
  HELD_OUT_COUNT,
  PIXEL_VALUES,
  SPLIT_SEED,
  splitIndices,
  TRAIN_COUNT,
} from './mnist-data.js';

describe('MNIST binary', () => {
  const data = loadMnist();

  it('holds the 10,000 digits of the mnist package with its class counts', () => {
    expect(data.count).toBe(10000);
    const counts = new Array(10).fill(0);
    for (const l of data.labels) counts[l]++;
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  });

  it('decodes pixels to exactly the JSON values (k/255 rounded to 3 decimals)', async () => {
    // Compare one digit per class with the JSON of the mnist package (read directly, small files).
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    let offset = 0;
    for (let d = 0; d < 10; d++) {
      const raw = (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data;
      for (const i of [0, 17]) {
        const x = new Float32Array(784);
        const y = new Int32Array(1);
        fillBatch(data, Int32Array.of(offset + i), 0, 1, x, y);
        expect(y[0]).toBe(d);
        for (let p = 0; p < 784; p++) expect(x[p]).toBe(Math.fround(raw[i * 784 + p]));
      }
      offset += raw.length / 784;
    }
    expect(PIXEL_VALUES[0]).toBe(0);
    expect(PIXEL_VALUES[255]).toBe(1);
  });

  it('rejects a corrupt binary with a typed error', () => {
    expect(() => decodeMnistBinary(new Uint8Array(10))).toThrow(DataFormatError);
    const bad = new Uint8Array(24 + 785);
    bad.set(new TextEncoder().encode('NOTMNIST'));
    expect(() => decodeMnistBinary(bad)).toThrow(/magic/);
  });
});

describe('splitIndices', () => {
  it('is a fixed, disjoint 8,000 / 2,000 split of all digits', () => {
    const a = splitIndices(10000, TRAIN_COUNT, new Rng(SPLIT_SEED));
    const b = splitIndices(10000, TRAIN_COUNT, new Rng(SPLIT_SEED));
    expect(a.train.length).toBe(TRAIN_COUNT);
    expect(a.heldOut.length).toBe(HELD_OUT_COUNT);
    expect(Array.from(a.train)).toEqual(Array.from(b.train));
    expect(Array.from(a.heldOut)).toEqual(Array.from(b.heldOut));
    const all = new Set([...a.train, ...a.heldOut]);
    expect(all.size).toBe(10000);
    const c = splitIndices(10000, TRAIN_COUNT, new Rng(SPLIT_SEED + 1));
    expect(Array.from(c.heldOut)).not.toEqual(Array.from(a.heldOut));
  });

  it('validates trainCount', () => {
    expect(() => splitIndices(10, 10, new Rng(1))).toThrow(
      /trainCount must be an integer in \[1, 9\], got 10/,
    );
  });
});

describe('fillShiftedBatch', () => {
  const data = loadMnist();
  const idx = Int32Array.of(5, 4321);
  const plain = new Float32Array(2 * 784);
  fillBatch(data, idx, 0, 2, plain, new Int32Array(2));

  it('with a zero shift equals fillBatch', () => {
    const x = new Float32Array(2 * 784);
    const y = new Int32Array(2);
    fillShiftedBatch(data, idx, 0, 2, x, y, 2, { int: () => 2 }); // int(5) − 2 = 0
    expect(Array.from(x)).toEqual(Array.from(plain));
    expect(Array.from(y)).toEqual([data.labels[5], data.labels[4321]]);
  });

  it('moves every pixel by (dx, dy) and fills the border with 0', () => {
    const x = new Float32Array(2 * 784);
    const draws = [4, 0]; // dx = +2, dy = −2 for the first digit
    let k = 0;
    fillShiftedBatch(data, idx, 0, 1, x, new Int32Array(2), 2, { int: () => draws[k++] });
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const sr = r + 2;
        const sc = c - 2;
        const expected = sr < 28 && sc >= 0 ? plain[sr * 28 + sc] : 0;
        expect(x[r * 28 + c]).toBe(expected);
      }
    }
  });

  it('equals the per-pixel definition for every shift up to 4 px, overwriting every value', () => {
    const ids = Int32Array.of(0, 5, 999, 4321, 9999);
    const reference = new Float32Array(784);
    for (let maxShift = 0; maxShift <= 4; maxShift++) {
      const span = 2 * maxShift + 1;
      for (let draw = 0; draw < span * span; draw++) {
        const draws = [draw % span, Math.floor(draw / span)];
        const dx = draws[0] - maxShift;
        const dy = draws[1] - maxShift;
        for (let i = 0; i < ids.length; i++) {
          const x = new Float32Array(2 * 784).fill(Number.NaN);
          const y = new Int32Array(2).fill(-1);
          let k = 0;
          // Digit ids[i] goes to batch slot 1 (dst offset 784); slot 0 gets digit ids[0] with the same shift.
          const order = Int32Array.of(ids[0], ids[i]);
          fillShiftedBatch(data, order, 0, 2, x, y, maxShift, { int: () => draws[k++ % 2] });
          const one = new Float32Array(784);
          fillBatch(data, Int32Array.of(ids[i]), 0, 1, one, new Int32Array(1));
          for (let r = 0; r < 28; r++) {
            for (let c = 0; c < 28; c++) {
              const sr = r - dy;
              const sc = c - dx;
              reference[r * 28 + c] = sr >= 0 && sr < 28 && sc >= 0 && sc < 28 ? one[sr * 28 + sc] : 0;
            }
          }
          expect(Array.from(x.subarray(784))).toEqual(Array.from(reference));
          expect(y[1]).toBe(data.labels[ids[i]]);
        }
      }
    }
  });
});

describe('fillBatch / fillShiftedBatch on digits of every extent (they convert only each digit’s bounding box)', () => {
  // Synthetic digits: blank, full, one pixel in each corner, random boxes touching or not touching the borders.
  const count = 40;
  const pixels = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const boxes: [number, number, number, number][] = [
    [0, 0, 0, 0], // blank
    [0, 28, 0, 28], // full
    [0, 1, 0, 1],
    [27, 28, 27, 28],
    [0, 1, 27, 28],
    [27, 28, 0, 1],
  ];
  while (boxes.length < count) {
    const r0 = rand(28);
    const c0 = rand(28);
    boxes.push([r0, r0 + 1 + rand(28 - r0), c0, c0 + 1 + rand(28 - c0)]);
  }
  boxes.forEach(([r0, r1, c0, c1], i) => {
    labels[i] = i % 10;
    for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) pixels[i * 784 + r * 28 + c] = 1 + rand(255);
  });
  const data = { count, labels, pixels };
  const value = (i: number, r: number, c: number) =>
    r >= 0 && r < 28 && c >= 0 && c < 28 ? PIXEL_VALUES[pixels[i * 784 + r * 28 + c]] : 0;

  it('fillBatch: every pixel PIXEL_VALUES[byte], every value overwritten, labels', () => {
    const order = Int32Array.from({ length: count }, (_, i) => count - 1 - i);
    const x = new Float32Array(count * 784).fill(Number.NaN);
    const y = new Int32Array(count).fill(-1);
    fillBatch(data, order, 0, count, x, y);
    for (let b = 0; b < count; b++) {
      const i = order[b];
      expect(y[b]).toBe(labels[i]);
      for (let p = 0; p < 784; p++) expect(x[b * 784 + p]).toBe(value(i, Math.floor(p / 28), p % 28));
    }
  });

  it('fillShiftedBatch: the per-pixel definition for every shift up to 3 px (float32 and float64 batches)', () => {
    for (const maxShift of [1, 3]) {
      const span = 2 * maxShift + 1;
      for (let draw = 0; draw < span * span; draw++) {
        const dx = (draw % span) - maxShift;
        const dy = Math.floor(draw / span) - maxShift;
        const draws = [dx + maxShift, dy + maxShift];
        for (const x of [new Float32Array(count * 784), new Float64Array(count * 784)]) {
          x.fill(Number.NaN);
          let k = 0;
          const order = Int32Array.from({ length: count }, (_, i) => i);
          fillShiftedBatch(data, order, 0, count, x, new Int32Array(count), maxShift, {
            int: () => draws[k++ % 2],
          });
          for (let b = 0; b < count; b++) {
            for (let p = 0; p < 784; p++) {
              const r = Math.floor(p / 28);
              const c = p % 28;
              if (x[b * 784 + p] !== value(b, r - dy, c - dx)) {
                expect({ b, r, c, dx, dy, got: x[b * 784 + p] }).toEqual({
                  b,
                  r,
                  c,
                  dx,
                  dy,
                  got: value(b, r - dy, c - dx),
                });
              }
            }
          }
        }
      }
    }
  });
});
