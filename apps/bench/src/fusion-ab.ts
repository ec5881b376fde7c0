/**
 * A/B of one kernel-v2 choice in the same process, interleaved rounds (load noise hits both): the mnist-cnn-bn
 * training step with the fused BN + ReLU (`batchNorm(h, { relu: true })`) against relu(batchNorm(h)), on the wasm
 * kernels (1 thread) and the two-thread kernels; also checks that both give the same loss bit for bit.
 * Usage: node --conditions=@hw3/source --experimental-wasm-relaxed-simd --import tsx src/fusion-ab.ts [--rounds=6]
 */
import { createWasmKernels, type Kernels, setKernels } from '@hw3/core';
import { createThreadedWasmKernels } from '@hw3/core/threads';
import { BATCH, Hw3MnistCnnBn, syntheticBatch } from './mnist-cnn-bn';
import { measure } from './timing';

const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
const rounds = roundsArg ? Number(roundsArg.slice('--rounds='.length)) : 6;
const one = createWasmKernels();
const two = createThreadedWasmKernels();
if (!one) throw new Error('WebAssembly SIMD kernels unavailable');
if (two) await two.ready();
const sets: Kernels[] = two ? [one, two] : [one];
const batch = syntheticBatch(BATCH, 21);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const k of sets) {
  setKernels(k);
  const fused = new Hw3MnistCnnBn(1, true);
  const plain = new Hw3MnistCnnBn(1, false);
  for (let i = 0; i < 3; i++) {
    const a = fused.trainStep(batch);
    const b = plain.trainStep(batch);
    if (!Object.is(a, b)) throw new Error(`${k.name}: fused loss ${a} ≠ unfused ${b} at step ${i}`);
  }
  const times: Record<'fused' | 'plain', number[]> = { fused: [], plain: [] };
  for (let r = 0; r < rounds; r++) {
    times.fused.push(measure(() => fused.trainStep(batch), { warmup: 1, budgetMs: 700 }).ms);
    times.plain.push(measure(() => plain.trainStep(batch), { warmup: 1, budgetMs: 700 }).ms);
  }
  const f = median(times.fused);
  const p = median(times.plain);
  console.log(
    `${k.name.padEnd(28)} fused BN+ReLU ${f.toFixed(2)} ms, relu(batchNorm) ${p.toFixed(2)} ms, ` +
      `speedup ${(p / f).toFixed(3)}× (median of ${rounds} interleaved rounds; losses identical)`,
  );
}
two?.dispose();
