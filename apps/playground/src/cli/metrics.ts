/** metrics.csv / metrics.json of a run folder and the per-epoch table. */
import type { TrainConfig } from '../train/config.js';
import type { EpochMetrics } from '../train/loop.js';

export function metricsCsv(history: readonly EpochMetrics[]): string {
  const lines = ['epoch,loss,train_accuracy,held_out_accuracy,samples_per_second,train_seconds'];
  for (const m of history) {
    lines.push(
      [m.epoch, m.loss, m.trainAccuracy, m.heldOutAccuracy, m.samplesPerSecond, m.trainSeconds].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function metricsJson(
  config: TrainConfig,
  history: readonly EpochMetrics[],
  lossCurve: readonly number[],
  extra: Record<string, unknown> = {},
): string {
  return `${JSON.stringify({ model: 'mnist-cnn-bn', config, ...extra, epochs: history, lossCurve }, null, 2)}\n`;
}

const HEAD = [' epoch', '    loss', ' train acc', ' held-out acc', ' samples/s'];

export function tableHeader(): string {
  return `${HEAD.join(' │')}\n${HEAD.map((h) => '─'.repeat(h.length)).join('─┼')}\n`;
}

export function tableRow(m: EpochMetrics): string {
  const cells = [
    String(m.epoch),
    m.loss.toFixed(4),
    `${(m.trainAccuracy * 100).toFixed(2)}%`,
    `${(m.heldOutAccuracy * 100).toFixed(2)}%`,
    Math.round(m.samplesPerSecond).toString(),
  ];
  return `${cells.map((c, i) => c.padStart(HEAD[i].length)).join(' │')}\n`;
}
