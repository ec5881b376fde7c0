/** Result rows, the printed table (with ratios against TensorFlow.js) and the JSON file. */

export interface Row {
  /** What was run, e.g. 'gemm 512³' or 'conv1 forward'. */
  task: string;
  /** Who ran it: 'hw3 ts', 'hw3 wasm-simd', 'tfjs cpu', ... */
  impl: string;
  /** Median milliseconds per call, or null when the implementation cannot do the task. */
  ms: number | null;
  /** Fastest call in ms (null when not run). */
  bestMs: number | null;
  reps: number;
  /** Floating-point operations per call (2 per multiply-add), when meaningful. */
  flops: number | null;
  /** Samples per call, for throughput rows. */
  samples: number | null;
  note: string;
}

export function gflops(row: Row): number | null {
  return row.ms !== null && row.flops !== null ? row.flops / (row.ms * 1e6) : null;
}

export function samplesPerSecond(row: Row): number | null {
  return row.ms !== null && row.samples !== null ? (row.samples * 1000) / row.ms : null;
}

function ratio(rows: Row[], row: Row, impl: string): string {
  if (!row.impl.startsWith('hw3') || row.ms === null) return '';
  const other = rows.find((r) => r.task === row.task && r.impl === impl);
  if (!other) return '';
  if (other.ms === null) return 'n/a';
  return `${(other.ms / row.ms).toFixed(2)}×`;
}

function fmt(value: number | null, digits: number): string {
  return value === null ? '' : value.toFixed(digits);
}

/**
 * A fixed-width text table: one line per row; ms = median, GFLOP/s and samples/s from the median, ratios = TensorFlow.js
 * median time / hw3 median time (higher is better).
 */
export function formatTable(rows: Row[]): string {
  const header = [
    'task',
    'impl',
    'ms',
    'best ms',
    'GFLOP/s',
    'samples/s',
    'vs tfjs-cpu',
    'vs tfjs-wasm',
    'note',
  ];
  const ms = (v: number | null) => (v === null ? 'n/a' : v < 10 ? v.toFixed(3) : v.toFixed(1));
  const lines = rows.map((r) => [
    r.task,
    r.impl,
    ms(r.ms),
    r.bestMs === null ? '' : ms(r.bestMs),
    fmt(gflops(r), 2),
    fmt(samplesPerSecond(r), 0),
    ratio(rows, r, 'tfjs cpu'),
    ratio(rows, r, 'tfjs wasm'),
    r.note,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const pad = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 && i <= 7 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [pad(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  let previous = '';
  for (let i = 0; i < rows.length; i++) {
    if (previous && rows[i].task !== previous) out.push('');
    previous = rows[i].task;
    out.push(pad(lines[i]));
  }
  return out.join('\n');
}
