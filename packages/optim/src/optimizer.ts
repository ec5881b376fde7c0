import { checkObjectArg, describeArg, OptimError } from './errors';
import { checkLength, type GradientTransformation } from './gradient-transformation';
import { type FloatArray, gradOf, type ParamLike, zerosLike } from './param';
import type { Schedule } from './schedules';
import { type PlainValue, restoreState, type StateToJSONOptions, stateToJSON } from './state-json';

/** Hyperparameters of an optimizer: numbers and flags, all JSON-serialisable. */
export type Hyperparams = Record<string, number | boolean>;

/** The numeric hyperparameter names of H (the ones a schedule can drive). */
export type NumericKeys<H> = { [K in keyof H]-?: H[K] extends number ? K : never }[keyof H];

/** `schedule` option: a schedule per numeric hyperparameter, evaluated at the optimizer's step t = 1, 2, ... */
export type ScheduleMap<H> = { [K in NumericKeys<H>]?: Schedule };

/**
 * A parameter group: its parameters, its hyperparameters (plain mutable fields, as PyTorch's param_groups:
 * `opt.paramGroups[0].lr = 0.01` takes effect at the next step) and its schedules. When a hyperparameter has a
 * schedule, step() overwrites the field with schedule(t) before updating, so reading it shows the value in use.
 * Structural options (`S`: e.g. amsgrad, centered, nesterov) shape the state and are fixed at construction.
 */
export type ParamGroup<H extends Hyperparams, S extends keyof H = never> = Omit<H, S> &
  Readonly<Pick<H, S>> & {
    readonly params: readonly ParamLike[];
    schedule: ScheduleMap<H>;
  };

/** Options given for one group in the constructor: `params` plus any hyperparameter overrides. */
export type ParamGroupInput<O> = O & { params: Iterable<ParamLike> };

/** A JSON-safe snapshot of an optimizer (`JSON.parse(JSON.stringify(opt.stateDict()))` restores bitwise). */
export interface OptimizerStateDict {
  optimizer: string;
  version: 1;
  /** number of step() calls so far */
  stepCount: number;
  paramGroups: {
    /** global indices of the group's parameters, in constructor order (as PyTorch) */
    params: number[];
    hyperparams: Record<string, number | boolean | string>;
    /** the group's transformation state (see each transformation's state type) */
    state: PlainValue;
  }[];
}

/** How a concrete optimizer is made: used by `Optimizer`'s subclasses (SGD, Adam, ...). */
export interface OptimizerSpec<H extends Hyperparams, S extends keyof H, O> {
  name: string;
  defaults: H;
  /** hyperparameters that shape the state and cannot change after construction */
  structural: readonly S[];
  /** turns user options (with aliases such as `betas`) into hyperparameter overrides */
  normalize(options: O): Partial<H>;
  /** throws OptimError('INVALID_HYPERPARAMETER') naming `${where}${key}`, the value and the valid range */
  validate(group: H, where: string, built: { hasMomentum?: boolean }): void;
  /** builds the group's transformation; hyperparameters must be read through `group` at update time */
  build(group: ParamGroup<H, S>): { transform: GradientTransformation; hasMomentum?: boolean };
}

interface GroupRuntime {
  transform: GradientTransformation;
  state: unknown;
  /** one update buffer per parameter, same dtype and length as the parameter, reused every step */
  buffers: FloatArray[];
  /** the views handed to the transformation: buffers[i] or null (no gradient) */
  updates: (FloatArray | null)[];
  datas: FloatArray[];
  where: string;
  built: { hasMomentum?: boolean };
  firstIndex: number;
}

/**
 * Rejects options and schedules this optimizer does not have (e.g. PyTorch's snake_case `weight_decay`, which
 * would otherwise be silently ignored) and schedules for structural options or flags, which cannot change.
 */
function checkOptionKeys<H extends Hyperparams, S extends keyof H, O>(
  spec: OptimizerSpec<H, S, O>,
  overrides: Partial<H>,
  schedule: unknown,
  where: string,
): void {
  const known = Object.keys(spec.defaults);
  for (const key of Object.keys(overrides)) {
    if (!known.includes(key)) {
      throw new OptimError(
        'INVALID_ARGUMENT',
        `${where}unknown option ${JSON.stringify(key)}; expected one of ${known.join(', ')}, params, schedule`,
      );
    }
  }
  if (schedule === undefined) return;
  if (typeof schedule !== 'object' || schedule === null) {
    throw new OptimError(
      'INVALID_ARGUMENT',
      `${where}schedule = ${String(schedule)} is invalid; expected an object { [hyperparameter]: (t) => number }`,
    );
  }
  const schedulable = known.filter(
    (k) => typeof spec.defaults[k] === 'number' && !(spec.structural as readonly string[]).includes(k),
  );
  for (const [key, value] of Object.entries(schedule)) {
    if (value === undefined) continue;
    if (!schedulable.includes(key)) {
      throw new OptimError(
        'INVALID_ARGUMENT',
        `${where}schedule.${key} is invalid: ${known.includes(key) ? `${key} is fixed at construction` : 'unknown hyperparameter'}; ` +
          `expected schedules for ${schedulable.join(', ')}`,
      );
    }
    if (typeof value !== 'function') {
      throw new OptimError(
        'INVALID_ARGUMENT',
        `${where}schedule.${key} is ${typeof value}; expected a function of the step t = 1, 2, ...`,
      );
    }
  }
}

