import { checkHyper, checkObjectArg, describeArg, NON_NEGATIVE, OptimError } from './errors';
import { decodeNumber, encodeNumber } from './state-json';

/** Options of `ReduceOnPlateau` (PyTorch `ReduceLROnPlateau` names and defaults). */
export interface ReduceOnPlateauOptions {
  /** 'min': the metric should go down (a loss); 'max': up (an accuracy). Default 'min' */
  mode?: 'min' | 'max';
  /** multiply the learning rate by this on a plateau, in [0, 1); default 0.1 */
  factor?: number;
  /** number of non-improving steps tolerated before reducing; default 10 */
  patience?: number;
  /** minimum change that counts as an improvement; default 1e-4 */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. Default 'rel' */
  thresholdMode?: 'rel' | 'abs';
  /** steps to wait after a reduction before counting bad steps again; default 0 */
  cooldown?: number;
  /** lower bound of the learning rate, one for all groups or one per group; default 0 */
  minLr?: number | readonly number[];
  /** reductions smaller than this are ignored; default 1e-8 */
  eps?: number;
}

/** What ReduceOnPlateau changes: anything with `paramGroups[].lr` (every optimizer of this package). */
export interface HasLearningRate {
  readonly paramGroups: readonly { lr: number }[];
}

/**
 * The state of `ReduceOnPlateau` (`stateDict` / `loadStateDict`): the best metric so far and the counters.
 */
export interface ReduceOnPlateauState {
  best: number | string;
  numBadSteps: number;
  cooldownCounter: number;
  lastStep: number;
}

/**
 * Lowers the learning rate when a metric stops improving (PyTorch's ReduceLROnPlateau): call `step(metric)`
 * once per evaluation. Writes `paramGroups[k].lr`; a `schedule.lr` on the optimizer would overwrite it, so
 * use one or the other. `stateDict()`/`loadStateDict()` save and restore its counters (JSON-safe).
 */
export class ReduceOnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: readonly number[];
  readonly eps: number;
  best: number;
  numBadSteps = 0;
  cooldownCounter = 0;
  lastStep = 0;
  readonly #target: HasLearningRate;

  constructor(target: HasLearningRate, options: ReduceOnPlateauOptions = {}) {
    checkObjectArg('ReduceOnPlateau: options', options);
    if (typeof target !== 'object' || target === null || !Array.isArray(target.paramGroups)) {
      throw new OptimError(
        'INVALID_ARGUMENT',
        `ReduceOnPlateau: target must have paramGroups (an optimizer), got ${describeArg(target)}`,
      );
    }
    target.paramGroups.forEach((g, i) => {
      checkHyper(`paramGroups[${i}].lr`, g?.lr, NON_NEGATIVE, 'ReduceOnPlateau: target.');
    });
    const {
      mode = 'min',
      factor = 0.1,
      patience = 10,
      threshold = 1e-4,
      thresholdMode = 'rel',
      cooldown = 0,
      minLr = 0,
      eps = 1e-8,
    } = options;
    if (mode !== 'min' && mode !== 'max') {
      throw new OptimError(
        'INVALID_HYPERPARAMETER',
        `ReduceOnPlateau: mode = ${JSON.stringify(mode)} is invalid; expected 'min' or 'max'`,
      );
    }
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') {
      throw new OptimError(
        'INVALID_HYPERPARAMETER',
        `ReduceOnPlateau: thresholdMode = ${JSON.stringify(thresholdMode)} is invalid; expected 'rel' or 'abs'`,
      );
    }
    checkHyper('ReduceOnPlateau: factor', factor, { min: 0, max: 1, maxOpen: true });
    for (const [name, v] of [
      ['patience', patience],
      ['cooldown', cooldown],
    ] as const) {
      if (!Number.isInteger(v) || v < 0) {
        throw new OptimError(
          'INVALID_HYPERPARAMETER',
          `ReduceOnPlateau: ${name} = ${v} is invalid; expected an integer >= 0`,
        );
      }
    }
    checkHyper('ReduceOnPlateau: threshold', threshold, NON_NEGATIVE);
    checkHyper('ReduceOnPlateau: eps', eps, NON_NEGATIVE);
    const groups = target.paramGroups.length;
    const minLrs = typeof minLr === 'number' ? new Array<number>(groups).fill(minLr) : [...minLr];
    if (minLrs.length !== groups) {
      throw new OptimError(
        'INVALID_HYPERPARAMETER',
        `ReduceOnPlateau: minLr has ${minLrs.length} entries; expected one number or ${groups} (one per parameter group)`,
      );
    }
    minLrs.forEach((m, i) => {
      checkHyper(`ReduceOnPlateau: minLr[${i}]`, m, { min: 0 });
    });
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.minLrs = minLrs;
    this.eps = eps;
    this.best = mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.#target = target;
  }

  #isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min')
      return this.thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  /** Records one evaluation of the metric; returns true when it lowered the learning rate. */
  step(metric: number): boolean {
    if (typeof metric !== 'number' || Number.isNaN(metric)) {
      throw new OptimError(
        'INVALID_ARGUMENT',
        `ReduceOnPlateau.step: metric = ${metric} is invalid; expected a number (not NaN)`,
      );
    }
    this.lastStep++;
    if (this.#isBetter(metric)) {
      this.best = metric;
      this.numBadSteps = 0;
    } else {
      this.numBadSteps++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadSteps = 0;
    }
    if (this.numBadSteps > this.patience) {
      let reduced = false;
      this.#target.paramGroups.forEach((group, i) => {
        const old = group.lr;
        const next = Math.max(old * this.factor, this.minLrs[i]);
        if (old - next > this.eps) {
          group.lr = next;
          reduced = true;
        }
      });
      this.cooldownCounter = this.cooldown;
      this.numBadSteps = 0;
      return reduced;
    }
    return false;
  }

  stateDict(): ReduceOnPlateauState {
    return {
      best: encodeNumber(this.best),
      numBadSteps: this.numBadSteps,
      cooldownCounter: this.cooldownCounter,
      lastStep: this.lastStep,
    };
  }

  loadStateDict(state: ReduceOnPlateauState): void {
    const best = decodeNumber(state?.best);
    const ints = [state?.numBadSteps, state?.cooldownCounter, state?.lastStep];
    if (best === undefined || !ints.every((v) => Number.isInteger(v) && (v as number) >= 0)) {
      throw new OptimError(
        'STATE_MISMATCH',
        `ReduceOnPlateau.loadStateDict: got ${JSON.stringify(state)}; expected { best, numBadSteps, cooldownCounter, lastStep } from stateDict()`,
      );
    }
    this.best = best;
    this.numBadSteps = state.numBadSteps;
    this.cooldownCounter = state.cooldownCounter;
    this.lastStep = state.lastStep;
  }
}
