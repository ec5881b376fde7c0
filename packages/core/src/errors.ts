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
