import { checkHyper, describeArg, NON_NEGATIVE, OptimError } from './errors';

/**
 * A schedule is a pure function of the 1-based step number t = 1, 2, 3, ... (the step that is about to be
 * taken) returning a hyperparameter value. Usable for the learning rate and for any other numeric
 * hyperparameter (`schedule: { lr, beta1, momentum, weightDecay, ... }` on an optimizer, or directly as a
 * transformation argument).
 *
 * Step convention (one for every schedule here): value(t) is what PyTorch's scheduler gives for the t-th
 * optimizer step when `scheduler.step()` is called after each `optimizer.step()`, i.e. PyTorch's 0-based
 * `last_epoch` e = t − 1 (optax's count = t − 1). So step 1 uses the initial value of every schedule.
 */
export type Schedule = (step: number) => number;

/** A hyperparameter given either as a constant or as a schedule (optax's `ScalarOrSchedule`). */
export type ScalarOrSchedule = number | Schedule;

/** Evaluates a `ScalarOrSchedule` at step `t`. */
export function resolveScalar(value: ScalarOrSchedule, t: number): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'function') {
    throw new OptimError(
      'INVALID_ARGUMENT',
      `resolveScalar: value must be a number or a schedule (a function of the step), got ${describeArg(value)}`,
    );
  }
  return value(t);
}

function checkSteps(where: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new OptimError(
      'INVALID_HYPERPARAMETER',
      `${where}: ${name} = ${value} is invalid; expected an integer >= 1`,
    );
  }
  return value;
}

/** value(t) = value. */
export function constantSchedule(value: number): Schedule {
  checkHyper('constantSchedule: value', value);
  return () => value;
}

/**
 * value(t) = init · t^(−1/2): the handout's η = η0 · t^(−1/2), which turns Adam(β1 = 0, β2 → 1) into AdaGrad(η0).
 */
export function inverseSqrtSchedule(init: number): Schedule {
  checkHyper('inverseSqrtSchedule: init', init, NON_NEGATIVE);
  return (t) => init / Math.sqrt(t);
}

/** value(t) = init · gamma^floor((t − 1) / stepSize): decays by `gamma` after every `stepSize` steps (StepLR). */
export function stepSchedule(options: { init: number; stepSize: number; gamma?: number }): Schedule {
  const { init, stepSize, gamma = 0.1 } = options;
  checkHyper('stepSchedule: init', init);
  checkSteps('stepSchedule', 'stepSize', stepSize);
  checkHyper('stepSchedule: gamma', gamma, NON_NEGATIVE);
  return (t) => init * gamma ** Math.floor((t - 1) / stepSize);
}

/**
 * value(t) = init · gamma^(number of milestones m with m < t): decays by `gamma` once `m` steps are done (MultiStepLR;
 * PyTorch's 0-based epoch e is t − 1 here). Milestones must be increasing positive integers.
 */
export function multiStepSchedule(options: {
  init: number;
  milestones: readonly number[];
  gamma?: number;
}): Schedule {
  const { init, gamma = 0.1 } = options;
  if (!Array.isArray(options.milestones)) {
    throw new OptimError(
      'INVALID_HYPERPARAMETER',
      `multiStepSchedule: milestones = ${describeArg(options.milestones)} is invalid; expected an array of increasing steps`,
    );
  }
  const milestones = [...options.milestones];
  checkHyper('multiStepSchedule: init', init);
  checkHyper('multiStepSchedule: gamma', gamma, NON_NEGATIVE);
  milestones.forEach((m, i) => {
    checkSteps('multiStepSchedule', `milestones[${i}]`, m);
    if (i > 0 && m <= milestones[i - 1]) {
      throw new OptimError(
        'INVALID_HYPERPARAMETER',
        `multiStepSchedule: milestones[${i}] = ${m} is invalid; expected strictly increasing milestones (previous ${milestones[i - 1]})`,
      );
    }
  });
  return (t) => {
    let passed = 0;
    while (passed < milestones.length && milestones[passed] < t) passed++;
    return init * gamma ** passed;
  };
}

