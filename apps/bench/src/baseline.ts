/**
 * `--baseline[=<git-ref>]`: the training step and inference of an earlier commit (default: the last commit before
 * kernel v2) measured side by side with this tree's in the same run, interleaved A/B/A/B so that load noise hits both.
 *
 * The ref is exported with `git archive` into results/.cache/baseline-<sha>/ (packages/, apps/bench/ and the root
 * configs), given a node_modules folder of symlinks to this tree's node_modules entries except @hw3/*, which point at
 * the baseline's own packages, and its wasm is built from its own asm sources by its own `build:wasm` scripts. Then
 * two child processes run src/ab-runner.ts (this tree's, and a copy inside the baseline so it imports the baseline's
 * packages), with the same node flags as the bench.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { inferFlops, inferTask, trainFlops, trainTask } from './model-benches';
import type { Row } from './report';
import { TORCH_SCRIPT, torchImpl } from './torch';

/** The last commit before kernel v2 (issue 11): the v1 kernels, copying tensors into and out of wasm memory. */
export const DEFAULT_BASELINE_REF = '35d62e4';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNNER = 'src/ab-runner.ts';
/** The node flags of `npm run bench` (package.json), for both children. */
const NODE_FLAGS = [
  '--conditions=@hw3/source',
  '--experimental-wasm-relaxed-simd',
  '--expose-gc',
  '--import',
  'tsx',
];

export class BaselineError extends Error {
  readonly code = 'E_BASELINE';
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

function git(args: string[], cwd: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) {
    throw new BaselineError(
      `--baseline needs git, and running it failed: ${r.error.message} (install git, or run without --baseline)`,
    );
  }
  if (r.status !== 0) throw new BaselineError(`git ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

function run(command: string, args: string[], cwd: string, what: string): void {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-10).join('\n');
    throw new BaselineError(
      `${what}: ${command} ${args.join(' ')} failed in ${cwd} (${r.error?.message ?? `exit ${r.status}`})\n${output}`,
    );
  }
}

export interface BaselineTree {
  /** The commit, full and short. */
  sha: string;
  short: string;
  /** The ref as given. */
  ref: string;
  /** The checkout's root (results/.cache/baseline-<sha>). */
  dir: string;
}

/**
 * Resolves `ref` in this repository and prepares its checkout (cached: a second run reuses it). Throws BaselineError
 * with the reason when git is missing, the folder is not a git checkout, or the ref does not name a commit.
 */
export function prepareBaseline(ref: string): BaselineTree {
  if (ref.trim() === '' || ref.startsWith('-')) {
    throw new BaselineError(
      `--baseline=${ref}: expected a git ref (commit, branch or tag), e.g. ${DEFAULT_BASELINE_REF}`,
    );
  }
  const repo = git(['rev-parse', '--show-toplevel'], benchDir);
  const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new BaselineError(
      `--baseline=${ref}: git cannot find a commit named ${JSON.stringify(ref)} in ${repo} ` +
        '(a shallow clone may lack it: git fetch --unshallow; or pass another commit, branch or tag)',
    );
  }
  const sha = r.stdout.trim();
  const short = sha.slice(0, 7);
  const dir = join(benchDir, 'results', '.cache', `baseline-${sha}`);
  const stamp = join(dir, '.hw3-baseline-ready');
  if (!existsSync(stamp)) {
    console.error(`[baseline] exporting ${ref} (${short}) into ${relative(process.cwd(), dir)} …`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const tar = `${dir}.tar`;
    const paths = ['packages', 'apps/bench', 'package.json', 'tsconfig.base.json'].filter(
      (p) => git(['ls-tree', '--name-only', sha, p], repo) !== '',
    );
    git(['archive', '--format=tar', '-o', tar, sha, '--', ...paths], repo);
    run('tar', ['-xf', tar, '-C', dir], repo, 'unpacking the baseline');
    rmSync(tar, { force: true });
    if (!existsSync(join(dir, 'apps', 'bench', 'src', 'mnist-cnn-bn.ts'))) {
      throw new BaselineError(
        `--baseline=${ref}: ${short} has no apps/bench/src/mnist-cnn-bn.ts (the model the A/B rows run): pick a later commit`,
      );
    }
    linkNodeModules(repo, dir);
    for (const pkg of readdirSync(join(dir, 'packages'))) {
      const pkgDir = join(dir, 'packages', pkg);
      const manifest = join(pkgDir, 'package.json');
      if (!existsSync(manifest)) continue;
      const scripts = (JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> })
        .scripts;
      if (scripts?.['build:wasm']) {
        console.error(
          `[baseline] building ${pkg}'s wasm from the baseline's asm sources (npm run build:wasm)`,
        );
        run('npm', ['run', 'build:wasm'], pkgDir, `building the baseline's ${pkg} wasm`);
      }
    }
    writeFileSync(stamp, `${sha}\n`);
  }
  // Always this tree's runner (it may have been fixed since the checkout was made).
  copyFileSync(join(benchDir, RUNNER), join(dir, 'apps', 'bench', RUNNER));
  return { sha, short, ref, dir };
}

