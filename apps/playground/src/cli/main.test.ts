import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSafetensors } from '@hw3/core/safetensors';
import { describe, expect, it } from 'vitest';
import type { CliIo } from './io.js';
import { main } from './main.js';

function io(cwd: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    interactive: false,
    cwd,
    now: () => new Date('2026-01-02T03:04:05Z'),
    out: () => out,
    err: () => err,
  };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'hw3-cli-'));
const TINY = ['--limit-train', '192', '--limit-held-out', '100', '--batch-size', '64', '--seed', '5'];

function checkpoint(dir: string) {
  return loadSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
}

describe('CLI', () => {
  it('bad arguments: usage on stderr, exit code 2', async () => {
    const t = io(tmp());
    expect(await main(['--epochs', 'many'], t)).toBe(2);
    expect(t.err()).toContain('error: --epochs must be an integer');
    expect(t.err()).toContain('Usage: npm start');
    expect(t.out()).toBe('');
    const u = io(tmp());
    expect(await main(['--optimiser', 'adam'], u)).toBe(2);
    expect(u.err()).toMatch(/Unknown option '--optimiser'/);
  });

  it('--help prints the usage and exits 0', async () => {
    const t = io(tmp());
    expect(await main(['--help'], t)).toBe(0);
    expect(t.out()).toContain('--optimizer NAME');
  });

  it('summary prints the shape table of mnist-cnn-bn', async () => {
    const t = io(tmp());
    expect(await main(['summary'], t)).toBe(0);
    expect(t.out()).toContain('9,146');
    expect(t.out()).toContain('290,080');
  });

  it('trains, writes the run folder and one JSON line with --json', async () => {
    const cwd = tmp();
    const t = io(cwd);
    expect(await main(['--epochs', '2', ...TINY, '--json'], t)).toBe(0);
    const lines = t.out().trim().split('\n');
    expect(lines.length).toBe(1);
    const result = JSON.parse(lines[0]);
    expect(Object.keys(result).sort()).toEqual([
      'epochs',
      'heldOutAccuracy',
      'kernels',
      'runDir',
      'samplesPerSecond',
      'threads',
      'wallSeconds',
    ]);
    expect(result.epochs).toBe(2);
    expect(result.runDir).toBe(join(cwd, 'runs', '2026-01-02T03-04-05'));
    expect(result.heldOutAccuracy).toBeGreaterThan(0.1);
    const csv = readFileSync(join(result.runDir, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('epoch,loss,train_accuracy,held_out_accuracy,samples_per_second,train_seconds');
    expect(csv.length).toBe(3);
    const json = JSON.parse(readFileSync(join(result.runDir, 'metrics.json'), 'utf8'));
    expect(json.epochs.length).toBe(2);
    expect(json.lossCurve.length).toBe(6);
    expect(existsSync(join(result.runDir, 'model.safetensors'))).toBe(true);
    expect(t.err()).toContain('held-out acc');
    expect(t.err()).toContain('Final held-out accuracy');
  });

  it('--threads 2 gives a bitwise-identical loss curve and weights to --threads 1 (and says which it used)', async () => {
    const cwd = tmp();
    const runs: Record<string, { threads: number; kernels: string; stderr: string }> = {};
    for (const threads of ['1', '2']) {
      const t = io(cwd);
      expect(
        await main(['--epochs', '2', ...TINY, '--threads', threads, '--out', `t${threads}`, '--json'], t),
      ).toBe(0);
      runs[threads] = { ...JSON.parse(t.out().trim()), stderr: t.err() };
    }
    // Node 20 has shared WebAssembly memory and worker threads: the two-thread kernels must really run.
    expect(runs['1'].threads).toBe(1);
    expect(runs['2'].threads).toBe(2);
    expect(runs['2'].kernels).toBe(`${runs['1'].kernels}-2threads`);
    expect(runs['2'].stderr).toContain(`kernels ${runs['2'].kernels}, 2 threads`);
    expect(runs['1'].stderr).toContain(`kernels ${runs['1'].kernels}, 1 thread\n`);
    const curve = (dir: string) => JSON.parse(readFileSync(join(cwd, dir, 'metrics.json'), 'utf8')).lossCurve;
    const one: number[] = curve('t1');
    const two: number[] = curve('t2');
    expect(one.length).toBe(6);
    expect(two.length).toBe(one.length);
    for (let i = 0; i < one.length; i++) expect(Object.is(two[i], one[i]), `loss[${i}]`).toBe(true);
    const a = checkpoint(join(cwd, 't1'));
    const b = checkpoint(join(cwd, 't2'));
    for (const [name, t] of Object.entries(a.tensors)) {
      const u = b.tensors[name].data;
      for (let i = 0; i < u.length; i++) expect(Object.is(u[i], t.data[i]), `${name}[${i}]`).toBe(true);
    }
  });

  it('--resume of a run stopped after epoch 1 ends bitwise-identical to the uninterrupted run', async () => {
    const cwd = tmp();
    expect(await main(['--epochs', '2', ...TINY, '--out', 'straight'], io(cwd))).toBe(0);
    const stopped = io(cwd);
    expect(await main(['--epochs', '2', ...TINY, '--out', 'cut', '--stop-after-epoch', '1'], stopped)).toBe(
      0,
    );
    expect(stopped.out()).toContain('stopped after epoch 1');
    expect(JSON.parse(checkpoint(join(cwd, 'cut')).metadata.trainer).epoch).toBe(1);
    const resumed = io(cwd);
    expect(await main(['--resume', 'cut'], resumed)).toBe(0);
    expect(resumed.out()).toContain('resumed at epoch 2');
    const a = checkpoint(join(cwd, 'straight'));
    const b = checkpoint(join(cwd, 'cut'));
    expect(Object.keys(b.tensors).sort()).toEqual(Object.keys(a.tensors).sort());
    for (const [name, t] of Object.entries(a.tensors)) {
      const u = b.tensors[name].data;
      expect(u.length).toBe(t.data.length);
      for (let i = 0; i < u.length; i++) expect(Object.is(u[i], t.data[i]), `${name}[${i}]`).toBe(true);
    }
    expect(b.metadata.optimizer).toBe(a.metadata.optimizer);
    expect(JSON.parse(b.metadata.trainer).lossCurve).toEqual(JSON.parse(a.metadata.trainer).lossCurve);
    const csvA = readFileSync(join(cwd, 'straight', 'metrics.csv'), 'utf8')
      .split('\n')
      .map((l) => l.split(',').slice(0, 4));
    const csvB = readFileSync(join(cwd, 'cut', 'metrics.csv'), 'utf8')
      .split('\n')
      .map((l) => l.split(',').slice(0, 4));
    expect(csvB).toEqual(csvA);
  });

  it('a non-finite loss stops training with a clear message and keeps the last good checkpoint', async () => {
    const cwd = tmp();
    expect(await main(['--epochs', '3', ...TINY, '--out', 'run', '--stop-after-epoch', '1'], io(cwd))).toBe(
      0,
    );
    const before = readFileSync(join(cwd, 'run', 'model.safetensors'));
    const t = io(cwd);
    expect(await main(['--resume', 'run', '--lr', '1e30'], t)).toBe(1);
    expect(t.err()).toMatch(
      /error: (loss became (NaN|Infinity) at|weights of [\w.]+ became non-finite in the update of) epoch 2, step \d+/,
    );
    expect(t.err()).toContain(
      `The last good checkpoint (after epoch 1) is kept in ${join('run', 'model.safetensors')}`,
    );
    expect(readFileSync(join(cwd, 'run', 'model.safetensors')).equals(before)).toBe(true);
  });

  it('a non-finite loss before the first checkpoint says that nothing was saved', async () => {
    const cwd = tmp();
    const t = io(cwd);
    expect(await main(['--epochs', '2', ...TINY, '--out', 'run', '--lr', '1e30'], t)).toBe(1);
    expect(t.err()).toMatch(/error: (loss became|weights of \S+ became non-finite).* epoch 1, step \d+/);
    expect(t.err()).toContain('No checkpoint was saved');
    expect(existsSync(join(cwd, 'run', 'model.safetensors'))).toBe(false);
  });

  it('race: AdaGrad and Adam(β1=0, β2=1, η0/√t) curves coincide; curves are saved', async () => {
    const cwd = tmp();
    const t = io(cwd);
    expect(await main(['race', '--steps', '4', '--out', 'race', '--json'], t)).toBe(0);
    const result = JSON.parse(t.out().trim());
    expect(result.steps).toBe(4);
    expect(result.maxGap).toBeLessThan(1e-12); // float64 by default
    const saved = JSON.parse(readFileSync(join(cwd, 'race', 'race.json'), 'utf8'));
    expect(saved.curves.adagrad.length).toBe(4);
    expect(saved.curves.adam).not.toEqual(saved.curves.adagrad);
    expect(
      readFileSync(join(cwd, 'race', 'race.csv'), 'utf8')
        .trim()
        .split('\n').length,
    ).toBe(5);
  });
});