/** Flags (hyperparameters whose default is a boolean) must be booleans; the message is built only on error. */
function checkFlags<H extends Hyperparams, S extends keyof H, O>(
  spec: OptimizerSpec<H, S, O>,
  group: H,
  where: string,
): void {
  for (const key in spec.defaults) {
    if (typeof spec.defaults[key] === 'boolean' && typeof group[key] !== 'boolean') {
      throw new OptimError(
        'INVALID_HYPERPARAMETER',
        `${where}${key} = ${JSON.stringify(group[key])} is invalid; expected true or false`,
      );
    }
  }
}

function isGroupInput(x: unknown): x is { params: Iterable<ParamLike> } {
  return typeof x === 'object' && x !== null && 'params' in x && !('data' in x);
}

/**
 * PyTorch-style optimizer over parameter groups, built on a gradient transformation per group. Each step:
 * schedules are applied, hyperparameters validated (before anything moves), then for every group each gradient
 * is copied into a preallocated update buffer, the transformation rewrites the buffers in place and the
 * parameters get p += u. Parameters whose `grad` is null are skipped (their state does not advance).
 */
export class Optimizer<H extends Hyperparams, S extends keyof H = never, O = Partial<H>> {
  readonly paramGroups: ParamGroup<H, S>[] = [];
  readonly defaults: Readonly<H>;
  /** number of step() calls so far; schedules are evaluated at t = stepCount + 1 by the next step() */
  stepCount = 0;
  readonly #spec: OptimizerSpec<H, S, O>;
  readonly #defaultSchedule: ScheduleMap<H>;
  readonly #runtime: GroupRuntime[] = [];
  #flat: boolean;
  #paramCount = 0;
  readonly #seen = new Set<ParamLike>();