/** value(t) = init · gamma^(t − 1) (ExponentialLR). */
export function exponentialSchedule(options: { init: number; gamma: number }): Schedule {
  const { init, gamma } = options;
  checkHyper('exponentialSchedule: init', init);
  checkHyper('exponentialSchedule: gamma', gamma, NON_NEGATIVE);
  return (t) => init * gamma ** (t - 1);
}

/**
 * Cosine annealing from `init` to the floor `min` over `decaySteps` steps, then constant at `min`:
 * value(t) = min + (init − min) · (1 + cos(π · min(t − 1, decaySteps) / decaySteps)) / 2.
 * (PyTorch's CosineAnnealingLR with T_max = decaySteps, eta_min = min; it keeps oscillating after T_max, this
 * one stays at the floor like optax's cosine_decay_schedule.)
 */
export function cosineSchedule(options: { init: number; decaySteps: number; min?: number }): Schedule {
  const { init, decaySteps, min = 0 } = options;
  checkHyper('cosineSchedule: init', init);
  checkHyper('cosineSchedule: min', min);
  checkSteps('cosineSchedule', 'decaySteps', decaySteps);
  return (t) => {
    const e = Math.min(t - 1, decaySteps);
    return min + ((init - min) * (1 + Math.cos((Math.PI * e) / decaySteps))) / 2;
  };
}

/**
 * Linear warmup from `init` to `peak` (PyTorch's LinearLR with start_factor = init/peak, end_factor = 1,
 * total_iters = warmupSteps): value(t) = init + (peak − init) · min(t − 1, warmupSteps) / warmupSteps, so step 1
 * uses `init` and steps ≥ warmupSteps + 1 use `peak`.
 */
export function linearWarmupSchedule(options: {
  init?: number;
  peak: number;
  warmupSteps: number;
}): Schedule {
  const { init = 0, peak, warmupSteps } = options;
  checkHyper('linearWarmupSchedule: init', init);
  checkHyper('linearWarmupSchedule: peak', peak);
  checkSteps('linearWarmupSchedule', 'warmupSteps', warmupSteps);
  return (t) => init + ((peak - init) * Math.min(t - 1, warmupSteps)) / warmupSteps;
}

/**
 * Linear warmup from `init` to `peak` over `warmupSteps` steps (as linearWarmupSchedule: `peak` at step
 * warmupSteps + 1), then cosine annealing from `peak` to `end`, reached at step totalSteps + 1 (optax's
 * warmup_cosine_decay_schedule with decay_steps = totalSteps and count = t − 1), then `end`.
 */
export function warmupCosineSchedule(options: {
  init?: number;
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  end?: number;
}): Schedule {
  const { init = 0, peak, warmupSteps, totalSteps, end = 0 } = options;
  checkSteps('warmupCosineSchedule', 'warmupSteps', warmupSteps);
  checkSteps('warmupCosineSchedule', 'totalSteps', totalSteps);
  if (totalSteps <= warmupSteps) {
    throw new OptimError(
      'INVALID_HYPERPARAMETER',
      `warmupCosineSchedule: totalSteps = ${totalSteps} is invalid; expected an integer > warmupSteps (${warmupSteps})`,
    );
  }
  const warmup = linearWarmupSchedule({ init, peak, warmupSteps });
  const decay = cosineSchedule({ init: peak, decaySteps: totalSteps - warmupSteps, min: end });
  return (t) => (t <= warmupSteps ? warmup(t) : decay(t - warmupSteps));
}

/**
 * The 1cycle policy (PyTorch's OneCycleLR, learning-rate part): from maxLr/divFactor up to maxLr over the first
 * pctStart of `totalSteps`, then down to maxLr/(divFactor·finalDivFactor); `threePhase` goes back to the
 * initial value first and then annihilates. Same phase boundaries and annealing functions as PyTorch with
 * PyTorch's step_num = t − 1. Steps after `totalSteps` keep the final value (PyTorch raises instead).
 */
