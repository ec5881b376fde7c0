/** Progress of a loop of steps: a cli-progress bar on a terminal, plain lines otherwise (CI, pipes, --json). */
import cliProgress from 'cli-progress';

export interface Progress {
  /** A new bar: `label` (e.g. "epoch 2/6") over `steps` steps. */
  start(label: string, steps: number): void;
  /** `detail` is shown after the counter, e.g. "loss 0.1234 | acc 97.1% | 1500 samples/s". */
  update(step: number, detail: string): void;
  stop(): void;
}

export function createProgress(interactive: boolean, out: { write(text: string): unknown }): Progress {
  if (interactive) {
    const bar = new cliProgress.SingleBar(
      {
        format: '{label} [{bar}] {value}/{total} steps | {detail} | eta {eta}s',
        barCompleteChar: '█',
        barIncompleteChar: '░',
        hideCursor: true,
        clearOnComplete: true,
        stream: process.stderr,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    let label = '';
    return {
      start(name, steps) {
        label = name;
        bar.start(steps, 0, { label, detail: '' });
      },
      update(step, detail) {
        bar.update(step, { label, detail });
      },
      stop() {
        bar.stop();
      },
    };
  }
  // Plain lines: one at every quarter of the steps.
  let total = 0;
  let label = '';
  let nextMark = 0;
  return {
    start(name, steps) {
      total = steps;
      label = name;
      nextMark = 0.25;
    },
    update(step, detail) {
      if (step / total + 1e-9 >= nextMark) {
        out.write(`${label}: ${step}/${total} steps, ${detail}\n`);
        while (nextMark <= step / total + 1e-9) nextMark += 0.25;
      }
    },
    stop() {},
  };
}
