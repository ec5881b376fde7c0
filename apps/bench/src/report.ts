/** Result rows, the printed table (with ratios against TensorFlow.js, PyTorch and a baseline) and the JSON file. */
import { threadsOfImpl, torchImpl } from './torch';

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
  /**
   * The impl of the row this one is compared with in the "vs base" column (same task): set on the current tree's
   * rows of an A/B run against a baseline commit (`--baseline`).
   */
  baselineImpl?: string;
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

/**
 * PyTorch with the same number of threads as an hw3 row: PyTorch median time / hw3 median time; an `(A/B)` row is
 * compared with the PyTorch row of the same interleaved rounds when there is one.
 */
function torchRatio(rows: Row[], row: Row): string {
  if (!row.impl.startsWith('hw3') || row.ms === null) return '';
  const impl = torchImpl(threadsOfImpl(row.impl));
  if (row.impl.endsWith(' (A/B)') && rows.some((r) => r.task === row.task && r.impl === `${impl} (A/B)`))
    return ratio(rows, row, `${impl} (A/B)`);
  return ratio(rows, row, impl);
}

/** Baseline median time / this row's median time (A/B rows of `--baseline`). */
function baselineRatio(rows: Row[], row: Row): string {
  return row.baselineImpl === undefined ? '' : ratio(rows, row, row.baselineImpl);
}

function fmt(value: number | null, digits: number): string {
  return value === null ? '' : value.toFixed(digits);
}

/**
 * A fixed-width text table: one line per row, grouped by task (in the order tasks first appear); ms = median, GFLOP/s
 * and samples/s from the median, ratios = other median time / hw3 median time (higher = hw3 faster): TensorFlow.js,
 * PyTorch with the same thread count (vs torch), the baseline commit measured A/B in the same run (vs base).
 */
export function formatTable(unordered: Row[]): string {
  const tasks = [...new Set(unordered.map((r) => r.task))];
  const rows = tasks.flatMap((t) => unordered.filter((r) => r.task === t));
  const header = [
    'task',
    'impl',
    'ms',
    'best ms',
    'GFLOP/s',
    'samples/s',
    'vs tfjs-cpu',
    'vs tfjs-wasm',
    'vs torch',
    'vs base',
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
    torchRatio(rows, r),
    baselineRatio(rows, r),
    r.note,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const pad = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 && i <= 9 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
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
