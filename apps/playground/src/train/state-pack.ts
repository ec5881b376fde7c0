/**
 * Packs a JSON-like value that may contain Float32Array / Float64Array leaves (an optimizer's state dict)
 * into a JSON skeleton plus a flat list of typed arrays, and back. The arrays go into the checkpoint as
 * tensors (exact bits), the skeleton into its metadata.
 */
export type Packed = { json: unknown; arrays: Array<Float32Array | Float64Array> };

interface ArrayRef {
  $array: number;
}

function isArrayRef(v: unknown): v is ArrayRef {
  return typeof v === 'object' && v !== null && '$array' in v && Object.keys(v).length === 1;
}

export function packState(value: unknown): Packed {
  const arrays: Array<Float32Array | Float64Array> = [];
  const walk = (v: unknown, path: string): unknown => {
    if (v instanceof Float32Array || v instanceof Float64Array) {
      arrays.push(v);
      return { $array: arrays.length - 1 };
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { $number: String(v) };
      return v;
    }
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (v === undefined) return { $undefined: true };
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${path}[${i}]`));
    if (ArrayBuffer.isView(v)) {
      throw new TypeError(
        `state at ${path} is a ${v.constructor.name}; only Float32Array / Float64Array are supported`,
      );
    }
    if (typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v as Record<string, unknown>))
        out[k] = walk(item, `${path}.${k}`);
      return out;
    }
    throw new TypeError(`state at ${path} has unsupported type ${typeof v}`);
  };
  return { json: walk(value, '$'), arrays };
}

export function unpackState(json: unknown, arrays: ReadonlyArray<Float32Array | Float64Array>): unknown {
  const walk = (v: unknown): unknown => {
    if (isArrayRef(v)) {
      const a = arrays[v.$array];
      if (a === undefined)
        throw new RangeError(`state refers to array ${v.$array}, only ${arrays.length} stored`);
      return a.slice();
    }
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if ('$number' in o && Object.keys(o).length === 1) return Number(o.$number);
      if ('$undefined' in o && Object.keys(o).length === 1) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(o)) out[k] = walk(item);
      return out;
    }
    if (Array.isArray(v)) return v.map(walk);
    return v;
  };
  return walk(json);
}
