/**
 * PyTorch (CPU) rows: spawns python/torch_bench.py with a Python that can `import torch` and turns the JSON it prints
 * into rows. PyTorch is optional: without it the bench prints "PyTorch not installed: row skipped" and goes on.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Row } from './report';

/** Environment variable naming the Python to use (tried first). */
export const PYTHON_ENV = 'HW3_BENCH_PYTHON';
export const TORCH_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'python', 'torch_bench.py');
const SCRIPT = TORCH_SCRIPT;

export interface TorchRequest {
  threads: number[];
  gemm?: number[];
  train?: { batch: number };
  infer?: { batch: number };
}

interface TorchRow {
  task: string;
  threads: number;
  n?: number;
  batch?: number;
  ms: number;
  bestMs: number;
  reps: number;
}

export interface TorchResult {
  torch: string;
  python: string;
  mkldnn: boolean;
  blas: string;
  rows: TorchRow[];
}

/** Candidates in order: $HW3_BENCH_PYTHON, /usr/bin/python3 (Debian's python3-torch), python3 on PATH. */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = [env[PYTHON_ENV], '/usr/bin/python3', 'python3'].filter(
    (p): p is string => typeof p === 'string' && p.length > 0,
  );
  return [...new Set(list)];
}

let found: string | null | undefined;

/**
 * The first candidate for which `python -c "import torch"` succeeds, or null. The default candidates' answer is
 * cached for the process.
 */
export function findTorchPython(candidates?: string[]): string | null {
  if (candidates === undefined && found !== undefined) return found;
  let result: string | null = null;
  for (const python of candidates ?? pythonCandidates()) {
    const r = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) {
      result = python;
      break;
    }
  }
  if (candidates === undefined) found = result;
  return result;
}

export function torchImpl(threads: number): string {
  return `pytorch ${threads} thread${threads === 1 ? '' : 's'}`;
}

/** The number of threads an hw3 row uses, read from its kernel name (`…-2threads`); 1 otherwise. */
export function threadsOfImpl(impl: string): number {
  const m = /(\d+)threads?\b/.exec(impl);
  return m ? Number(m[1]) : 1;
}

/** Parses the script's stdout (its last non-empty line is the JSON object). */
export function parseTorchOutput(stdout: string): TorchResult {
  const lines = stdout.trim().split('\n');
  const result = JSON.parse(lines[lines.length - 1]) as TorchResult;
  if (!Array.isArray(result.rows)) throw new Error('torch_bench.py printed no rows');
  return result;
}

let announced = false;

/**
 * Runs the PyTorch measurements of `request` and returns rows whose task names are made by `taskOf` (so they land in
 * the same table group as the hw3 rows of that task). Returns [] (after one line on stderr/stdout) when no Python can
 * import torch or the script fails; never throws.
 */
export function benchTorch(
  request: TorchRequest,
  taskOf: (row: TorchRow) => string,
  flopsOf: (row: TorchRow) => number | null,
  samplesOf: (row: TorchRow) => number | null,
): { rows: Row[]; info: Omit<TorchResult, 'rows'> | null } {
  const python = findTorchPython();
  if (python === null) {
    if (!announced) {
      console.log(
        `PyTorch not installed: row skipped (tried ${pythonCandidates().join(', ')}; Debian: apt-get install -y python3-torch, or set ${PYTHON_ENV})`,
      );
      announced = true;
    }
    return { rows: [], info: null };
  }
  const r = spawnSync(python, [SCRIPT, JSON.stringify(request)], {
    encoding: 'utf8',
    timeout: 15 * 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) {
    console.log(
      `PyTorch rows skipped: ${python} ${SCRIPT} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
    return { rows: [], info: null };
  }
  let result: TorchResult;
  try {
    result = parseTorchOutput(r.stdout);
  } catch (error) {
    console.log(`PyTorch rows skipped: cannot read the output of ${SCRIPT}: ${(error as Error).message}`);
    return { rows: [], info: null };
  }
  const note = `torch ${result.torch}${result.mkldnn ? ', oneDNN' : ''}${/blas\/libblas/.test(result.blas) ? ', reference BLAS' : ''}`;
  const rows = result.rows.map(
    (t): Row => ({
      task: taskOf(t),
      impl: torchImpl(t.threads),
      ms: t.ms,
      bestMs: t.bestMs,
      reps: t.reps,
      flops: flopsOf(t),
      samples: samplesOf(t),
      note,
    }),
  );
  const { rows: _, ...info } = result;
  return { rows, info };
}