/**
 * dir/node_modules: a symlink to every entry of the repo's node_modules, except @hw3/*, which point at dir's own
 * packages (by package name), so the baseline runs its own code with this tree's third-party modules.
 */
function linkNodeModules(repo: string, dir: string): void {
  const source = join(repo, 'node_modules');
  if (!existsSync(source)) throw new BaselineError(`no ${source}: run npm install first`);
  const target = join(dir, 'node_modules');
  mkdirSync(join(target, '@hw3'), { recursive: true });
  for (const entry of readdirSync(source)) {
    if (entry === '@hw3') continue;
    symlinkSync(join(source, entry), join(target, entry));
  }
  for (const parent of ['packages', 'apps']) {
    const root = join(dir, parent);
    if (!existsSync(root)) continue;
    for (const pkg of readdirSync(root)) {
      const manifest = join(root, pkg, 'package.json');
      if (!existsSync(manifest)) continue;
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
      if (name?.startsWith('@hw3/')) symlinkSync(join(root, pkg), join(target, name));
    }
  }
}

/** One child process running src/ab-runner.ts in a tree. */
class Runner {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly queue: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private stderr = '';
  private closed = false;
  kernels: Record<string, string | null> = {};

  /** Runs src/ab-runner.ts in `cwd` with the bench's node flags, or `command` (the PyTorch side) when given. */
  constructor(
    readonly label: string,
    cwd: string,
    command?: { file: string; args: string[] },
  ) {
    this.child = command
      ? spawn(command.file, command.args, { cwd })
      : spawn(process.execPath, [...NODE_FLAGS, RUNNER], { cwd });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(line);
      } else this.queue.push(line);
    });
    this.lines.on('close', () => {
      this.closed = true;
      this.waiting?.(null);
    });
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const take = (line: string | null) => {
        if (line === null) {
          reject(new BaselineError(`${this.label}: the A/B runner exited early\n${this.stderr.trim()}`));
          return;
        }
        try {
          resolve(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // Not a protocol line (something in the tree printed to stdout): skip it.
          this.waiting = take;
        }
      };
      const queued = this.queue.shift();
      if (queued !== undefined) take(queued);
      else if (this.closed) take(null);
      else this.waiting = take;
    });
  }

  async ready(): Promise<void> {
    const msg = await this.next();
    if (msg.ready !== true)
      throw new BaselineError(`${this.label}: unexpected first line ${JSON.stringify(msg)}`);
    this.kernels = (msg.kernels as Record<string, string | null> | undefined) ?? {
      1: 'pytorch',
      2: 'pytorch',
    };
  }

  async measure(task: string, threads: number, budgetMs: number): Promise<number[]> {
    this.child.stdin.write(`${JSON.stringify({ task, threads, budgetMs })}\n`);
    const msg = await this.next();
    if (typeof msg.error === 'string') throw new BaselineError(`${this.label}: ${msg.error}`);
    return msg.times as number[];
  }

  close(): void {
    this.child.stdin.end();
  }
}

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)];

