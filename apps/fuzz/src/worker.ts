/**
 * One package's fuzz run in a worker thread (started by cli.ts). Every generated input increments a shared
 * counter, so the main thread sees a call that never returns (a hang) and can stop the worker and report it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PackageName } from './harness';
import { runPackage } from './runner';
import { asyncFailures, pendingLoads } from './targets/core-misc';
import { ALL_TARGETS } from './targets/index';

interface Job {
  pkg: PackageName;
  budget: number;
  seed: number;
  only?: string;
  callTimeLimitMs: number;
  progress: SharedArrayBuffer;
}

const job = workerData as Job;
const counter = new Int32Array(job.progress);
const port = parentPort;
if (port === null) throw new Error('worker.ts runs as a worker thread of cli.ts');

const stats = runPackage(job.pkg, ALL_TARGETS, {
  budget: job.budget,
  seed: job.seed,
  only: job.only,
  callTimeLimitMs: job.callTimeLimitMs,
  onCall: () => {
    Atomics.add(counter, 0, 1);
  },
  onTarget: (t) => {
    Atomics.store(counter, 1, Atomics.load(counter, 0)); // where this target's inputs start
    port.postMessage({ type: 'target', name: t.name, variant: t.variant });
  },
});
await Promise.all(pendingLoads);
port.postMessage({ type: 'done', stats, asyncFailures: [...asyncFailures] });