  constructor(
    spec: OptimizerSpec<H, S, O>,
    params: Iterable<ParamLike> | Iterable<ParamGroupInput<O>>,
    options: O & { schedule?: ScheduleMap<H> },
  ) {
    if (
      typeof spec !== 'object' ||
      spec === null ||
      typeof spec.name !== 'string' ||
      typeof spec.normalize !== 'function' ||
      typeof spec.validate !== 'function' ||
      typeof spec.build !== 'function' ||
      typeof spec.defaults !== 'object'
    ) {
      throw new OptimError(
        'INVALID_ARGUMENT',
        `Optimizer: spec must be an OptimizerSpec { name, defaults, structural, normalize, validate, build }, got ${describeArg(spec)}`,
      );
    }
    checkObjectArg(`${spec.name}: options`, options);
    if (typeof (params as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function') {
      throw new OptimError(
        'INVALID_ARGUMENT',
        `${spec.name}: params must be an iterable of parameters or parameter groups, got ${describeArg(params)}`,
      );
    }
    this.#spec = spec;
    const { schedule = {}, ...rest } = options as O & { schedule?: ScheduleMap<H> };
    const overrides = spec.normalize(rest as O);
    checkOptionKeys(spec, overrides, schedule, `${spec.name}: `);
    this.defaults = { ...spec.defaults, ...overrides };
    this.#defaultSchedule = schedule;
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) {
      throw new OptimError(
        'INVALID_ARGUMENT',
        `${spec.name}: params is empty; expected at least one parameter`,
      );
    }
    this.#flat = !isGroupInput(list[0]);
    if (this.#flat) this.addParamGroup({ params: list as ParamLike[] } as ParamGroupInput<O>);
    else for (const g of list) this.addParamGroup(g as ParamGroupInput<O>);
  }

  get name(): string {
    return this.#spec.name;
  }

  /** Adds a group (PyTorch's add_param_group): missing hyperparameters come from the constructor's options. */
  addParamGroup(input: ParamGroupInput<O> & { schedule?: ScheduleMap<H> }): void {
    const spec = this.#spec;
    const index = this.paramGroups.length;
    const where = this.#flat && index === 0 ? `${spec.name}: ` : `${spec.name}: paramGroups[${index}].`;
    if (!isGroupInput(input)) {
      throw new OptimError(
        'INVALID_ARGUMENT',
        `${spec.name}: paramGroups[${index}] has no params; expected { params: [...], ...options }`,
      );
    }
    const { params, schedule, ...rest } = input as ParamGroupInput<O> & { schedule?: ScheduleMap<H> };
    const plist = [...params];
    if (plist.length === 0) {
      throw new OptimError('INVALID_ARGUMENT', `${where}params is empty; expected at least one parameter`);
    }
    plist.forEach((p, i) => {
      if (!(p?.data instanceof Float32Array || p?.data instanceof Float64Array)) {
        throw new OptimError(
          'INVALID_ARGUMENT',
          `${where}params[${i}] has no Float32Array/Float64Array \`data\`; expected { data, grad } (e.g. an @hw3/core Tensor)`,
        );
      }
      if (this.#seen.has(p) || plist.indexOf(p) !== i) {
        throw new OptimError(
          'INVALID_ARGUMENT',
          `${where}params[${i}] already appears in this optimizer; expected each parameter once, in exactly one group`,
        );
      }
    });
    const overrides = spec.normalize(rest as O);
    checkOptionKeys(spec, overrides, schedule, where);
    const hyper = { ...this.defaults, ...overrides } as H;
    const group = Object.assign(hyper, {
      params: Object.freeze(plist),
      schedule: { ...this.#defaultSchedule, ...schedule },
    }) as unknown as ParamGroup<H, S>;
    for (const key of spec.structural) {
      Object.defineProperty(group, key, { value: hyper[key], writable: false, enumerable: true });
    }
    const { transform, hasMomentum } = spec.build(group);
    const built = { hasMomentum };
    checkFlags(spec, group as unknown as H, where);
    spec.validate(group as unknown as H, where, built);
    const datas = plist.map((p) => p.data);
    for (const p of plist) this.#seen.add(p);
    this.paramGroups.push(group);
    this.#runtime.push({
      transform,
      state: transform.init(datas),
      buffers: datas.map((d) => zerosLike(d)),
      updates: datas.map(() => null),
      datas,
      where,
      built,
      firstIndex: this.#paramCount,
    });
    this.#paramCount += plist.length;
  }

  /**
   * One optimization step over all groups. `closure` (optional) recomputes the loss and gradients first; its
   * result is returned. Throws OptimError before any parameter moves when a hyperparameter is invalid or a
   * gradient's length differs from its parameter's. Allocates nothing per step.
   */
  step(closure?: () => number): number | undefined {
    const loss = closure === undefined ? undefined : closure();
    const t = this.stepCount + 1;
    for (let k = 0; k < this.paramGroups.length; k++) {
      const group = this.paramGroups[k];
      const rt = this.#runtime[k];
      const schedules = group.schedule as Record<string, Schedule | undefined>;
      for (const key in schedules) {
        const s = schedules[key];
        if (s !== undefined) (group as unknown as Record<string, number>)[key] = s(t);
      }
      checkFlags(this.#spec, group as unknown as H, rt.where);
      this.#spec.validate(group as unknown as H, rt.where, rt.built);
      const params = group.params;
      for (let i = 0; i < params.length; i++) {
        const g = gradOf(params[i]);
        if (g !== null) {
          checkLength(rt.where, i, params[i].data, g, 'params');
          checkLength(rt.where, i, rt.buffers[i], g, 'params (the state was sized at construction)');
        }
      }
    }
    this.stepCount = t;
    for (let k = 0; k < this.paramGroups.length; k++) {
      const params = this.paramGroups[k].params;
      const rt = this.#runtime[k];
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        const g = gradOf(p);
        rt.datas[i] = p.data;
        if (g === null) {
          rt.updates[i] = null;
        } else {
          const buf = rt.buffers[i];
          buf.set(g);
          rt.updates[i] = buf;
        }
      }
      rt.transform.update(rt.updates, rt.state, rt.datas);
      for (let i = 0; i < params.length; i++) {
        const u = rt.updates[i];
        if (u === null) continue;
        const d = rt.datas[i];
        for (let j = 0; j < d.length; j++) d[j] += u[j];
      }
    }
    return loss;
  }

