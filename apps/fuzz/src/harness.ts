/**
 * The fuzz harness: runs a target's generated inputs through fast-check and classifies every outcome.
 *
 * - result: the call returned and the target's oracle accepted the value (a reference computation, a shape
 *   rule, finiteness for finite input). An input marked `bad` (a corrupted argument) that is accepted is a defect.
 * - typed error: the call threw an instance of one of the package's error classes with a non-empty message;
 *   for an input marked `bad` the message must name the corrupted argument and (for numbers and strings) its value.
 * - defect: anything else — a TypeError / RangeError from inside, a wasm trap (WebAssembly.RuntimeError), a
 *   wrong result or shape, NaN from finite input, an untyped throw, or a call slower than `callTimeLimitMs`.
 *   fast-check then shrinks the input; the report carries the seed, the path and the shrunk counterexample.
 */
import fc from 'fast-check';

export type PackageName =
  | '@hw3/shape'
  | '@hw3/core'
  | '@hw3/shape/summary'
  | '@hw3/core/kernels'
  | '@hw3/core/safetensors'
  | '@hw3/core/testing'
  | '@hw3/core/threads'
  | '@hw3/batchnorm'
  | '@hw3/losses'
  | '@hw3/optim'
  | '@hw3/optim/schedules'
  | '@hw3/optim/transforms'
  | '@hw3/optim/testing';

/** The argument an input corrupted on purpose: the call must throw a typed error naming it. */
export interface Bad {
  /** Argument or option name as the message must spell it, e.g. 'stride' or 'lr'. */
  readonly arg: string;
  readonly value: unknown;
  /** Set when the value cannot be expected in the message (objects, functions, …). */
  readonly skipValue?: boolean;
}

export interface Target<C = unknown> {
  readonly pkg: PackageName;
  /** The export this target covers (several targets may cover one export). */
  readonly name: string;
  /** What this variant generates, e.g. 'valid', 'junk options'. */
  readonly variant: string;
  readonly arb: fc.Arbitrary<C>;
  /** Calls the export; throws a Defect when the result is wrong. The input may carry `bad`. */
  run(input: C): unknown;
  /** Share of the package's budget (default 1). */
  readonly weight?: number;
}

/** Thrown by a target's oracle: the call returned a wrong value. */
export class Defect extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Defect';
  }
}

export function defect(message: string): never {
  throw new Defect(message);
}

export function check(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new Defect(typeof message === 'function' ? message() : message);
}

export interface TargetStats {
  readonly pkg: PackageName;
  readonly name: string;
  readonly variant: string;
  tried: number;
  results: number;
  typed: number;
  defects: number;
  failure?: string;
}

export interface RunOptions {
  readonly seed: number;
  readonly numRuns: number;
  /** A call slower than this is a defect (a hang bound for calls that return). Default 2000 ms. */
  readonly callTimeLimitMs?: number;
  /** Called before every generated input (the CLI watchdog counts them). */
  readonly onCall?: () => void;
}

/** Is `e` one of the typed errors `pkg` may throw? Supplied by the registry (it knows the classes). */
export type TypedErrorCheck = (e: unknown) => boolean;

function describeValueForMessage(v: unknown): string | null {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  return null;
}

