import { checkHyper, describeArg, NON_NEGATIVE, OptimError, UNIT_INTERVAL } from './errors';
import { type FloatArray, zerosLike } from './param';
import { resolveScalar, type ScalarOrSchedule } from './schedules';

/**
 * The updates a transformation works on: one array per parameter (initially a copy of the gradient), or null
 * for a parameter that has no gradient this step; transformations skip nulls and leave their state alone.
 */
export type Updates = readonly (FloatArray | null)[];

/**
 * A gradient transformation in the style of optax: `init` builds an explicit, plain state (numbers, booleans,
 * strings, arrays, objects and typed arrays; `stateToJSON` turns it into JSON), `update` rewrites `updates` in
 * place and advances `state` in place. Nothing is allocated per step. The final updates are *added* to the
 * parameters (`applyUpdates`), so a descent method ends with `scaleByLearningRate`, which negates.
 * Hyperparameters are `ScalarOrSchedule`s evaluated at t = state.count after it is incremented (t = 1 on the
 * first update).
 */
export interface GradientTransformation<S = unknown> {
  init(params: readonly FloatArray[]): S;
  update(updates: Updates, state: S, params: readonly FloatArray[]): void;
}

/** State of a transformation that only counts its updates (for its schedules). */
export interface CountState {
  count: number;
}

/** Adds `updates` to `params` in place (optax's apply_updates): p += u. Null updates are skipped. */
export function applyUpdates(params: readonly FloatArray[], updates: Updates): void {
  if (!Array.isArray(params) || !Array.isArray(updates)) {
    throw new OptimError(
      'INVALID_ARGUMENT',
      `applyUpdates: params and updates must be arrays, got ${describeArg(params)} and ${describeArg(updates)}`,
    );
  }
  if (params.length !== updates.length) {
    throw new OptimError(
      'LENGTH_MISMATCH',
      `applyUpdates: got ${updates.length} updates for ${params.length} parameters; expected one per parameter`,
    );
  }
  for (let i = 0; i < params.length; i++) {
    const u = updates[i];
    if (u === null) continue;
    const p = params[i];
    checkLength('applyUpdates', i, p, u);
    for (let j = 0; j < p.length; j++) p[j] += u[j];
  }
}

/** Throws LENGTH_MISMATCH unless param and update have the same length; the message is built only on error. */
export function checkLength(
  where: string,
  index: number,
  param: FloatArray,
  update: FloatArray,
  what = '',
): void {
  if (param.length !== update.length) {
    throw new OptimError(
      'LENGTH_MISMATCH',
      `${where}${what}: the gradient of parameter ${index} has ${update.length} elements; expected ${param.length} (the parameter's length)`,
    );
  }
}

/** Throws LENGTH_MISMATCH unless an update has the length its state was initialised with. */
export function checkStateLength(name: string, index: number, update: FloatArray, state: FloatArray): void {
  if (state.length !== update.length) {
    throw new OptimError(
      'LENGTH_MISMATCH',
      `${name}: update ${index} has ${update.length} elements; expected ${state.length} (the length given to init)`,
    );
  }
}

/** Applies transformations one after another; the state is the array of their states. */
export function chain(...transforms: GradientTransformation[]): GradientTransformation<unknown[]> {
  const list = [...transforms];
  list.forEach((t, k) => {
    if (
      typeof t !== 'object' ||
      t === null ||
      typeof t.init !== 'function' ||
      typeof t.update !== 'function'
    ) {
      throw new OptimError(
        'INVALID_ARGUMENT',
        `chain: transforms[${k}] must be a gradient transformation { init, update }, got ${describeArg(t)}`,
      );
    }
  });
  return {
    init: (params) => list.map((t) => t.init(params)),
    update(updates, state, params) {
      if (state.length !== list.length) {
        throw new OptimError(
          'STATE_MISMATCH',
          `chain: state has ${state.length} entries; expected ${list.length} (one per transformation)`,
        );
      }
      for (let k = 0; k < list.length; k++) list[k].update(updates, state[k], params);
    },
  };
}

/** u ← factor · u. `scale(-1)` turns a descent direction into an ascent one (this is how `maximize` works). */
export function scale(factor: ScalarOrSchedule): GradientTransformation<CountState> {
  if (typeof factor === 'number') checkHyper('scale: factor', factor);
  return {
    init: () => ({ count: 0 }),
    update(updates, state) {
      const f = checkHyper('scale: factor', resolveScalar(factor, ++state.count));
      if (f === 1) return;
      for (const u of updates) {
        if (u === null) continue;
        for (let j = 0; j < u.length; j++) u[j] *= f;
      }
    },
  };
}