  /**
   * Clears the gradients. Default: fills them with zeros in place, so gradient buffers are reused and training
   * loops allocate nothing (PyTorch's default is set_to_none=True); `setToNone: true` sets `grad = null`.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    checkObjectArg(`${this.#spec.name}.zeroGrad: options`, options);
    const setToNone = options.setToNone ?? false;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) p.grad = null;
        else gradOf(p)?.fill(0);
      }
    }
  }

  /**
   * A JSON-safe deep copy of hyperparameters, step count and state (schedules are code and are not included).
   * `{ typedArrays: true }` keeps the state's arrays as typed-array copies instead (compact for binary
   * checkpoints; not JSON-safe); loadStateDict accepts both forms.
   */
  stateDict(options: StateToJSONOptions = {}): OptimizerStateDict {
    return {
      optimizer: this.#spec.name,
      version: 1,
      stepCount: this.stepCount,
      paramGroups: this.paramGroups.map((group, k) => {
        const rt = this.#runtime[k];
        const hyperparams: Record<string, number | boolean | string> = {};
        for (const key of Object.keys(this.#spec.defaults)) {
          const v = (group as unknown as Record<string, number | boolean>)[key];
          hyperparams[key] = stateToJSON(v) as number | boolean | string;
        }
        return {
          params: group.params.map((_, i) => rt.firstIndex + i),
          hyperparams,
          state: stateToJSON(rt.state, options),
        };
      }),
    };
  }

  /**
   * Restores a stateDict() (also after JSON.stringify/parse). Checks everything before changing anything:
   * same optimizer, same groups and parameter indices, same structural options, valid hyperparameters and
   * state of the same shape; throws OptimError('STATE_MISMATCH' or 'INVALID_HYPERPARAMETER') otherwise.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const name = this.#spec.name;
    const fail = (msg: string) => new OptimError('STATE_MISMATCH', `${name}.loadStateDict: ${msg}`);
    if (typeof stateDict !== 'object' || stateDict === null) throw fail('stateDict is not an object');
    if (stateDict.optimizer !== name) {
      throw fail(
        `stateDict.optimizer is ${JSON.stringify(stateDict.optimizer)}; expected ${JSON.stringify(name)}`,
      );
    }
    if (stateDict.version !== 1) throw fail(`stateDict.version is ${stateDict.version}; expected 1`);
    if (!Number.isInteger(stateDict.stepCount) || stateDict.stepCount < 0) {
      throw fail(`stateDict.stepCount is ${stateDict.stepCount}; expected an integer >= 0`);
    }
    const groups = stateDict.paramGroups;
    if (!Array.isArray(groups) || groups.length !== this.paramGroups.length) {
      throw fail(
        `stateDict has ${Array.isArray(groups) ? groups.length : 'no'} parameter groups; this optimizer has ${this.paramGroups.length}`,
      );
    }
    const keys = Object.keys(this.#spec.defaults);
    const staged: H[] = [];
    groups.forEach((sg, k) => {
      const group = this.paramGroups[k];
      const rt = this.#runtime[k];
      if (!Array.isArray(sg?.params)) throw fail(`paramGroups[${k}].params is missing`);
      sg.params.forEach((index, i) => {
        const expected = rt.firstIndex + i;
        if (i >= group.params.length || index !== expected) {
          throw fail(
            `paramGroups[${k}].params[${i}] is parameter ${index}, unknown to this group; expected the indices ${rt.firstIndex}..${rt.firstIndex + group.params.length - 1}`,
          );
        }
      });
      if (sg.params.length !== group.params.length) {
        throw fail(`paramGroups[${k}] has ${sg.params.length} parameters; expected ${group.params.length}`);
      }
      const hyper = { ...(group as unknown as H) };
      for (const key of Object.keys(sg.hyperparams ?? {})) {
        if (!keys.includes(key))
          throw fail(`paramGroups[${k}].hyperparams.${key} is unknown; expected ${keys.join(', ')}`);
      }
      for (const key of keys) {
        const cur = (group as unknown as Record<string, number | boolean>)[key];
        const v = restoreState(cur, sg.hyperparams?.[key], `paramGroups[${k}].hyperparams.${key}`, true);
        if ((this.#spec.structural as readonly string[]).includes(key) && v !== cur) {
          throw fail(
            `paramGroups[${k}].hyperparams.${key} is ${v}; this optimizer was built with ${cur} (fixed at construction)`,
          );
        }
        (hyper as Record<string, number | boolean>)[key] = restoreState(cur, sg.hyperparams[key]);
      }
      this.#spec.validate(hyper, rt.where, rt.built);
      restoreState(rt.state, sg.state, `paramGroups[${k}].state`, true);
      staged.push(hyper);
    });
    groups.forEach((sg, k) => {
      const group = this.paramGroups[k] as unknown as Record<string, number | boolean>;
      for (const key of keys) {
        if (!(this.#spec.structural as readonly string[]).includes(key)) group[key] = staged[k][key];
      }
      const rt = this.#runtime[k];
      rt.state = restoreState(rt.state, sg.state, `paramGroups[${k}].state`);
    });
    this.stepCount = stateDict.stepCount;
  }
}
