/** Defaults shared by the CLI and the web page (the default run is measured in README.md). */

import type { LrSchedule } from './config.js';
import type { OptimizerName } from './optimizers.js';

export const DEFAULTS = {
  epochs: 12,
  batchSize: 64,
  optimizer: 'adam' as OptimizerName,
  seed: 0,
  schedule: 'cosine' as LrSchedule,
  shift: 1,
  raceSteps: 200,
  raceLr: 0.01,
} as const;
