import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Tensor } from '../tensor';
import { binaryBroadcast, OP_ADD, OP_MUL, sumToShape } from './broadcast';

/** Random pair of broadcast-compatible shapes (rank 0..4, dims 1..3). */
const shapePair = fc
  .array(
    fc.tuple(fc.integer({ min: 1, max: 3 }), fc.constantFrom('both', 'a1', 'b1', 'aMissing', 'bMissing')),
    {
      maxLength: 4,
    },
  )
  .map((dims) => {
    const a: number[] = [];
    const b: number[] = [];
    const out: number[] = [];
    dims.forEach(([d, kind], i) => {
      out.push(d);
      const leading = i === 0 || (i < dims.length && a.length === 0 && b.length === 0);
      if (kind === 'aMissing' && leading && a.length === 0) b.push(d);
      else if (kind === 'bMissing' && leading && b.length === 0) a.push(d);
      else {
        a.push(kind === 'a1' ? 1 : d);
        b.push(kind === 'b1' ? 1 : d);
      }
    });
    return { a, b, out };
  });

function values(shape: number[]): Float64Array {
  let n = 1;
  for (const d of shape) n *= d;
  return Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 13) - 6 + i / 17);
}

/** Naive: value of a broadcast operand at a multi-index of the output. */
function at(data: Float64Array, shape: number[], outIndex: number[]): number {
  let off = 0;
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = outIndex[outIndex.length - shape.length + i];
    off += (shape[i] === 1 ? 0 : o) * stride;
    stride *= shape[i];
  }
  return data[off];
}

function* indices(shape: number[]): Generator<number[]> {
  const n = shape.reduce((p, d) => p * d, 1);
  for (let flat = 0; flat < n; flat++) {
    const idx = new Array<number>(shape.length);
    let r = flat;
    for (let i = shape.length - 1; i >= 0; i--) {
      idx[i] = r % shape[i];
      r = Math.floor(r / shape[i]);
    }
    yield idx;
  }
}

describe('broadcasting kernels (property tests against naive indexing)', () => {
  test('binaryBroadcast add/mul equal the naive per-index result', () => {
    fc.assert(
      fc.property(shapePair, ({ a, b, out }) => {
        const rank = Math.max(a.length, b.length);
        const outShape = out.slice(out.length - rank);
        const da = values(a);
        const db = values(b).map((v) => v + 0.5);
        const n = outShape.reduce((p, d) => p * d, 1);
        const sum = new Float64Array(n);
        const prod = new Float64Array(n);
        binaryBroadcast(OP_ADD, da, a, db, b, sum, outShape);
        binaryBroadcast(OP_MUL, da, a, db, b, prod, outShape);
        let k = 0;
        for (const idx of indices(outShape)) {
          expect(sum[k]).toBe(at(da, a, idx) + at(db, b, idx));
          expect(prod[k]).toBe(at(da, a, idx) * at(db, b, idx));
          k++;
        }
      }),
      { numRuns: 200 },
    );
  });

  test('sumToShape sums exactly the broadcast positions', () => {
    fc.assert(
      fc.property(shapePair, ({ a, out }) => {
        const outShape = out.slice(out.length - Math.max(a.length, out.length));
        const g = values(outShape);
        const reduced = sumToShape(g, outShape, a);
        const expected = new Float64Array(reduced.length);
        let k = 0;
        for (const idx of indices(outShape)) {
          let off = 0;
          let stride = 1;
          for (let i = a.length - 1; i >= 0; i--) {
            off += (a[i] === 1 ? 0 : idx[idx.length - a.length + i]) * stride;
            stride *= a[i];
          }
          expected[off] += g[k++];
        }
        for (let i = 0; i < expected.length; i++) expect(reduced[i]).toBeCloseTo(expected[i], 10);
        expect(new Tensor(reduced as Float64Array, a).shape).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });
});
