/**
 * `npm run fuzz`: the large budget, one worker thread per package (two at a time on two cores), a watchdog per
 * worker (a call that does not return within --hang-ms is a hang: the worker is stopped and the target reported),
 * then a table per package: inputs tried, results, typed errors, defects. Exit code 1 when any defect was found.
 *
 *   npm run fuzz -- [--budget 120000] [--seed 20261204] [--package @hw3/core] [--target conv2d] [--jobs 2]
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BUDGET_SHARE } from './budget';
import { formatTable, type PackageName, type PackageStats, summarize, type TargetStats } from './harness';
import { PACKAGES, staleTargets, uncoveredExports } from './registry';
import { ALL_TARGETS } from './targets/index';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const budget = Number(arg('budget') ?? 120_000);
const seed = Number(arg('seed') ?? 20261204);
const onlyPackage = arg('package') as PackageName | undefined;
const onlyTarget = arg('target');
const jobs = Number(arg('jobs') ?? Math.min(2, availableParallelism()));
const hangMs = Number(arg('hang-ms') ?? 60_000);
const callTimeLimitMs = Number(arg('call-ms') ?? 5_000);

const missing = uncoveredExports(ALL_TARGETS);
const stale = staleTargets(ALL_TARGETS);
if (missing.length > 0 || stale.length > 0) {
  console.error(
    `exports without a fuzz target: ${missing.join(', ') || 'none'}; stale targets: ${stale.join(', ') || 'none'}`,
  );
  process.exit(1);
}

const packages = PACKAGES.filter(
  (p) =>
    (onlyPackage === undefined ? BUDGET_SHARE[p] > 0 : p === onlyPackage) && // subpaths run under their package
    (onlyTarget === undefined || ALL_TARGETS.some((t) => t.pkg === p && t.name === onlyTarget)),
);

interface Outcome {
  stats: TargetStats[];
  extra: string[];
}

function runInWorker(pkg: PackageName): Promise<Outcome> {
  const share = onlyPackage !== undefined || onlyTarget !== undefined ? 1 : BUDGET_SHARE[pkg];
  const progress = new SharedArrayBuffer(8); // [inputs so far, index where the current target started]
  const counter = new Int32Array(progress);
  // Node 20 does not carry the tsx loader into worker threads: the worker registers it, then loads worker.ts.
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); })`;
  const worker = new Worker(bootstrap, {
    eval: true,
    workerData: {
      pkg,
      budget: Math.round(budget * share),
      seed,
      only: onlyTarget,
      callTimeLimitMs,
      progress,
    },
  });
  return new Promise((resolve) => {
    let current = '(starting)';
    let currentName = '<name>';
    let last = -1;
    let lastChange = Date.now();
    const timer = setInterval(() => {
      const now = Atomics.load(counter, 0);
      if (now !== last) {
        last = now;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > hangMs) {
        clearInterval(timer);
        void worker.terminate();
        const k = now - Atomics.load(counter, 1); // 1-based input number within the target (fast-check path k − 1)
        const failure = `${pkg} ${current}: HANG — input ${k} of this target did not return within ${hangMs} ms (seed ${seed}, path "${k - 1}"); rerun with --package '${pkg}' --target '${currentName}' --seed ${seed}`;
        resolve({
          stats: [
            { pkg, name: current, variant: 'hang', tried: now, results: 0, typed: 0, defects: 1, failure },
          ],
          extra: [],
        });
      }
    }, 500);
    worker.on(
      'message',
      (m: {
        type: string;
        name?: string;
        variant?: string;
        stats?: TargetStats[];
        asyncFailures?: string[];
      }) => {
        if (m.type === 'target') {
          current = `${m.name} [${m.variant}]`;
          currentName = m.name ?? currentName;
        }
        if (m.type === 'done') {
          clearInterval(timer);
          void worker.terminate();
          resolve({ stats: m.stats ?? [], extra: m.asyncFailures ?? [] });
        }
      },
    );
    worker.on('error', (e) => {
      clearInterval(timer);
      const failure = `${pkg} ${current}: the worker died: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} (seed ${seed})`;
      resolve({
        stats: [
          {
            pkg,
            name: current,
            variant: 'crash',
            tried: Atomics.load(counter, 0),
            results: 0,
            typed: 0,
            defects: 1,
            failure,
          },
        ],
        extra: [],
      });
    });
  });
}

const t0 = Date.now();
console.log(
  `fuzzing ${packages.length} entry points, ${ALL_TARGETS.length} targets, budget ${budget}, seed ${seed}, ${jobs} worker(s)`,
);
const results: Outcome[] = new Array(packages.length);
let next = 0;
await Promise.all(
  Array.from({ length: Math.max(1, jobs) }, async () => {
    while (next < packages.length) {
      const i = next++;
      const started = Date.now();
      results[i] = await runInWorker(packages[i]);
      console.log(`  ${packages[i]}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }),
);
const all = results.flatMap((r) => r.stats);
const rows: PackageStats[] = summarize(all);
for (const r of results) for (const e of r.extra) rows[0].failures.push(e);
const asyncDefects = results.reduce((n, r) => n + r.extra.length, 0);
console.log(`\n${formatTable(rows)}\n`);
console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s wall clock, seed ${seed}`);
const failures = rows.flatMap((r) => r.failures);
if (failures.length > 0) {
  console.log(`\n${failures.length} defect(s):\n`);
  for (const f of failures) console.log(`${f}\n`);
}
process.exit(failures.length > 0 || asyncDefects > 0 ? 1 : 0);
