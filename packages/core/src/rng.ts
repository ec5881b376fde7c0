import { describeValue, ValueError } from './errors';

const TWO_POW_MINUS_32 = 2 ** -32;

/**
 * Seeded pseudo-random generator: xoshiro128** (32-bit state words, period 2^128 - 1), seeded through
 * SplitMix32 so that nearby seeds give unrelated streams. `normal()` uses Box-Muller and caches the second
 * value; the cache is part of `getState()` so a restored generator continues exactly.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private hasSpare = false;
  private spare = 0;

  constructor(seed: number) {
    this.seed(seed);
  }

  /** Resets the generator to the stream of `seed` (any finite number; integers are the usual choice). */
  seed(seed: number): void {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new ValueError(`seed must be a finite number, got ${String(seed)}`, 'INVALID_SEED');
    }
    // Mix both 32-bit halves of the (integer part of the) seed so large seeds differ too.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let x = (lo ^ Math.imul(hi, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.hasSpare = false;
    this.spare = 0;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextUint32() * TWO_POW_MINUS_32;
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      throw new ValueError(
        `uniform(lo, hi): need finite numbers, got lo=${String(lo)}, hi=${String(hi)}`,
        'INVALID_RANGE',
      );
    }
    return lo + (hi - lo) * this.next();
  }

  /** Normal(mean, std) by Box-Muller. */
  normal(mean = 0, std = 1): number {
    if (!Number.isFinite(mean) || !(std >= 0) || !Number.isFinite(std)) {
      throw new ValueError(
        `normal(mean, std): need a finite mean and a finite std >= 0, got mean=${String(mean)}, std=${String(std)}`,
        'INVALID_RANGE',
      );
    }
    if (this.hasSpare) {
      this.hasSpare = false;
      return mean + std * this.spare;
    }
    const u1 = 1 - this.next(); // (0, 1], so log(u1) is finite
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return mean + std * r * Math.cos(theta);
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling). n must be an integer in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
      throw new ValueError(`int(n): n must be an integer in [1, 2^32], got ${n}`, 'INVALID_RANGE');
    }
    const limit = 4294967296 - (4294967296 % n);
    let r = this.nextUint32();
    while (r >= limit) r = this.nextUint32();
    return r % n;
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array): void {
    if (!Array.isArray(a) && !(a instanceof Int32Array) && !(a instanceof Uint32Array)) {
      throw new ValueError(
        `shuffle(a): a must be an array, Int32Array or Uint32Array, got ${describeValue(a)}`,
        'INVALID_INPUT',
      );
    }
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
  }

  /** `[s0, s1, s2, s3, hasSpare (0|1), spare]`: everything needed to continue the stream exactly. */
  getState(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0, this.hasSpare ? 1 : 0, this.spare];
  }

  setState(s: number[]): void {
    if (!Array.isArray(s) || (s.length !== 4 && s.length !== 6)) {
      throw new ValueError(
        `setState: state must be an array of 4 or 6 numbers as returned by getState(), got ${Array.isArray(s) ? `length ${s.length}` : typeof s}`,
        'INVALID_RNG_STATE',
      );
    }
    for (let i = 0; i < 4; i++) {
      if (!Number.isInteger(s[i]) || s[i] < 0 || s[i] > 0xffffffff) {
        throw new ValueError(
          `setState: state[${i}] must be an unsigned 32-bit integer, got ${s[i]}`,
          'INVALID_RNG_STATE',
        );
      }
    }
    if ((s[0] | s[1] | s[2] | s[3]) === 0) {
      throw new ValueError('setState: state words must not all be 0', 'INVALID_RNG_STATE');
    }
    if (s.length === 6 && ((s[4] !== 0 && s[4] !== 1) || !Number.isFinite(s[5]))) {
      throw new ValueError(
        `setState: state[4] must be 0 or 1 and state[5] finite, got ${s[4]}, ${s[5]}`,
        'INVALID_RNG_STATE',
      );
    }
    this.s0 = s[0] | 0;
    this.s1 = s[1] | 0;
    this.s2 = s[2] | 0;
    this.s3 = s[3] | 0;
    this.hasSpare = s.length === 6 && s[4] === 1;
    this.spare = s.length === 6 ? s[5] : 0;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** PyTorch's default CPU seed; used until `manualSeed` is called. */
const DEFAULT_SEED = 67280421310721;
let defaultGenerator: Rng | null = null;

/** The module-level generator used by layers and creation functions when no `rng` is given. */
export function defaultRng(): Rng {
  if (defaultGenerator === null) defaultGenerator = new Rng(DEFAULT_SEED);
  return defaultGenerator;
}

/** Reseeds the default generator (like torch.manual_seed). */
export function manualSeed(seed: number): void {
  defaultRng().seed(seed);
}
