import { checkObjectArg, OptimError } from './errors';
import { type FloatArray, isFloatArray } from './param';

/**
 * JSON-safe value used by state dicts: typed arrays become number arrays, and the non-finite numbers that JSON
 * cannot hold (NaN, ±Infinity) are written as the strings 'NaN', 'Infinity', '-Infinity'.
 */
export type PlainValue =
  | number
  | string
  | boolean
  | null
  | FloatArray
  | PlainValue[]
  | { [key: string]: PlainValue };

/** Options of `stateToJSON`. */
export interface StateToJSONOptions {
  /**
   * Keep typed arrays as typed-array copies (same dtype) instead of number arrays: compact for binary
   * checkpoints (e.g. one safetensors tensor per array), but then not JSON-safe. Default false.
   */
  typedArrays?: boolean;
}

/** Encodes a number so JSON.stringify/parse returns it bitwise (non-finite values become strings). */
export function encodeNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/** Decodes `encodeNumber`'s output; returns undefined when `x` is neither a number nor a non-finite string. */
export function decodeNumber(x: unknown): number | undefined {
  if (typeof x === 'number') return x;
  if (x === 'NaN') return Number.NaN;
  if (x === 'Infinity') return Number.POSITIVE_INFINITY;
  if (x === '-Infinity') return Number.NEGATIVE_INFINITY;
  return undefined;
}

/**
 * A deep, JSON-safe copy of an optimizer or transformation state: typed arrays become number arrays
 * (float32 values widen to float64 exactly, so the round trip is bitwise), numbers are encoded with
 * `encodeNumber`, plain objects and arrays are copied.
 */
export function stateToJSON(state: unknown, options: StateToJSONOptions = {}): PlainValue {
  checkObjectArg('stateToJSON: options', options);
  if (isFloatArray(state)) {
    if (options.typedArrays) return state.slice();
    const out: (number | string)[] = new Array(state.length);
    for (let i = 0; i < state.length; i++) out[i] = encodeNumber(state[i]);
    return out;
  }
  if (typeof state === 'number') return encodeNumber(state);
  if (typeof state === 'string' || typeof state === 'boolean' || state === null) return state;
  if (Array.isArray(state)) return state.map((x) => stateToJSON(x, options));
  if (typeof state === 'object') {
    const out: { [key: string]: PlainValue } = {};
    for (const [k, v] of Object.entries(state as Record<string, unknown>)) {
      if (v !== undefined) out[k] = stateToJSON(v, options);
    }
    return out;
  }
  throw new OptimError('INVALID_ARGUMENT', `stateToJSON: cannot serialise a value of type ${typeof state}`);
}

function mismatch(path: string, expected: string, got: unknown): OptimError {
  let shown: string;
  if (Array.isArray(got)) shown = `an array of length ${got.length}`;
  else if (got === null) shown = 'null';
  else if (typeof got === 'object') shown = 'an object';
  else shown = `${typeof got} ${JSON.stringify(got)}`;
  return new OptimError('STATE_MISMATCH', `loadStateDict: ${path} is ${shown}; expected ${expected}`);
}

/**
 * Writes the plain (JSON) state `plain` into the live state `template` produced by `init`, checking that it has
 * exactly the same structure: same keys, same array lengths, typed arrays copied in place (no reallocation).
 * Where the template holds a typed array, `plain` may hold a number array or a typed array of the same length.
 * Returns the restored value (the template itself for objects, arrays and typed arrays). Throws
 * OptimError('STATE_MISMATCH') naming the path on any difference; on error the template may be partly written,
 * so callers validate first with `dryRun: true`.
 */
export function restoreState<T>(template: T, plain: unknown, path = 'state', dryRun = false): T {
  if (isFloatArray(template)) {
    if (isFloatArray(plain) && plain.length === template.length) {
      if (!dryRun) template.set(plain);
      return template;
    }
    if (!Array.isArray(plain) || plain.length !== template.length) {
      throw mismatch(path, `an array of ${template.length} numbers`, plain);
    }
    for (let i = 0; i < plain.length; i++) {
      const v = decodeNumber(plain[i]);
      if (v === undefined) throw mismatch(`${path}[${i}]`, 'a number', plain[i]);
      if (!dryRun) template[i] = v;
    }
    return template;
  }
  if (typeof template === 'number') {
    const v = decodeNumber(plain);
    if (v === undefined) throw mismatch(path, 'a number', plain);
    return v as T;
  }
  if (typeof template === 'boolean' || typeof template === 'string') {
    if (typeof plain !== typeof template) throw mismatch(path, `a ${typeof template}`, plain);
    return plain as T;
  }
  if (template === null) {
    if (plain !== null) throw mismatch(path, 'null', plain);
    return template;
  }
  if (Array.isArray(template)) {
    if (!Array.isArray(plain) || plain.length !== template.length) {
      throw mismatch(path, `an array of length ${template.length}`, plain);
    }
    for (let i = 0; i < template.length; i++) {
      const v = restoreState(template[i], plain[i], `${path}[${i}]`, dryRun);
      if (!dryRun) template[i] = v;
    }
    return template;
  }
  if (typeof template === 'object' && template !== undefined) {
    if (plain === null || typeof plain !== 'object' || Array.isArray(plain))
      throw mismatch(path, 'an object', plain);
    const t = template as Record<string, unknown>;
    const p = plain as Record<string, unknown>;
    for (const key of Object.keys(p)) {
      if (!(key in t)) {
        throw new OptimError(
          'STATE_MISMATCH',
          `loadStateDict: ${path}.${key} is unknown; expected only the keys ${Object.keys(t).join(', ')}`,
        );
      }
    }
    for (const key of Object.keys(t)) {
      if (!(key in p)) throw new OptimError('STATE_MISMATCH', `loadStateDict: ${path}.${key} is missing`);
      const v = restoreState(t[key], p[key], `${path}.${key}`, dryRun);
      if (!dryRun) t[key] = v;
    }
    return template;
  }
  throw mismatch(path, 'a serialisable value', template);
}
