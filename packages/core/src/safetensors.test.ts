import { describe, expect, test } from 'vitest';
import { tensor, zeros } from './creation';
import { Linear } from './nn/linear';
import { Rng } from './rng';
import { loadSafetensors, SafetensorsError, saveSafetensors } from './safetensors';

/** Builds a file from a header (object or raw string) and data bytes; headerLength overrides the prefix. */
function file(
  header: unknown,
  data: Uint8Array = new Uint8Array(0),
  headerLength?: number | bigint,
): Uint8Array {
  const json = typeof header === 'string' ? header : JSON.stringify(header);
  const h = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SafetensorsError);
    return (e as SafetensorsError).code;
  }
  throw new Error('expected a SafetensorsError');
}

describe('safetensors', () => {
  test('round trip of F32/F64, scalar and empty tensors, with metadata', () => {
    const tensors = {
      w: tensor([
        [1.5, -2],
        [3, 4e-8],
      ]),
      d: tensor([Math.PI, -Math.E], { dtype: 'float64' }),
      s: tensor(7),
      e: zeros([0, 3]),
    };
    const bytes = saveSafetensors(tensors, { format: 'pt', note: 'ünïcode' });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLen) % 8).toBe(0);
    const { tensors: back, metadata } = loadSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt', note: 'ünïcode' });
    expect(Object.keys(back).sort()).toEqual(['d', 'e', 's', 'w']);
    expect(back.w.dtype).toBe('float32');
    expect(back.w.toArray()).toEqual(tensors.w.toArray());
    expect(back.d.dtype).toBe('float64');
    expect(Array.from(back.d.data)).toEqual([Math.PI, -Math.E]);
    expect(back.s.shape).toEqual([]);
    expect(back.s.item()).toBe(7);
    expect(back.e.shape).toEqual([0, 3]);
  });

  test('reads a file laid out by hand like the reference writer (header padded with spaces)', () => {
    const data = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    const bytes = file('{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}   ', data);
    expect(Array.from(loadSafetensors(bytes).tensors.x.data)).toEqual([1, 2, 3]);
  });

  test('byte-exact layout of the reference writer: metadata first, F64 before F32, names sorted, padded', () => {
    // What safetensors' Rust writer (Python save_file) produces for
    // {"b": f32 [1, 2], "a": f32 [3], "c": f64 [0.5]} with metadata {"format": "pt"}.
    const bytes = saveSafetensors(
      { b: tensor([1, 2]), a: tensor([3]), c: tensor([0.5], { dtype: 'float64' }) },
      { format: 'pt' },
    );
    const json =
      '{"__metadata__":{"format":"pt"},' +
      '"c":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},' +
      '"a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},' +
      '"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}';
    const padded = json + ' '.repeat((8 - (json.length % 8)) % 8);
    const expected = new Uint8Array(8 + padded.length + 20);
    const view = new DataView(expected.buffer);
    view.setBigUint64(0, BigInt(padded.length), true);
    expected.set(new TextEncoder().encode(padded), 8);
    const d = 8 + padded.length;
    view.setFloat64(d, 0.5, true);
    view.setFloat32(d + 8, 3, true);
    view.setFloat32(d + 12, 1, true);
    view.setFloat32(d + 16, 2, true);
    expect(Array.from(bytes)).toEqual(Array.from(expected));
    expect(d % 8).toBe(0);
  });

  test('a null __metadata__ is read as no metadata (as the reference reader does)', () => {
    const data = new Uint8Array(new Float32Array([1]).buffer);
    const r = loadSafetensors(
      file({ __metadata__: null, x: { dtype: 'F32', shape: [], data_offsets: [0, 4] } }, data),
    );
    expect(r.metadata).toEqual({});
    expect(r.tensors.x.item()).toBe(1);
  });

  test('a module checkpoint restores exactly', () => {
    const a = new Linear(3, 2, { rng: new Rng(1) });
    const b = new Linear(3, 2, { rng: new Rng(2) });
    b.loadStateDict(loadSafetensors(saveSafetensors(a.stateDict())).tensors);
    expect(Array.from(b.weight.data)).toEqual(Array.from(a.weight.data));
    expect(Array.from(b.bias?.data ?? [])).toEqual(Array.from(a.bias?.data ?? []));
  });

  test('malformed files are rejected with specific codes', () => {
    const f32 = (n: number) => new Uint8Array(4 * n);
    const ok = { x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
    expect(codeOf(() => loadSafetensors(new Uint8Array(5)))).toBe('TRUNCATED');
    expect(codeOf(() => loadSafetensors(file(ok, f32(2)).subarray(0, 20)))).toBe('TRUNCATED');
    expect(codeOf(() => loadSafetensors(file(ok, f32(2), 2n ** 60n)))).toBe('HEADER_TOO_LARGE');
    expect(() => loadSafetensors(file(ok, f32(2), 2n ** 64n - 1n))).toThrow(/18446744073709551615/);
    expect(codeOf(() => loadSafetensors(file(ok, f32(2)), { maxHeaderBytes: 10 }))).toBe('HEADER_TOO_LARGE');
    expect(codeOf(() => loadSafetensors(file(ok, f32(2), 1000)))).toBe('TRUNCATED');
    expect(codeOf(() => loadSafetensors(file('{"x": ', f32(2))))).toBe('INVALID_JSON');
    expect(codeOf(() => loadSafetensors(file('[1, 2]')))).toBe('INVALID_HEADER');
    const badUtf8 = file('{}');
    badUtf8[8] = 0xff;
    expect(codeOf(() => loadSafetensors(badUtf8))).toBe('INVALID_UTF8');
    expect(
      codeOf(() => loadSafetensors(file({ x: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, f32(1)))),
    ).toBe('UNSUPPORTED_DTYPE');
    expect(
      codeOf(() => loadSafetensors(file({ x: { dtype: 'F99', shape: [2], data_offsets: [0, 8] } }, f32(2)))),
    ).toBe('INVALID_DTYPE');
    expect(
      codeOf(() => loadSafetensors(file({ x: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, f32(2)))),
    ).toBe('INVALID_SHAPE');
    expect(
      codeOf(() =>
        loadSafetensors(file({ x: { dtype: 'F32', shape: [1.5], data_offsets: [0, 8] } }, f32(2))),
      ),
    ).toBe('INVALID_SHAPE');
    expect(
      codeOf(() => loadSafetensors(file({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(2)))),
    ).toBe('SIZE_MISMATCH');
    expect(
      codeOf(() =>
        loadSafetensors(
          file({ x: { dtype: 'F32', shape: [2 ** 40, 2 ** 20], data_offsets: [0, 8] } }, f32(2)),
        ),
      ),
    ).toBe('SIZE_MISMATCH');
    expect(
      codeOf(() => loadSafetensors(file({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 80] } }, f32(2)))),
    ).toBe('INVALID_OFFSETS');
    expect(
      codeOf(() => loadSafetensors(file({ x: { dtype: 'F32', shape: [2], data_offsets: [8] } }, f32(2)))),
    ).toBe('INVALID_OFFSETS');
    const overlap = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    };
    expect(codeOf(() => loadSafetensors(file(overlap, f32(3))))).toBe('OVERLAPPING_OFFSETS');
    const gap = {
      a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
    };
    expect(codeOf(() => loadSafetensors(file(gap, f32(3))))).toBe('OFFSET_GAP');
    expect(codeOf(() => loadSafetensors(file(ok, f32(3))))).toBe('OFFSET_GAP'); // trailing bytes
    expect(codeOf(() => loadSafetensors(file({ __metadata__: { a: 1 } })))).toBe('INVALID_METADATA');
    expect(codeOf(() => loadSafetensors(file({ x: 3 })))).toBe('INVALID_HEADER');
    expect(codeOf(() => loadSafetensors([1, 2] as unknown as Uint8Array))).toBe('INVALID_INPUT');
    expect(() => loadSafetensors([1, 2] as unknown as Uint8Array)).toThrow(
      'bytes must be a Uint8Array, got Array',
    );
  });

  test('save rejects bad names and metadata', () => {
    expect(codeOf(() => saveSafetensors({ __metadata__: tensor([1]) }))).toBe('INVALID_NAME');
    expect(codeOf(() => saveSafetensors({ x: [1] as never }))).toBe('INVALID_INPUT');
    expect(codeOf(() => saveSafetensors({}, { a: 1 as never }))).toBe('INVALID_METADATA');
  });
});
