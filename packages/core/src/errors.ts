/**
 * Typed errors of @hw3/core. Every error carries a stable string `code` and a message that names the
 * argument, the value it had and what would have been valid.
 */
export class Hw3Error extends Error {
  readonly code: string;
  constructor(message: string, code = 'HW3_ERROR') {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A bad argument value: wrong dtype, out-of-range number, non-scalar backward without a gradient, ... */
export class ValueError extends Hw3Error {
  constructor(message: string, code = 'INVALID_VALUE') {
    super(message, code);
  }
}

/** A short description of a value for error messages: `null`, `number 3`, `string "a"`, `Float32Array`, … */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  if (typeof v === 'function') return 'a function';
  return `${typeof v} ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
}
