/**
 * A/B of one kernel-v2 choice in the same process, interleaved rounds (load noise hits both), on the wasm kernels
 * (1 thread) and the two-thread kernels; also checks that both give the same loss bit for bit. The mnist-cnn-bn
 * training step with
 * - `--what=fusion` (default): the fused BN + ReLU (`batchNorm(h, { relu: true })`) against relu(batchNorm(h));
 * - `--what=resident`: steps inside `tidy` (tensors in WebAssembly memory, used in place) against plain steps
 *   (tensors on the JavaScript heap, copied into and out of wasm memory by every kernel call). Prints the
 * median wall time and the median process CPU time per step (all threads; on a shared machine the CPU time is the
 * steadier of the two, the wall time includes waiting for a core).
 * Usage: node --conditions=@hw3/source --experimental-wasm-relaxed-simd --import tsx src/fusion-ab.ts [--rounds=6]
 *   [--what=fusion|resident]
 */
import { setKernels } from '@hw3/core';
import { createWasmKernels, type Kernels } from '@hw3/core/kernels';
import { createThreadedWasmKernels } from '@hw3/core/threads';
import { BATCH, Hw3MnistCnnBn, syntheticBatch } from './mnist-cnn-bn';
import { measure } from './timing';

const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
const rounds = roundsArg ? Number(roundsArg.slice('--rounds='.length)) : 6;
const what = process.argv.find((a) => a.startsWith('--what='))?.slice('--what='.length) ?? 'fusion';
if (what !== 'fusion' && what !== 'resident') throw new Error(`--what: fusion or resident, got ${what}`);
const label =
  what === 'fusion' ? 'fused BN+ReLU vs relu(batchNorm)' : 'tidy (tensors in wasm memory) vs copies';
const one = createWasmKernels();
const two = createThreadedWasmKernels();
if (!one) throw new Error('WebAssembly SIMD kernels unavailable');
if (two) await two.ready();
const sets: Kernels[] = two ? [one, two] : [one];
const batch = syntheticBatch(BATCH, 21);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const k of sets) {
  setKernels(k);
  // "fused" is the new variant, "plain" the old one.
  const fused = new Hw3MnistCnnBn(1, true, true);
  const plain = what === 'fusion' ? new Hw3MnistCnnBn(1, false, true) : new Hw3MnistCnnBn(1, true, false);
  for (let i = 0; i < 3; i++) {
    const a = fused.trainStep(batch);
    const b = plain.trainStep(batch);
    if (!Object.is(a, b)) throw new Error(`${k.name}: ${label}: loss ${a} ≠ ${b} at step ${i}`);
  }
  const wall: Record<'fused' | 'plain', number[]> = { fused: [], plain: [] };
  const cpu: Record<'fused' | 'plain', number[]> = { fused: [], plain: [] };
  const run = (which: 'fused' | 'plain', model: Hw3MnistCnnBn) => {
    const c0 = process.cpuUsage();
    const t = measure(() => model.trainStep(batch), { warmup: 1, budgetMs: 700 });
    const c = process.cpuUsage(c0);
    wall[which].push(t.ms);
    cpu[which].push((c.user + c.system) / 1000 / (t.reps + 1));
  };
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so neither always follows the other.
    if (r % 2 === 0) {
      run('fused', fused);
      run('plain', plain);
    } else {
      run('plain', plain);
      run('fused', fused);
    }
  }
  const [fw, pw, fc, pc] = [median(wall.fused), median(wall.plain), median(cpu.fused), median(cpu.plain)];
  console.log(
    `${k.name.padEnd(28)} wall ${fw.toFixed(2)} vs ${pw.toFixed(2)} ms (${(pw / fw).toFixed(3)}×), ` +
      `CPU ${fc.toFixed(2)} vs ${pc.toFixed(2)} ms/step (${(pc / fc).toFixed(3)}×): ${label}, ` +
      `median of ${rounds} interleaved rounds; losses identical`,
  );
}
two?.dispose();
