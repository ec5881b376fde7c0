import { describe, expect, it } from 'vitest';
import { formatTable, type Row } from './report';
import {
  findTorchPython,
  PYTHON_ENV,
  parseTorchOutput,
  pythonCandidates,
  threadsOfImpl,
  torchImpl,
} from './torch';

const row = (task: string, impl: string, ms: number | null, extra: Partial<Row> = {}): Row => ({
  task,
  impl,
  ms,
  bestMs: ms,
  reps: 3,
  flops: null,
  samples: null,
  note: '',
  ...extra,
});

/** The table as rows of trimmed cells, cut at the column ranges of its dashes line; the header gives the names. */
function parse(table: string): { header: string[]; lines: string[][] } {
  const [head, dashes, ...rest] = table.split('\n');
  const ranges: Array<[number, number]> = [];
  for (const m of dashes.matchAll(/-+/g)) ranges.push([m.index, m.index + m[0].length]);
  const cut = (l: string) => ranges.map(([from, to]) => l.slice(from, to).trim());
  return { header: cut(head), lines: rest.map(cut) };
}

function cell(table: string, task: string, impl: string, column: string): string {
  const { header, lines } = parse(table);
  const line = lines.find((l) => l[0] === task && l[1] === impl);
  if (line === undefined) throw new Error(`no line for ${task} / ${impl}:\n${table}`);
  return line[header.indexOf(column)];
}

describe('formatTable', () => {
  it('compares hw3 rows with PyTorch at the same thread count and A/B rows with their baseline', () => {
    const rows = [
      row('train', 'hw3 wasm-relaxed-simd', 10),
      row('train', 'hw3 wasm-relaxed-simd-2threads', 8),
      row('infer', 'hw3 wasm-relaxed-simd', 20),
      // PyTorch rows arrive after the other sections; they must still print inside their task's group.
      row('train', torchImpl(1), 15),
      row('train', torchImpl(2), 4),
      row('train', 'hw3 wasm-relaxed-simd (A/B)', 5, { baselineImpl: 'baseline abc1234 wasm-relaxed-simd' }),
      row('train', 'baseline abc1234 wasm-relaxed-simd', 12),
    ];
    const table = formatTable(rows);
    expect(cell(table, 'train', 'hw3 wasm-relaxed-simd', 'vs torch')).toBe('1.50×');
    expect(cell(table, 'train', 'hw3 wasm-relaxed-simd-2threads', 'vs torch')).toBe('0.50×');
    expect(cell(table, 'train', 'hw3 wasm-relaxed-simd (A/B)', 'vs torch')).toBe('3.00×');
    // With an interleaved PyTorch row, the (A/B) row is compared with that one instead.
    const withAbTorch = formatTable([...rows, row('train', `${torchImpl(1)} (A/B)`, 20)]);
    expect(cell(withAbTorch, 'train', 'hw3 wasm-relaxed-simd (A/B)', 'vs torch')).toBe('4.00×');
    expect(cell(withAbTorch, 'train', 'hw3 wasm-relaxed-simd', 'vs torch')).toBe('1.50×');
    expect(cell(table, 'train', 'hw3 wasm-relaxed-simd (A/B)', 'vs base')).toBe('2.40×');
    expect(cell(table, 'train', 'hw3 wasm-relaxed-simd', 'vs base')).toBe('');
    expect(cell(table, 'train', torchImpl(1), 'vs torch')).toBe(''); // only hw3 rows get ratios
    // Grouped by task in first-seen order: all train rows, then a blank line, then infer.
    expect(parse(table).lines.map((l) => l[0])).toEqual([
      'train',
      'train',
      'train',
      'train',
      'train',
      'train',
      '',
      'infer',
    ]);
  });

  it('prints n/a against a row that could not run, and nothing without a PyTorch row', () => {
    const table = formatTable([row('t', 'hw3 ts', 2), row('t', 'tfjs wasm', null)]);
    expect(cell(table, 't', 'hw3 ts', 'vs tfjs-wasm')).toBe('n/a');
    expect(cell(table, 't', 'hw3 ts', 'vs tfjs-cpu')).toBe('');
    expect(cell(table, 't', 'hw3 ts', 'vs torch')).toBe('');
    expect(cell(table, 't', 'tfjs wasm', 'ms')).toBe('n/a');
  });
});

describe('PyTorch helpers (no PyTorch needed)', () => {
  it('reads the thread count from a kernel name', () => {
    expect(threadsOfImpl('hw3 wasm-relaxed-simd')).toBe(1);
    expect(threadsOfImpl('hw3 wasm-relaxed-simd-2threads')).toBe(2);
    expect(threadsOfImpl('hw3 wasm-relaxed-simd-2threads (A/B)')).toBe(2);
    expect(torchImpl(1)).toBe('pytorch 1 thread');
    expect(torchImpl(2)).toBe('pytorch 2 threads');
  });

  it('tries $HW3_BENCH_PYTHON, then /usr/bin/python3, then python3', () => {
    expect(pythonCandidates({})).toEqual(['/usr/bin/python3', 'python3']);
    expect(pythonCandidates({ [PYTHON_ENV]: '/opt/py/bin/python' })).toEqual([
      '/opt/py/bin/python',
      '/usr/bin/python3',
      'python3',
    ]);
    expect(pythonCandidates({ [PYTHON_ENV]: 'python3' })).toEqual(['python3', '/usr/bin/python3']);
  });

  it('finds no Python when no candidate exists', () => {
    expect(findTorchPython(['/nonexistent/python3', '/nonexistent/python'])).toBeNull();
  });

  it("parses the script's last output line", () => {
    const json = { torch: '1.13.0', python: '3.11', mkldnn: true, blas: 'x', rows: [] };
    expect(parseTorchOutput(`warning: something\n${JSON.stringify(json)}\n`)).toEqual(json);
    expect(() => parseTorchOutput('{"torch": "1"}')).toThrow(/no rows/);
    expect(() => parseTorchOutput('Traceback ...')).toThrow();
  });
});