/** The message of a typed error thrown for a corrupted argument must name the argument and its value. */
export function checkMessage(e: Error, bad: Bad | undefined): void {
  check(typeof e.message === 'string' && e.message.length > 0, `${e.name} with an empty message`);
  if (bad === undefined) return;
  const lower = e.message.toLowerCase();
  check(
    lower.includes(bad.arg.toLowerCase()),
    () => `${e.name} for bad ${bad.arg} does not name the argument: "${e.message}"`,
  );
  if (bad.skipValue) return;
  const shown = describeValueForMessage(bad.value);
  if (shown === null) return;
  check(
    e.message.includes(shown) || (shown === '' && e.message.includes('""')),
    () => `${e.name} for bad ${bad.arg} = ${shown} does not show the value: "${e.message}"`,
  );
}

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.constructor?.name ?? e.name}: ${e.message}`;
  try {
    return `non-Error thrown: ${String(e)}`;
  } catch {
    return 'non-Error thrown';
  }
}

function badOf(input: unknown): Bad | undefined {
  if (typeof input === 'object' && input !== null && 'bad' in input) {
    const bad = (input as { bad?: Bad }).bad;
    return bad ?? undefined;
  }
  return undefined;
}

/** Runs one input; returns 'result' or 'typed', throws a Defect otherwise. */
export function classify(
  target: Target,
  input: unknown,
  isTyped: TypedErrorCheck,
  callTimeLimitMs: number,
): 'result' | 'typed' {
  const bad = badOf(input);
  const t0 = performance.now();
  let outcome: 'result' | 'typed';
  try {
    target.run(input);
    outcome = 'result';
  } catch (e) {
    if (e instanceof Defect) throw e;
    if (!isTyped(e)) throw new Defect(`not a typed hw3 error: ${errorText(e)}`);
    checkMessage(e as Error, bad);
    outcome = 'typed';
  }
  const dt = performance.now() - t0;
  if (dt > callTimeLimitMs) throw new Defect(`call took ${dt.toFixed(0)} ms (limit ${callTimeLimitMs} ms)`);
  if (outcome === 'result' && bad !== undefined) {
    throw new Defect(`accepted invalid ${bad.arg} = ${safeString(bad.value)} without a typed error`);
  }
  return outcome;
}

export function safeString(v: unknown): string {
  try {
    return fc.stringify(v);
  } catch {
    return String(v);
  }
}

/** Runs `numRuns` inputs of one target, counting outcomes; on a defect shrinks and records the report. */
export function runTarget(target: Target, isTyped: TypedErrorCheck, options: RunOptions): TargetStats {
  const stats: TargetStats = {
    pkg: target.pkg,
    name: target.name,
    variant: target.variant,
    tried: 0,
    results: 0,
    typed: 0,
    defects: 0,
  };
  const limit = options.callTimeLimitMs ?? 2000;
  let failed = false;
  const property = fc.property(target.arb, (input) => {
    if (!failed) {
      options.onCall?.();
      stats.tried++;
    }
    try {
      const outcome = classify(target, input, isTyped, limit);
      if (!failed) {
        if (outcome === 'result') stats.results++;
        else stats.typed++;
      }
    } catch (e) {
      failed = true;
      throw e;
    }
  });
  const details = fc.check(property, { seed: options.seed, numRuns: options.numRuns });
  if (details.failed) {
    stats.defects = 1;
    // The first failing run is counted as tried but neither result nor typed.
    const err = details.errorInstance;
    stats.failure = [
      `${target.pkg} ${target.name} [${target.variant}]: ${err instanceof Error ? err.message : String(err)}`,
      `  seed ${details.seed}, path "${details.counterexamplePath}" (after ${details.numShrinks} shrinks)`,
      `  counterexample: ${safeString(details.counterexample?.[0])}`,
      `  reproduce: npm run fuzz -- --target '${target.name}' --seed ${details.seed}`,
    ].join('\n');
  }
  return stats;
}

export interface PackageStats {
  readonly pkg: PackageName;
  tried: number;
  results: number;
  typed: number;
  defects: number;
  targets: number;
  failures: string[];
}

export function summarize(stats: readonly TargetStats[]): PackageStats[] {
  const byPkg = new Map<PackageName, PackageStats>();
  for (const s of stats) {
    let p = byPkg.get(s.pkg);
    if (p === undefined) {
      p = { pkg: s.pkg, tried: 0, results: 0, typed: 0, defects: 0, targets: 0, failures: [] };
      byPkg.set(s.pkg, p);
    }
    p.tried += s.tried;
    p.results += s.results;
    p.typed += s.typed;
    p.defects += s.defects;
    p.targets++;
    if (s.failure !== undefined) p.failures.push(s.failure);
  }
  return [...byPkg.values()];
}

export function formatTable(rows: readonly PackageStats[]): string {
  const header = ['package', 'targets', 'inputs tried', 'results', 'typed errors', 'defects'];
  const body = rows.map((r) => [
    r.pkg,
    String(r.targets),
    String(r.tried),
    String(r.results),
    String(r.typed),
    String(r.defects),
  ]);
  const total = rows.reduce(
    (acc, r) => {
      acc[1] += r.targets;
      acc[2] += r.tried;
      acc[3] += r.results;
      acc[4] += r.typed;
      acc[5] += r.defects;
      return acc;
    },
    ['total', 0, 0, 0, 0, 0] as [string, number, number, number, number, number],
  );
  body.push(total.map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), sep, ...body.slice(0, -1).map(line), line(body[body.length - 1])].join('\n');
}