export function oneCycleSchedule(options: {
  maxLr: number;
  totalSteps: number;
  pctStart?: number;
  divFactor?: number;
  finalDivFactor?: number;
  annealStrategy?: 'cos' | 'linear';
  threePhase?: boolean;
}): Schedule {
  const {
    maxLr,
    totalSteps,
    pctStart = 0.3,
    divFactor = 25,
    finalDivFactor = 1e4,
    annealStrategy = 'cos',
    threePhase = false,
  } = options;
  checkHyper('oneCycleSchedule: maxLr', maxLr, NON_NEGATIVE);
  checkSteps('oneCycleSchedule', 'totalSteps', totalSteps);
  checkHyper('oneCycleSchedule: pctStart', pctStart, { min: 0, max: 1 });
  checkHyper('oneCycleSchedule: divFactor', divFactor, { min: 0, minOpen: true });
  checkHyper('oneCycleSchedule: finalDivFactor', finalDivFactor, { min: 0, minOpen: true });
  if (annealStrategy !== 'cos' && annealStrategy !== 'linear') {
    throw new OptimError(
      'INVALID_HYPERPARAMETER',
      `oneCycleSchedule: annealStrategy = ${JSON.stringify(annealStrategy)} is invalid; expected 'cos' or 'linear'`,
    );
  }
  const initialLr = maxLr / divFactor;
  const minLr = initialLr / finalDivFactor;
  const phases: { endStep: number; start: number; end: number }[] = threePhase
    ? [
        { endStep: pctStart * totalSteps - 1, start: initialLr, end: maxLr },
        { endStep: 2 * pctStart * totalSteps - 2, start: maxLr, end: initialLr },
        { endStep: totalSteps - 1, start: initialLr, end: minLr },
      ]
    : [
        { endStep: pctStart * totalSteps - 1, start: initialLr, end: maxLr },
        { endStep: totalSteps - 1, start: maxLr, end: minLr },
      ];
  const anneal =
    annealStrategy === 'cos'
      ? (start: number, end: number, pct: number) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1)
      : (start: number, end: number, pct: number) => (end - start) * pct + start;
  return (t) => {
    const stepNum = Math.min(t, totalSteps) - 1;
    let startStep = 0;
    for (let i = 0; i < phases.length; i++) {
      const phase = phases[i];
      if (stepNum <= phase.endStep || i === phases.length - 1) {
        const span = phase.endStep - startStep;
        const pct = span > 0 ? (stepNum - startStep) / span : 1;
        return anneal(phase.start, phase.end, pct);
      }
      startStep = phase.endStep;
    }
    return minLr;
  };
}

/**
 * Runs `schedules[0]` for steps 1..boundaries[0], then `schedules[1]` restarted at its own step 1, and so on
 * (optax's join_schedules with 1-based steps): for boundaries[k−1] < t ≤ boundaries[k],
 * `value(t) = schedules[k](t − boundaries[k−1])` with `boundaries[−1] = 0`.
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  if (
    !Array.isArray(schedules) ||
    !schedules.every((s) => typeof s === 'function') ||
    !Array.isArray(boundaries)
  ) {
    throw new OptimError(
      'INVALID_ARGUMENT',
      `joinSchedules: schedules must be an array of schedules and boundaries an array of steps, got ${describeArg(schedules)} and ${describeArg(boundaries)}`,
    );
  }
  if (schedules.length !== boundaries.length + 1) {
    throw new OptimError(
      'INVALID_ARGUMENT',
      `joinSchedules: got ${schedules.length} schedules and ${boundaries.length} boundaries; expected exactly one boundary fewer than schedules`,
    );
  }
  const bounds = [...boundaries];
  const list = [...schedules];
  bounds.forEach((b, i) => {
    checkSteps('joinSchedules', `boundaries[${i}]`, b);
    if (i > 0 && b <= bounds[i - 1]) {
      throw new OptimError(
        'INVALID_ARGUMENT',
        `joinSchedules: boundaries[${i}] = ${b} is invalid; expected strictly increasing boundaries (previous ${bounds[i - 1]})`,
      );
    }
  });
  return (t) => {
    let k = 0;
    while (k < bounds.length && t > bounds[k]) k++;
    return list[k](k === 0 ? t : t - bounds[k - 1]);
  };
}
