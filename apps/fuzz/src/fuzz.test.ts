/**
 * The bounded fuzz budget of `npm test` (the large one is `npm run fuzz`): every export of every entry point has a
 * target, and every package's targets give 0 defects on a fixed seed. A failure message carries the seed, the
 * fast-check path and the shrunk counterexample.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { BUDGET_SHARE } from './budget';
import { formatTable, summarize, type TargetStats } from './harness';
import { ALLOWED_WITHOUT_TARGET, MODULES, PACKAGES, staleTargets, uncoveredExports } from './registry';
import { runPackage } from './runner';
import { asyncFailures, pendingLoads } from './targets/core-misc';
import { restoreKernels } from './targets/core-ops';
import { ALL_TARGETS } from './targets/index';

/** Inputs for the whole bounded run (~20–40 s on two shared cores); override with FUZZ_BUDGET. */
const BUDGET = Number(process.env.FUZZ_BUDGET ?? 20_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);

describe('every public export has a fuzz target', () => {
  test("every entry point in the packages' exports maps is fuzzed", () => {
    const root = new URL('../../../packages/', import.meta.url);
    const entries: string[] = [];
    for (const dir of readdirSync(root)) {
      const pkg = JSON.parse(readFileSync(new URL(`${dir}/package.json`, root), 'utf8')) as {
        name: string;
        exports: Record<string, unknown>;
      };
      for (const sub of Object.keys(pkg.exports)) {
        if (sub !== './package.json') entries.push(sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`);
      }
    }
    expect(entries.filter((e) => !(e in MODULES))).toEqual([]);
  });
  test('no export lacks a target (or an allow-list entry with a reason)', () => {
    expect(uncoveredExports(ALL_TARGETS)).toEqual([]);
  });
  test('no target names an export that does not exist', () => {
    expect(staleTargets(ALL_TARGETS)).toEqual([]);
  });
  test('every allow-list entry is a real export that is not a plain function', () => {
    for (const key of Object.keys(ALLOWED_WITHOUT_TARGET)) {
      const at = key.lastIndexOf(':');
      const [pkg, name] = [key.slice(0, at), key.slice(at + 1)];
      const mod = MODULES[pkg as keyof typeof MODULES];
      expect(mod, key).toBeDefined();
      expect(name in mod, key).toBe(true);
      const value = mod[name];
      const isErrorClass = typeof value === 'function' && value.prototype instanceof Error;
      expect(typeof value !== 'function' || isErrorClass, `${key} is a function and needs a target`).toBe(
        true,
      );
    }
  });
});

const all: TargetStats[] = [];

describe(`bounded fuzz run (budget ${BUDGET}, seed ${SEED})`, () => {
  afterAll(() => {
    restoreKernels();
    console.log(formatTable(summarize(all)));
  });
  // Subpath entry points have no targets of their own (budget 0): their exports run under their package.
  test.each(PACKAGES.filter((pkg) => BUDGET_SHARE[pkg] > 0))('%s: 0 defects', async (pkg) => {
    const stats = runPackage(pkg, ALL_TARGETS, {
      budget: Math.round(BUDGET * BUDGET_SHARE[pkg]),
      seed: SEED,
    });
    all.push(...stats);
    await Promise.all(pendingLoads);
    const failures = stats.flatMap((s) => (s.failure === undefined ? [] : [s.failure]));
    expect(failures.join('\n\n')).toBe('');
    expect(asyncFailures).toEqual([]);
    expect(stats.reduce((n, s) => n + s.tried, 0)).toBeGreaterThan(0);
  });
});
