import { describeValue, Hw3Error } from './errors';
import { Tensor } from './tensor';

/**
 * Reading and writing the safetensors format (https://github.com/huggingface/safetensors) as Uint8Array,
 * browser-safe: 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { string: string } }`, then the
 * little-endian data; offsets are relative to the end of the header. F32 and F64 are supported; I64 (PyTorch's
 * integer counters such as BatchNorm's num_batches_tracked) only on request, held as float64 in hw3.
 */

/** Codes: TRUNCATED, HEADER_TOO_LARGE, INVALID_UTF8, INVALID_JSON, INVALID_HEADER, INVALID_DTYPE,
 * UNSUPPORTED_DTYPE, INVALID_SHAPE, INVALID_OFFSETS, SIZE_MISMATCH, OVERLAPPING_OFFSETS, OFFSET_GAP,
 * INVALID_NAME, INVALID_METADATA, INVALID_INPUT, INT64_OUT_OF_RANGE. */
export class SafetensorsError extends Hw3Error {}

/** Options of `loadSafetensors`. */
export interface LoadSafetensorsOptions {
  /** Largest accepted JSON header, in bytes. Default 100,000,000 (the reference implementation's limit). */
  maxHeaderBytes?: number;
  /**
   * Default false (I64 is an UNSUPPORTED_DTYPE error). true: I64 tensors are read into float64 tensors; a value
   * outside ±(2^53 − 1), which float64 cannot hold exactly, is a SafetensorsError INT64_OUT_OF_RANGE.
   */
  allowInt64?: boolean;
}

/** Options of `saveSafetensors` (its third argument). */
export interface SaveSafetensorsOptions {
  /**
   * Names of tensors to store as I64 (PyTorch's int64) instead of F32/F64; their values must be integers in
   * ±(2^53 − 1). Default none.
   */
  int64Keys?: readonly string[];
}

/** What `loadSafetensors` returns: the tensors by name and the string metadata of the file. */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

const DEFAULT_MAX_HEADER = 100_000_000;
const KNOWN_UNSUPPORTED = new Set([
  'BOOL',
  'U8',
  'I8',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'U64',
  'C64',
  'F8_E4M3',
  'F8_E5M2',
  'F8_E8M0',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
]);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fail(code: string, message: string): never {
  throw new SafetensorsError(`safetensors: ${message}`, code);
}

/**
 * Serialises tensors (float32 → 'F32', float64 → 'F64') and optional string metadata, laid out as the
 * reference (Rust) writer does: `__metadata__` first, tensors ordered by dtype size (F64 and I64 before F32)
 * then by name, so every tensor's data is aligned to its element size; the header is padded with spaces to a
 * multiple of 8 bytes. `options.int64Keys` names tensors written as I64.
 */