export interface AbOptions {
  /** A/B rounds (each: every side, every task × thread count). Default 20. */
  rounds?: number;
  /** Time budget per measurement of the training step, ms (inference: 2/3 of it). Default 150. */
  budgetMs?: number;
  /** A Python that imports torch: PyTorch joins the rounds as a third side (python/torch_bench.py --serve). */
  torchPython?: string | null;
}

/**
 * Interleaved A/B rows: for every round, task and thread count, this tree, the baseline and (when a Python imports
 * torch) PyTorch, in an order that rotates every round so drift over time cancels; all timed calls pooled per side;
 * median and best over the pool. The current tree's rows carry `baselineImpl`, so the table prints baseline median /
 * current median in "vs base".
 */
export async function benchBaseline(tree: BaselineTree, options: AbOptions = {}): Promise<Row[]> {
  const rounds = options.rounds ?? 20;
  const budget = options.budgetMs ?? 150;
  const current = new Runner('current tree', benchDir);
  const base = new Runner(`baseline ${tree.short}`, join(tree.dir, 'apps', 'bench'));
  const torch = options.torchPython
    ? new Runner('pytorch', benchDir, { file: options.torchPython, args: [TORCH_SCRIPT, '--serve'] })
    : null;
  try {
    await Promise.all([current.ready(), base.ready(), torch?.ready()]);
    const tasks = [
      { task: 'train', name: trainTask(), flops: trainFlops(), samples: 64, budget },
      { task: 'infer', name: inferTask(), flops: inferFlops(), samples: 256, budget: (budget * 2) / 3 },
    ];
    const threadCounts = [1, 2].filter((t) => current.kernels[t] && base.kernels[t]);
    const times = new Map<string, number[]>();
    const push = (key: string, values: number[]) => times.set(key, [...(times.get(key) ?? []), ...values]);
    for (let round = 0; round < rounds; round++) {
      for (const t of tasks) {
        for (const threads of threadCounts) {
          // Every side goes first, second (and third) equally often.
          const sides = torch ? [current, base, torch] : [current, base];
          const k = round % sides.length;
          for (const runner of [...sides.slice(k), ...sides.slice(0, k)]) {
            push(`${runner.label}/${t.task}/${threads}`, await runner.measure(t.task, threads, t.budget));
          }
        }
      }
      if ((round + 1) % 5 === 0 || round + 1 === rounds)
        console.error(`[baseline] A/B round ${round + 1}/${rounds} done`);
    }
    const rows: Row[] = [];
    const pooled = (runner: Runner, task: string, threads: number) =>
      (times.get(`${runner.label}/${task}/${threads}`) ?? []).sort((a, b) => a - b);
    for (const t of tasks) {
      for (const threads of threadCounts) {
        const baseImpl = `baseline ${tree.short} ${base.kernels[threads]}`;
        const basePool = pooled(base, t.task, threads);
        for (const runner of [current, base]) {
          const pool = pooled(runner, t.task, threads);
          const isBase = runner === base;
          rows.push({
            task: t.name,
            impl: isBase ? baseImpl : `hw3 ${current.kernels[threads]} (A/B)`,
            ms: median(pool),
            bestMs: pool[0],
            reps: pool.length,
            flops: t.flops,
            samples: t.samples,
            note: isBase
              ? `--baseline=${tree.ref}, ${rounds} rounds interleaved`
              : `${rounds} rounds interleaved with ${tree.short}; best-call ratio ${(basePool[0] / pool[0]).toFixed(2)}×`,
            ...(isBase ? {} : { baselineImpl: baseImpl }),
          });
        }
        if (torch) {
          const pool = pooled(torch, t.task, threads);
          rows.push({
            task: t.name,
            impl: `${torchImpl(threads)} (A/B)`,
            ms: median(pool),
            bestMs: pool[0],
            reps: pool.length,
            flops: t.flops,
            samples: t.samples,
            note: `python/torch_bench.py --serve, ${rounds} rounds interleaved`,
          });
        }
      }
    }
    return rows;
  } finally {
    current.close();
    base.close();
    torch?.close();
  }
}
