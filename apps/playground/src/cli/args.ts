/** Command-line parsing for the playground CLI (node:util parseArgs, strict). */
import { parseArgs } from 'node:util';
import { LR_SCHEDULES, type LrSchedule } from '../train/config.js';
import { DEFAULTS } from '../train/defaults.js';
import { DEFAULT_LR, OPTIMIZERS, type OptimizerName } from '../train/optimizers.js';

export { DEFAULT_LR, DEFAULTS, OPTIMIZERS, type OptimizerName };

export interface TrainOptions {
  command: 'train';
  epochs: number;
  /** Whether --epochs was given (a resumed run keeps its saved epoch count otherwise). */
  epochsGiven: boolean;
  batchSize: number;
  optimizer: OptimizerName;
  lr: number;
  /** Whether --lr was given (a resumed run keeps its saved learning rate otherwise). */
  lrGiven: boolean;
  seed: number;
  schedule: LrSchedule;
  /** Random-shift augmentation of the training digits, in pixels (0 = off). */
  shift: number;
  out: string | null;
  resume: string | null;
  json: boolean;
  /**
   * Threads for the kernels: 1, or 2 (the calling thread plus one worker sharing the WebAssembly memory; bitwise
   * the same results). null = 2 when `@hw3/core/threads` gives kernels here, else 1.
   */
  threads: 1 | 2 | null;
  /** Dev/test: train on the first N digits of the training split only. */
  limitTrain: number | null;
  /** Dev/test: evaluate on the first N held-out digits only. */
  limitHeldOut: number | null;
  /** Dev/test: stop after this many completed epochs as if interrupted (exit 0, checkpoint kept). */
  stopAfterEpoch: number | null;
}

export interface RaceOptions {
  command: 'race';
  steps: number;
  dtype: 'float32' | 'float64';
  batchSize: number;
  lr: number;
  seed: number;
  out: string | null;
  json: boolean;
}

export type CliCommand = TrainOptions | RaceOptions | { command: 'summary' } | { command: 'help' };

