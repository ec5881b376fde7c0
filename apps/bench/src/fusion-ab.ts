/**
 * A/B of one kernel-v2 choice in the same process, interleaved rounds (load noise hits both): the mnist-cnn-bn
 * training step with the fused BN + ReLU (`batchNorm(h, { relu: true })`) against relu(batchNorm(h)), on the wasm
 * kernels (1 thread) and the two-thread kernels; also checks that both give the same loss bit for bit. Prints the
 * median wall time and the median process CPU time per step (all threads; on a shared machine the CPU time is the
 * steadier of the two, the wall time includes waiting for a core).
 * Usage: node --conditions=@hw3/source --experimental-wasm-relaxed-simd --import tsx src/fusion-ab.ts [--rounds=6]
 */
import { setKernels } from '@hw3/core';
import { createWasmKernels, type Kernels } from '@hw3/core/kernels';
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
      `CPU ${fc.toFixed(2)} vs ${pc.toFixed(2)} ms/step (${(pc / fc).toFixed(3)}×): fused BN+ReLU vs relu(batchNorm), ` +
      `median of ${rounds} interleaved rounds; losses identical`,
  );
}
two?.dispose();
