import { describe, expect, it } from 'vitest';
import { DEFAULT_LR, OPTIMIZERS, parseCli, UsageError } from './args.js';

describe('parseCli', () => {
  it('defaults to a train run with Adam, batch 64', () => {
    const c = parseCli([]);
    expect(c).toMatchObject({
      command: 'train',
      optimizer: 'adam',
      batchSize: 64,
      lr: DEFAULT_LR.adam,
      seed: 0,
      epochs: 12,
      schedule: 'cosine',
      shift: 1,
    });
    expect(DEFAULT_LR.adam).toBe(5e-3);
    expect(c.command === 'train' && c.epochsGiven).toBe(false);
  });

  it('parses every train option', () => {
    const c = parseCli([
      '--epochs',
      '3',
      '--batch-size=32',
      '--optimizer',
      'sgd',
      '--lr',
      '0.1',
      '--seed',
      '7',
      '--out',
      'x',
      '--json',
      '--limit-train',
      '100',
    ]);
    expect(c).toMatchObject({
      command: 'train',
      epochs: 3,
      epochsGiven: true,
      batchSize: 32,
      optimizer: 'sgd',
      lr: 0.1,
      seed: 7,
      out: 'x',
      json: true,
      limitTrain: 100,
    });
  });

  it('--threads: 1 or 2, default null (2 when available); allowed with --resume', () => {
    expect(parseCli([])).toMatchObject({ threads: null });
    expect(parseCli(['--threads', '1'])).toMatchObject({ threads: 1 });
    expect(parseCli(['--threads=2'])).toMatchObject({ threads: 2 });
    expect(parseCli(['--resume', 'runs/x', '--threads', '1'])).toMatchObject({
      threads: 1,
      resume: 'runs/x',
    });
  });

  it('uses the optimizer default learning rate', () => {
    expect(parseCli(['--optimizer', 'adagrad'])).toMatchObject({ lr: DEFAULT_LR.adagrad });
  });

  it('parses race and summary', () => {
    expect(parseCli(['race'])).toMatchObject({
      command: 'race',
      steps: 200,
      lr: 0.01,
      batchSize: 64,
      dtype: 'float64',
    });
    expect(parseCli(['race', '--dtype', 'float32'])).toMatchObject({ dtype: 'float32' });
    expect(parseCli(['race', '--steps', '5', '--lr', '0.05'])).toMatchObject({ steps: 5, lr: 0.05 });
    expect(parseCli(['summary'])).toEqual({ command: 'summary' });
    expect(parseCli(['--help'])).toEqual({ command: 'help' });
    expect(parseCli(['race', '-h'])).toEqual({ command: 'help' });
  });

  it.each([
    [['--epochs', '0'], /--epochs must be an integer in \[1, 1000\], got "0"/],
    [['--epochs', '2.5'], /--epochs must be an integer/],
    [['--epochs', 'abc'], /--epochs must be an integer/],
    [['--lr=-1'], /--lr must be a finite number > 0, got "-1"/],
    [['--lr', 'NaN'], /--lr must be a finite number > 0/],
    [
      ['--optimizer', 'no-such-optimizer'],
      // the list is the optimizer table's, in its order
      `--optimizer must be one of ${OPTIMIZERS.join(', ')}, got "no-such-optimizer"`,
    ],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--epochs'], /--epochs/],
    [['fly'], /unknown command "fly"/],
    [['race', 'summary'], /at most one command/],
    [['summary', '--epochs', '2'], /--epochs is not valid for 'summary'/],
    [['race', '--optimizer', 'sgd'], /--optimizer is not valid for 'race'/],
    [['--steps', '3'], /--steps is only valid for 'race'/],
    [['--resume', 'runs/x', '--seed', '1'], /--seed cannot be combined with --resume/],
    [['--seed', '-3'], /--seed/],
    [['race', '--dtype', 'int8'], /--dtype must be float32 or float64, got "int8"/],
    [['--schedule', 'step'], /--schedule must be one of constant, cosine, got "step"/],
    [['--shift', '9'], /--shift must be an integer in \[0, 4\], got "9"/],
    [['--threads', '3'], /--threads must be an integer in \[1, 2\], got "3"/],
    [['--threads', '0'], /--threads must be an integer in \[1, 2\], got "0"/],
    [['race', '--threads', '2'], /--threads is not valid for 'race'/],
    [['--seed=-3'], /--seed must be an integer in \[0, 4294967295\], got "-3"/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(message);
  });
});
