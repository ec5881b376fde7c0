/** `npm start -- race`: the handout's AdaGrad ≡ Adam(β1=0, β2→1, η0/√t) claim on the real model. */
import { join, relative, resolve } from 'node:path';
import { loadMnist } from '../data/mnist-cache.node.js';
import { RACE_KEYS, RACE_LABELS, Race } from '../train/race.js';
import type { RaceOptions } from './args.js';
import { defaultRunDir, makeRunDir, writeFileAtomic } from './files.js';
import type { CliIo } from './io.js';
import { createProgress } from './progress.js';

/** Steps shown in the table: 1, 2, 5, 10, 20, 50, 100, 200, ... up to the last one. */
export function sampleSteps(steps: number): number[] {
  const out: number[] = [];
  for (let decade = 1; decade <= steps; decade *= 10) {
    for (const m of [1, 2, 5]) if (m * decade <= steps) out.push(m * decade);
  }
  if (out[out.length - 1] !== steps) out.push(steps);
  return out;
}

export async function runRace(options: RaceOptions, io: CliIo): Promise<number> {
  const started = performance.now();
  const human = options.json ? io.stderr : io.stdout;
  const data = loadMnist(io.dataPath);
  const race = new Race(data, {
    steps: options.steps,
    batchSize: options.batchSize,
    lr: options.lr,
    seed: options.seed,
  });
  const runDir =
    options.out !== null
      ? resolve(io.cwd, options.out)
      : defaultRunDir(io.cwd, io.now()).replace(/runs[/\\]([^/\\]+)$/, 'runs/race-$1');
  makeRunDir(runDir);
  const shownDir = relative(io.cwd, runDir) || '.';
  human.write(
    `race: ${options.steps} steps, batch ${options.batchSize}, η0 ${options.lr}, seed ${options.seed}, ${options.dtype}, ` +
      'same init and batches\n' +
      RACE_LABELS.map((l, i) => `  ${String.fromCharCode(65 + i)} = ${l}\n`).join(''),
  );
  const progress = createProgress(io.interactive && !options.json, human);
  progress.start('race', options.steps);
  while (!race.done) {
    const [a, b, c] = race.next();
    progress.update(race.step, `loss A ${a.toFixed(4)}, B ${b.toFixed(4)}, C ${c.toFixed(4)}`);
    await new Promise<void>((r) => setImmediate(r));
  }
  progress.stop();
  const head = ['  step', '   A: AdaGrad', ' B: Adam β1=0,β2=1', '     |A − B|', '   C: Adam'];
  let table = `${head.join(' │')}\n${head.map((h) => '─'.repeat(h.length)).join('─┼')}\n`;
  for (const s of sampleSteps(options.steps)) {
    const i = s - 1;
    const cells = [
      String(s),
      race.curves[0][i].toFixed(6),
      race.curves[1][i].toFixed(6),
      race.gaps[i].toExponential(2),
      race.curves[2][i].toFixed(6),
    ];
    table += `${cells.map((c, k) => c.padStart(head[k].length)).join(' │')}\n`;
  }
  human.write(table);
  const maxGap = race.maxGap;
  const weightGaps = race.weightGaps();
  const maxWeightGap = Math.max(...weightGaps.map(([, g]) => g));
  const worst = [...weightGaps].sort((x, y) => y[1] - x[1]);
  human.write(
    `max |loss(A) − loss(B)| over ${options.steps} steps: ${maxGap.toExponential(3)}\n` +
      `max |weight(A) − weight(B)| at the end, per parameter: ` +
      `${worst.map(([name, g]) => `${name} ${g.toExponential(1)}`).join(', ')}\n` +
      '(conv biases feed BatchNorm, which subtracts them again: their gradient is rounding noise, which\n' +
      " AdaGrad's g/√Σg² scales up to full-size steps, so A and B move them differently without any effect on the loss)\n",
  );
  const csv = [`step,${RACE_KEYS.join(',')},gap`];
  for (let i = 0; i < race.step; i++) {
    csv.push(`${i + 1},${race.curves[0][i]},${race.curves[1][i]},${race.curves[2][i]},${race.gaps[i]}`);
  }
  writeFileAtomic(join(runDir, 'race.csv'), `${csv.join('\n')}\n`);
  const curves = Object.fromEntries(RACE_KEYS.map((k, i) => [k, race.curves[i]]));
  writeFileAtomic(
    join(runDir, 'race.json'),
    `${JSON.stringify(
      {
        config: race.config,
        labels: RACE_LABELS,
        maxGap,
        maxWeightGap,
        weightGaps: Object.fromEntries(weightGaps),
        curves,
        gaps: race.gaps,
      },
      null,
      2,
    )}\n`,
  );
  const wallSeconds = (performance.now() - started) / 1000;
  human.write(`Time: ${wallSeconds.toFixed(1)} s. Curves saved to ${shownDir}/ (race.csv, race.json)\n`);
  if (options.json)
    io.stdout.write(
      `${JSON.stringify({ maxGap, maxWeightGap, steps: options.steps, wallSeconds, runDir })}\n`,
    );
  return 0;
}