export class UsageError extends Error {
  readonly code = 'E_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: npm start -- [train] [options]      train mnist-cnn-bn on the MNIST digits
       npm start -- race [options]           AdaGrad vs Adam(β1=0, β2=1, lr=η0/√t) vs Adam, same batches
       npm start -- summary                  print the layer table of mnist-cnn-bn
       npm start -- --help

Train options:
  --epochs N          epochs over the 8,000 training digits (default ${DEFAULTS.epochs})
  --batch-size N      mini-batch size (default ${DEFAULTS.batchSize})
  --optimizer NAME    ${OPTIMIZERS.join(' | ')} (default ${DEFAULTS.optimizer})
  --lr X              learning rate (default per optimizer:
                      ${OPTIMIZERS.map((name) => `${name} ${DEFAULT_LR[name]}`).join(', ')})
  --seed N            seed for init, batch order and augmentation, integer ≥ 0 (default ${DEFAULTS.seed})
  --schedule NAME     learning-rate schedule: ${LR_SCHEDULES.join(' | ')} (default ${DEFAULTS.schedule}: decays to 0
                      over the run; adam-as-adagrad always uses its own η0/√t)
  --shift N           augment: shift each training digit by up to N pixels, 0..4 (default ${DEFAULTS.shift}; 0 = off)
  --out DIR           run folder (default runs/<timestamp> in the current directory)
  --resume PATH       continue from a run folder or its model.safetensors (with --epochs N to
                      extend it, --lr X to change the learning rate from there on)
  --threads N         1 or 2: the WebAssembly kernels on one thread or on two (a worker thread sharing
                      their memory; bitwise the same results) (default 2 when available, else 1)
  --json              print one machine-readable JSON line at the end

Race options:
  --steps N           training steps per optimizer (default ${DEFAULTS.raceSteps})
  --lr X              η0 (default ${DEFAULTS.raceLr})
  --dtype NAME        float64 (default; the curves agree to ~1e-12) or float32 (fast kernels; rounding
                      differences grow chaotically after ~50 steps)
  --batch-size N, --seed N, --out DIR, --json   as above`;

const OPTIONS = {
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  seed: { type: 'string' },
  schedule: { type: 'string' },
  shift: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  json: { type: 'boolean' },
  threads: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  steps: { type: 'string' },
  dtype: { type: 'string' },
  'limit-train': { type: 'string' },
  'limit-held-out': { type: 'string' },
  'stop-after-epoch': { type: 'string' },
} as const;

function parseInteger(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!/^[+]?\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  }
  return v;
}

function parsePositiveNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v <= 0) {
    throw new UsageError(`--${name} must be a finite number > 0, got ${JSON.stringify(raw)}`);
  }
  return v;
}

function only(command: string, values: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(values)) {
    if (values[key] !== undefined && !allowed.includes(key)) {
      throw new UsageError(`option --${key} is not valid for '${command}'`);
    }
  }
}

/** Parses argv (without node and script). Throws UsageError on anything unknown or out of range. */
export function parseCli(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(
      `expected at most one command, got ${positionals.map((p) => JSON.stringify(p)).join(' ')}`,
    );
  }
  const command = positionals[0] ?? 'train';
  if (values.help) return { command: 'help' };
  if (command === 'help') return { command: 'help' };
  if (command === 'summary') {
    only('summary', values, []);
    return { command: 'summary' };
  }
  const batchSize = parseInteger('batch-size', values['batch-size'], 1, 8000) ?? DEFAULTS.batchSize;
  const seed = parseInteger('seed', values.seed, 0, 2 ** 32 - 1) ?? DEFAULTS.seed;
  if (command === 'race') {
    only('race', values, ['steps', 'dtype', 'batch-size', 'lr', 'seed', 'out', 'json']);
    const dtype = values.dtype ?? 'float64';
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new UsageError(`--dtype must be float32 or float64, got ${JSON.stringify(dtype)}`);
    }
    return {
      command: 'race',
      steps: parseInteger('steps', values.steps, 1, 100000) ?? DEFAULTS.raceSteps,
      dtype,
      batchSize,
      lr: parsePositiveNumber('lr', values.lr) ?? DEFAULTS.raceLr,
      seed,
      out: values.out ?? null,
      json: values.json ?? false,
    };
  }
  if (command !== 'train') {
    throw new UsageError(`unknown command ${JSON.stringify(command)}; valid: train, race, summary, help`);
  }
  if (values.steps !== undefined) throw new UsageError(`option --steps is only valid for 'race'`);
  if (values.resume !== undefined) {
    for (const key of [
      'batch-size',
      'optimizer',
      'seed',
      'schedule',
      'shift',
      'limit-train',
      'limit-held-out',
    ] as const) {
      if (values[key] !== undefined) {
        throw new UsageError(
          `--${key} cannot be combined with --resume: a resumed run keeps its saved settings (only --epochs, --lr, --out, --json, --threads apply)`,
        );
      }
    }
  }
  const optimizerRaw = values.optimizer ?? DEFAULTS.optimizer;
  if (!(OPTIMIZERS as readonly string[]).includes(optimizerRaw)) {
    throw new UsageError(
      `--optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${JSON.stringify(optimizerRaw)}`,
    );
  }
  const optimizer = optimizerRaw as OptimizerName;
  const schedule = values.schedule ?? DEFAULTS.schedule;
  if (!(LR_SCHEDULES as readonly string[]).includes(schedule)) {
    throw new UsageError(
      `--schedule must be one of ${LR_SCHEDULES.join(', ')}, got ${JSON.stringify(schedule)}`,
    );
  }
  return {
    command: 'train',
    epochs: parseInteger('epochs', values.epochs, 1, 1000) ?? DEFAULTS.epochs,
    epochsGiven: values.epochs !== undefined,
    batchSize,
    optimizer,
    lr: parsePositiveNumber('lr', values.lr) ?? DEFAULT_LR[optimizer],
    lrGiven: values.lr !== undefined,
    seed,
    schedule: schedule as LrSchedule,
    shift: parseInteger('shift', values.shift, 0, 4) ?? DEFAULTS.shift,
    out: values.out ?? null,
    resume: values.resume ?? null,
    json: values.json ?? false,
    threads: (parseInteger('threads', values.threads, 1, 2) ?? null) as 1 | 2 | null,
    limitTrain: parseInteger('limit-train', values['limit-train'], 2, 8000) ?? null,
    limitHeldOut: parseInteger('limit-held-out', values['limit-held-out'], 1, 2000) ?? null,
    stopAfterEpoch: parseInteger('stop-after-epoch', values['stop-after-epoch'], 1, 1000) ?? null,
  };
}