export function saveSafetensors(
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
  options: SaveSafetensorsOptions = {},
): Uint8Array {
  if (tensors === null || typeof tensors !== 'object')
    fail('INVALID_INPUT', `tensors must be an object of Tensors, got ${describeValue(tensors)}`);
  if (options === null || typeof options !== 'object')
    fail('INVALID_INPUT', `options must be an object, got ${describeValue(options)}`);
  const int64 = new Set<string>();
  if (options.int64Keys !== undefined) {
    if (!Array.isArray(options.int64Keys))
      fail(
        'INVALID_INPUT',
        `options.int64Keys must be an array of tensor names, got ${describeValue(options.int64Keys)}`,
      );
    for (const k of options.int64Keys) {
      if (typeof k !== 'string' || !Object.hasOwn(tensors, k))
        fail(
          'INVALID_INPUT',
          `options.int64Keys: ${JSON.stringify(k)} is not the name of a tensor in tensors`,
        );
      int64.add(k);
    }
  }
  const wide = (name: string) => int64.has(name) || tensors[name]?.dtype === 'float64';
  const names = Object.keys(tensors).sort((a, b) => {
    const w = +wide(b) - +wide(a);
    return w !== 0 ? w : a < b ? -1 : a > b ? 1 : 0;
  });
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object')
      fail('INVALID_METADATA', `metadata must be an object of strings, got ${describeValue(metadata)}`);
    const meta: Record<string, string> = {};
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        fail('INVALID_METADATA', `metadata['${k}'] must be a string, got ${typeof v}`);
      meta[k] = v;
    }
    header.__metadata__ = meta;
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    if (name.length === 0 || name === '__metadata__') {
      fail(
        'INVALID_NAME',
        `tensor name must be non-empty and not '__metadata__', got ${JSON.stringify(name)}`,
      );
    }
    if (!(t instanceof Tensor)) fail('INVALID_INPUT', `tensors['${name}'] must be a Tensor`);
    if (int64.has(name))
      for (const v of t.data)
        if (!Number.isSafeInteger(v))
          fail(
            'INT64_OUT_OF_RANGE',
            `tensors['${name}'] is listed in int64Keys, so its values must be integers in ±(2^53 − 1), got ${v}`,
          );
    const bytes = int64.has(name) ? t.size * 8 : t.data.byteLength;
    header[name] = {
      dtype: int64.has(name) ? 'I64' : t.dtype === 'float64' ? 'F64' : 'F32',
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  let headerBytes = new TextEncoder().encode(json);
  const padded = Math.ceil(headerBytes.length / 8) * 8; // data starts 8-byte aligned, as the reference writer does
  if (padded !== headerBytes.length) {
    json += ' '.repeat(padded - headerBytes.length);
    headerBytes = new TextEncoder().encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  view.setUint32(4, 0, true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const d = tensors[name].data;
    if (int64.has(name)) {
      for (let i = 0; i < d.length; i++) view.setBigInt64(pos + 8 * i, BigInt(d[i]), true);
      pos += d.length * 8;
      continue;
    }
    if (LITTLE_ENDIAN) out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    else if (d instanceof Float64Array)
      for (let i = 0; i < d.length; i++) view.setFloat64(pos + 8 * i, d[i], true);
    else for (let i = 0; i < d.length; i++) view.setFloat32(pos + 4 * i, d[i], true);
    pos += d.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  dtype: 'F32' | 'F64' | 'I64';
  shape: number[];
  begin: number;
  end: number;
}

function isNonNegSafeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parses a safetensors file. The header is fully validated before any tensor memory is allocated:
 * header length against the byte length and `maxHeaderBytes`, UTF-8 and JSON, dtypes, shapes (non-negative
 * integers whose element count matches the byte range), offsets (in range, non-overlapping, contiguous from
 * 0 to the end of the data). Every problem throws a SafetensorsError with a specific `code`.
 */
export function loadSafetensors(
  bytes: Uint8Array,
  options: LoadSafetensorsOptions = {},
): SafetensorsContents {
  if (!(bytes instanceof Uint8Array))
    fail('INVALID_INPUT', `bytes must be a Uint8Array, got ${describeValue(bytes)}`);
  const maxHeader = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER;
  const allowInt64 = options.allowInt64 ?? false;
  if (typeof allowInt64 !== 'boolean')
    fail('INVALID_INPUT', `options.allowInt64 must be a boolean, got ${describeValue(allowInt64)}`);
  if (!isNonNegSafeInt(maxHeader)) {
    fail('INVALID_INPUT', `options.maxHeaderBytes must be a non-negative integer, got ${String(maxHeader)}`);
  }
  if (bytes.length < 8)
    fail('TRUNCATED', `file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLen = hi * 4294967296 + lo;
  if (headerLen > maxHeader) {
    fail(
      'HEADER_TOO_LARGE',
      `header length ${view.getBigUint64(0, true)} exceeds maxHeaderBytes ${maxHeader}`,
    );
  }
  if (8 + headerLen > bytes.length) {
    fail(
      'TRUNCATED',
      `header length ${headerLen} needs ${8 + headerLen} bytes but the file has ${bytes.length}`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    fail('INVALID_UTF8', 'header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail('INVALID_HEADER', `header must be a JSON object starting with '{'`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail('INVALID_JSON', `header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    fail('INVALID_HEADER', `header must be a JSON object, got ${describeValue(header)}`);
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null) continue; // the reference reader treats a null __metadata__ as absent
      if (typeof raw !== 'object' || Array.isArray(raw)) {
        fail('INVALID_METADATA', `__metadata__ must be an object of strings, got ${describeValue(raw)}`);
      }
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string')
          fail('INVALID_METADATA', `__metadata__['${k}'] must be a string, got ${typeof v}`);
        metadata[k] = v;
      }
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      fail('INVALID_HEADER', `entry '${name}' must be an object with dtype, shape and data_offsets`);
    }
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (dtype !== 'F32' && dtype !== 'F64' && !(dtype === 'I64' && allowInt64)) {
      if (dtype === 'I64') {
        fail(
          'UNSUPPORTED_DTYPE',
          `tensor '${name}' has dtype I64; supported dtypes are F32 and F64 (pass { allowInt64: true } to read I64 as float64)`,
        );
      }
      if (typeof dtype === 'string' && KNOWN_UNSUPPORTED.has(dtype)) {
        fail('UNSUPPORTED_DTYPE', `tensor '${name}' has dtype ${dtype}; supported dtypes are F32 and F64`);
      }
      fail(
        'INVALID_DTYPE',
        `tensor '${name}' has unknown dtype ${JSON.stringify(dtype)}; supported: F32, F64`,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegSafeInt)) {
      fail(
        'INVALID_SHAPE',
        `tensor '${name}' shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
      );
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegSafeInt)) {
      fail(
        'INVALID_OFFSETS',
        `tensor '${name}' data_offsets must be [begin, end] integers >= 0, got ${JSON.stringify(offsets)}`,
      );
    }
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataLen) {
      fail(
        'INVALID_OFFSETS',
        `tensor '${name}' data_offsets [${begin}, ${end}] must satisfy begin <= end <= ${dataLen} (data bytes after the header)`,
      );
    }
    const itemSize = dtype === 'F32' ? 4 : 8;
    let count = 1;
    for (const d of shape as number[]) {
      count *= d;
      if (count * itemSize > dataLen) {
        fail(
          'SIZE_MISMATCH',
          `tensor '${name}' shape ${JSON.stringify(shape)} needs more bytes than the file holds`,
        );
      }
    }
    if (count * itemSize !== end - begin) {
      fail(
        'SIZE_MISMATCH',
        `tensor '${name}' shape ${JSON.stringify(shape)} (${dtype}) needs ${count * itemSize} bytes but data_offsets span ${end - begin}`,
      );
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of sorted) {
    if (e.begin < expected) {
      fail(
        'OVERLAPPING_OFFSETS',
        `tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (ends at ${expected})`,
      );
    }
    if (e.begin > expected) {
      fail('OFFSET_GAP', `bytes ${expected}..${e.begin} of the data are not covered by any tensor`);
    }
    expected = e.end;
  }
  if (expected !== dataLen) {
    fail('OFFSET_GAP', `tensors cover ${expected} data bytes but the file has ${dataLen} after the header`);
  }
  // Validated: now allocate and copy.
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    if (e.dtype !== 'I64') continue;
    const src = dataStart + e.begin;
    for (let i = 0; i < (e.end - e.begin) / 8; i++) {
      const v = view.getBigInt64(src + 8 * i, true);
      if (v > 9007199254740991n || v < -9007199254740991n)
        fail(
          'INT64_OUT_OF_RANGE',
          `tensor '${e.name}' (I64) holds ${v} at index ${i}, outside ±(2^53 − 1) that float64 holds exactly`,
        );
    }
  }
  for (const e of entries) {
    if (e.dtype === 'I64') {
      const count = (e.end - e.begin) / 8;
      const data = new Float64Array(count);
      const src = dataStart + e.begin;
      for (let i = 0; i < count; i++) data[i] = Number(view.getBigInt64(src + 8 * i, true));
      tensors[e.name] = new Tensor(data, e.shape);
      continue;
    }
    const count = (e.end - e.begin) / (e.dtype === 'F64' ? 8 : 4);
    const data = e.dtype === 'F64' ? new Float64Array(count) : new Float32Array(count);
    const src = dataStart + e.begin;
    if (LITTLE_ENDIAN) new Uint8Array(data.buffer).set(bytes.subarray(src, src + (e.end - e.begin)));
    else if (data instanceof Float64Array)
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(src + 8 * i, true);
    else for (let i = 0; i < count; i++) data[i] = view.getFloat32(src + 4 * i, true);
    tensors[e.name] = new Tensor(data, e.shape);
  }
  return { tensors, metadata };
}
