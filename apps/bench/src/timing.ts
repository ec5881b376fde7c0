/** Timing helpers: warm up, then repeat until a time budget is spent; report the median. */

export interface Timing {
  /** Median milliseconds per call. */
  ms: number;
  /** Fastest call (on a shared machine: the moments with a free core). */
  bestMs: number;
  reps: number;
}

export interface MeasureOptions {
  /** Keep repeating until this many milliseconds have been spent (after warm-up). Default 400. */
  budgetMs?: number;
  /** At least this many timed calls (default 3), unless one call alone exceeds the budget. */
  minReps?: number;
  /** Warm-up calls (default 1). */
  warmup?: number;
}

export function measure(fn: () => void, options: MeasureOptions = {}): Timing {
  const budget = options.budgetMs ?? 400;
  const minReps = options.minReps ?? 3;
  // Start every measurement from a collected heap (node --expose-gc), so one implementation's garbage is not
  // collected on another's clock.
  (globalThis as { gc?: () => void }).gc?.();
  for (let i = 0; i < (options.warmup ?? 1); i++) fn();
  const times: number[] = [];
  const start = performance.now();
  for (;;) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
    const spent = performance.now() - start;
    if (spent >= budget && (times.length >= minReps || times[0] >= budget)) break;
    if (times.length >= 200) break;
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], bestMs: times[0], reps: times.length };
}

/** Seeded uniform values in [−1, 1) (mulberry32) so every implementation sees the same data. */
export function randomFloat32(size: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}
