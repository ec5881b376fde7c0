/**
 * Runs hw3 training steps of mnist-cnn-bn for a CPU profile, then prints the functions with the most self time.
 * Usage: npm run profile [-- --steps=40 --kernels=ts|wasm|wasm2 --resident=1|0]   (wasm2: the two-thread kernels)   (writes results/prof/*.cpuprofile)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setKernels } from '@hw3/core';
import { createWasmKernels, tsKernels } from '@hw3/core/kernels';
import { createThreadedWasmKernels } from '@hw3/core/threads';
import { BATCH, Hw3MnistCnnBn, syntheticBatch } from './mnist-cnn-bn';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

/** Self time per function (by name and file), from the newest .cpuprofile in `dir`. */
export function summarizeProfile(dir: string, top = 20): string {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files.length === 0) return `no .cpuprofile in ${dir}`;
  // Node writes one profile per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>): take the newest run's main thread.
  const run = files[0].split('.').slice(-4, -3)[0];
  const main = files.find((f) => f.split('.').slice(-4, -2).join('.') === `${run}.0`) ?? files[0];
  const profile = JSON.parse(readFileSync(main, 'utf8')) as { nodes: ProfileNode[] };
  const self = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const file = n.callFrame.url.split('/').slice(-2).join('/');
    const key = `${n.callFrame.functionName || '(anonymous)'}  ${file}:${n.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + n.hitCount);
    total += n.hitCount;
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const steps = Number(arg('steps', '40'));
  const which = arg('kernels', 'wasm');
  const threaded = which === 'wasm2' ? createThreadedWasmKernels() : null;
  if (threaded && !(await threaded.ready())) throw new Error('the two-thread kernels did not start');
  const kernels = which === 'ts' ? tsKernels : (threaded ?? createWasmKernels());
  if (!kernels) throw new Error('WebAssembly SIMD kernels unavailable');
  setKernels(kernels);
  const model = new Hw3MnistCnnBn(1, true, arg('resident', '1') !== '0');
  const batch = syntheticBatch(BATCH, 21);
  for (let i = 0; i < 3; i++) model.trainStep(batch);
  const t = performance.now();
  for (let i = 0; i < steps; i++) model.trainStep(batch);
  const ms = (performance.now() - t) / steps;
  console.log(`${kernels.name}: ${ms.toFixed(1)} ms/step, ${((BATCH * 1000) / ms).toFixed(0)} samples/s`);
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'prof');
  console.log(`profile → ${dir} when the process exits; then: npm run profile:summary`);
  threaded?.dispose();
}
