/** Per-epoch progress: a cli-progress bar on a terminal, plain lines otherwise (CI, pipes, --json). */
import cliProgress from 'cli-progress';

export interface Progress {
  start(epoch: number, epochs: number, steps: number): void;
  update(step: number, loss: number, accuracy: number, samplesPerSecond: number): void;
  stop(): void;
}

export function createProgress(interactive: boolean, out: { write(text: string): unknown }): Progress {
  if (interactive) {
    const bar = new cliProgress.SingleBar(
      {
        format:
          'epoch {epoch} [{bar}] {value}/{total} steps | loss {loss} | acc {acc} | {speed} samples/s | eta {eta}s',
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
      start(epoch, epochs, steps) {
        label = `${epoch}/${epochs}`;
        bar.start(steps, 0, { epoch: label, loss: '-', acc: '-', speed: '-' });
      },
      update(step, loss, accuracy, sps) {
        bar.update(step, {
          epoch: label,
          loss: loss.toFixed(4),
          acc: `${(accuracy * 100).toFixed(1)}%`,
          speed: Math.round(sps).toString(),
        });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let total = 0;
  let label = '';
  let nextMark = 0;
  return {
    start(epoch, epochs, steps) {
      total = steps;
      label = `epoch ${epoch}/${epochs}`;
      nextMark = 0.25;
    },
    update(step, loss, accuracy, sps) {
      if (step / total + 1e-9 >= nextMark) {
        out.write(
          `${label}: ${step}/${total} steps, loss ${loss.toFixed(4)}, acc ${(accuracy * 100).toFixed(1)}%, ${Math.round(sps)} samples/s\n`,
        );
        while (nextMark <= step / total + 1e-9) nextMark += 0.25;
      }
    },
    stop() {},
  };
}