/** u ← −lr · u (descent; optax's scale_by_learning_rate with flip_sign). lr ≥ 0, finite. */
export function scaleByLearningRate(lr: ScalarOrSchedule): GradientTransformation<CountState> {
  if (typeof lr === 'number') checkHyper('scaleByLearningRate: lr', lr, NON_NEGATIVE);
  return {
    init: () => ({ count: 0 }),
    update(updates, state) {
      const f = -checkHyper('scaleByLearningRate: lr', resolveScalar(lr, ++state.count), NON_NEGATIVE);
      for (const u of updates) {
        if (u === null) continue;
        for (let j = 0; j < u.length; j++) u[j] *= f;
      }
    },
  };
}

/**
 * u ← u + weightDecay · p. Before a rule (SGD, Adam, ...) this is PyTorch's L2 `weight_decay` (added to the
 * gradient); after the rule and before `scaleByLearningRate` it is AdamW's decoupled decay
 * (p ← p − lr·(u + wd·p)).
 */
export function addDecayedWeights(weightDecay: ScalarOrSchedule): GradientTransformation<CountState> {
  if (typeof weightDecay === 'number')
    checkHyper('addDecayedWeights: weightDecay', weightDecay, NON_NEGATIVE);
  return {
    init: () => ({ count: 0 }),
    update(updates, state, params) {
      const wd = checkHyper(
        'addDecayedWeights: weightDecay',
        resolveScalar(weightDecay, ++state.count),
        NON_NEGATIVE,
      );
      if (wd === 0) return;
      for (let i = 0; i < updates.length; i++) {
        const u = updates[i];
        if (u === null) continue;
        const p = params[i];
        checkLength('addDecayedWeights', i, p, u);
        for (let j = 0; j < u.length; j++) u[j] += wd * p[j];
      }
    },
  };
}

/** The state of the `trace` (momentum) transformation: the step and the momentum buffer per parameter. */
export interface TraceState {
  count: number;
  /** per parameter: how many updates its buffer has absorbed (0 = not initialised yet) */
  step: number[];
  buffer: FloatArray[];
}

/**
 * Momentum in PyTorch SGD's semantics (a no-op while momentum is 0). On a parameter's first update the buffer
 * is set to the update itself
 * (no dampening); afterwards buf ← momentum · buf + (1 − dampening) · u. Then u ← buf, or with Nesterov
 * u ← u + momentum · buf. (RMSprop's zero-initialised buffer gives the same result because it has no dampening.)
 */
export function trace(
  options: { momentum: ScalarOrSchedule; dampening?: ScalarOrSchedule; nesterov?: boolean },
  name = 'trace',
): GradientTransformation<TraceState> {
  const { momentum, dampening = 0, nesterov = false } = options;
  const prefix = `${name}: `;
  const check = (m: number, d: number) => {
    checkHyper('momentum', m, NON_NEGATIVE, prefix);
    checkHyper('dampening', d, UNIT_INTERVAL, prefix);
    if (nesterov && (m <= 0 || d !== 0)) {
      throw new OptimError(
        'INVALID_HYPERPARAMETER',
        `${name}: nesterov = true needs momentum > 0 and dampening = 0; got momentum = ${m}, dampening = ${d}`,
      );
    }
  };
  if (typeof momentum === 'number' && typeof dampening === 'number') check(momentum, dampening);
  return {
    init: (params) => ({ count: 0, step: params.map(() => 0), buffer: params.map((p) => zerosLike(p)) }),
    update(updates, state) {
      const t = ++state.count;
      const m = resolveScalar(momentum, t);
      const d = resolveScalar(dampening, t);
      check(m, d);
      if (m === 0) return; // PyTorch skips the momentum buffer entirely when momentum is 0
      const keep = 1 - d;
      for (let i = 0; i < updates.length; i++) {
        const u = updates[i];
        if (u === null) continue;
        const buf = state.buffer[i];
        checkStateLength(name, i, u, buf);
        const first = state.step[i] === 0;
        state.step[i]++;
        if (first) buf.set(u);
        else for (let j = 0; j < u.length; j++) buf[j] = m * buf[j] + keep * u[j];
        if (nesterov) for (let j = 0; j < u.length; j++) u[j] += m * buf[j];
        else u.set(buf);
      }
    },
  };
}
