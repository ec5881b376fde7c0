/**
 * `@hw3/optim/testing`: the contract every optimizer keeps, as plain functions that throw an
 * `OptimizerContractError` naming the check and what differed (no test framework needed). This package runs it
 * on each of its optimizers; the playground runs it on every row of its optimizer table; run it on your own
 * optimizer (or your own configuration of one) the same way:
 *
 *   checkOptimizerContract((params, overrides) => new Adam(params, { lr: 0.01, ...overrides }));
 */
// The package is imported by name so that the ESM and CJS builds share one OptimError class with the main entry.
import { type FloatArray, OptimError, type OptimizerStateDict, type ParamLike } from '@hw3/optim';

/** What the contract needs from an optimizer (every `Optimizer` has it; so does a thinner wrapper type). */
export interface ContractOptimizer {
  step(): unknown;
  stateDict(): OptimizerStateDict;
  loadStateDict(state: OptimizerStateDict): void;
  readonly paramGroups: ReadonlyArray<object>;
}

/**
 * Builds the optimizer under test on `params`. `overrides` is `{}` or `{ maximize: true }`; spread it into the
 * options so the maximize check can turn maximization on.
 */
export type MakeOptimizer = (params: ParamLike[], overrides: { maximize?: boolean }) => ContractOptimizer;

/** A contract check failed: `check` names it, the message says what differed. */
export class OptimizerContractError extends OptimError {
  constructor(
    readonly check: string,
    message: string,
  ) {
    super('CONTRACT_FAILED', `optimizer contract, ${check}: ${message}`);
    this.name = 'OptimizerContractError';
  }
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  return typeof v === 'function' ? 'a function' : `${typeof v} ${String(v)}`;
}

/**
 * `make` wrapped so that a factory that is not a function, or returns something without step / stateDict /
 * loadStateDict / paramGroups, is an OptimizerContractError naming `make` (not a TypeError inside a check).
 */
function checkedMake(make: unknown, check: string): MakeOptimizer {
  if (typeof make !== 'function') {
    throw new OptimizerContractError(
      check,
      `make must be a function (params, overrides) => optimizer, got ${describeValue(make)}`,
    );
  }
  return (params, overrides) => {
    const opt = make(params, overrides) as Partial<ContractOptimizer> | null;
    if (
      typeof opt !== 'object' ||
      opt === null ||
      typeof opt.step !== 'function' ||
      typeof opt.stateDict !== 'function' ||
      typeof opt.loadStateDict !== 'function' ||
      !Array.isArray(opt.paramGroups)
    ) {
      throw new OptimizerContractError(
        check,
        `make(params, overrides) must return an optimizer with step(), stateDict(), loadStateDict() and paramGroups, got ${describeValue(opt)}`,
      );
    }
    return opt as ContractOptimizer;
  };
}

interface Param {
  data: FloatArray;
  grad: FloatArray | null;
}

function param(values: readonly number[], dtype: 'float32' | 'float64'): Param {
  const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
  return { data: new Ctor(values), grad: new Ctor(values.length) };
}

// f(θ) = ½ Σ a_i (θ_i − c_i)², ∇f = a ⊙ (θ − c): a convex quadratic the checks step on.
const A = [0.5, 1, 2, 1.5, 0.8];
const C = [1, -2, 0.5, 3, -1];

function writeGrad(p: Param, noise = 0, sign = 1): void {
  const g = p.grad as FloatArray;
  for (let i = 0; i < p.data.length; i++) g[i] = sign * (A[i % 5] * (p.data[i] - C[i % 5]) + noise);
}

function objective(p: Param): number {
  let f = 0;
  for (let i = 0; i < p.data.length; i++) f += 0.5 * A[i % 5] * (p.data[i] - C[i % 5]) ** 2;
  return f;
}

function sameBits(a: FloatArray, b: FloatArray): boolean {
  if (a.length !== b.length || a.constructor !== b.constructor) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** A fixed noise sequence in [−0.5, 0.5) (mulberry32), so every run of a check sees the same gradients. */
function noise(n: number): number[] {
  let a = 12345;
  return Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  });
}

/**
 * State round trip: 9 steps, `stateDict()` → JSON.stringify → JSON.parse → `loadStateDict` into a fresh optimizer,
 * 11 more steps must equal 20 uninterrupted steps bitwise (parameters and state). A float32 and a float64
 * parameter; the float64 one has no gradient on odd steps (its state must not advance then).
 */
export function checkStateRoundTrip(make: MakeOptimizer): void {
  make = checkedMake(make, 'state round trip');
  const n = noise(20);
  const build = () => {
    const ps = [param([0.1, -0.2, 0.3, 0.4, -0.5], 'float32'), param([1, 2, 3, 4, 5], 'float64')];
    return { ps, opt: make(ps, {}), spare: ps[1].grad };
  };
  const run = (b: ReturnType<typeof build>, from: number, to: number) => {
    for (let t = from; t < to; t++) {
      writeGrad(b.ps[0], n[t]);
      b.ps[1].grad = t % 2 === 1 ? null : b.spare;
      if (b.ps[1].grad) writeGrad(b.ps[1], -n[t]);
      b.opt.step();
    }
  };
  const straight = build();
  run(straight, 0, 20);
  const first = build();
  run(first, 0, 9);
  const saved = JSON.parse(JSON.stringify(first.opt.stateDict())) as OptimizerStateDict;
  const resumed = build();
  resumed.ps[0].data.set(first.ps[0].data);
  resumed.ps[1].data.set(first.ps[1].data);
  resumed.opt.loadStateDict(saved);
  run(resumed, 9, 20);
  for (let k = 0; k < 2; k++) {
    if (!sameBits(resumed.ps[k].data, straight.ps[k].data)) {
      throw new OptimizerContractError(
        'state round trip',
        `parameter ${k} after save at step 9 → JSON → restore → 11 more steps is [${Array.from(resumed.ps[k].data)}]; ` +
          `the uninterrupted run has [${Array.from(straight.ps[k].data)}]`,
      );
    }
  }
  const a = JSON.stringify(resumed.opt.stateDict());
  const b = JSON.stringify(straight.opt.stateDict());
  if (a !== b) throw new OptimizerContractError('state round trip', `stateDict ${a} differs from ${b}`);
}

/**
 * Maximize: maximizing with gradient g equals minimizing with −g, bitwise, over 12 steps, and the first maximizing
 * step raises the (convex) objective.
 */
export function checkMaximize(make: MakeOptimizer): void {
  make = checkedMake(make, 'maximize');
  const start = [0.3, -0.7, 1.1, 2, -0.4];
  const up = param(start, 'float64');
  const down = param(start, 'float64');
  const optUp = make([up], { maximize: true });
  const optDown = make([down], {});
  const f0 = objective(up);
  for (let t = 0; t < 12; t++) {
    writeGrad(up);
    writeGrad(down, 0, -1);
    optUp.step();
    optDown.step();
    if (t === 0 && !(objective(up) > f0)) {
      throw new OptimizerContractError(
        'maximize',
        `the first step with maximize: true took the objective from ${f0} to ${objective(up)}; expected it to rise`,
      );
    }
  }
  if (!sameBits(up.data, down.data)) {
    throw new OptimizerContractError(
      'maximize',
      `maximizing with g gave [${Array.from(up.data)}], minimizing with −g gave [${Array.from(down.data)}]; expected the same bits`,
    );
  }
}

/**
 * Zero allocation: after the first step, 5 more steps (float32 and float64 parameters) construct no
 * Float32Array/Float64Array: state and update buffers are reused. Counts constructions through a Proxy on the two
 * constructors for the duration of the steps (the first step may allocate lazily built state).
 */
export function checkZeroAllocationSteps(make: MakeOptimizer): void {
  make = checkedMake(make, 'zero-allocation steps');
  const p = param([1, 2, 3, 4, 5], 'float32');
  const q = param([1, 2], 'float64');
  const opt = make([p, q], {});
  writeGrad(p);
  writeGrad(q);
  opt.step();
  const created = countTypedArrays(() => {
    for (let t = 0; t < 5; t++) {
      writeGrad(p);
      writeGrad(q);
      opt.step();
    }
  });
  if (created !== 0) {
    throw new OptimizerContractError(
      'zero-allocation steps',
      `5 steps constructed ${created} typed arrays; expected 0 (reuse the state and update buffers)`,
    );
  }
}

/**
 * NaN guard: (1) with every gradient exactly 0 for 3 steps — and ε set to 0 when the optimizer has an `eps` —
 * the parameters stay finite (0/0 must become the limit 0, not NaN); (2) a NaN hyperparameter set between steps
 * makes `step()` throw a typed OptimError (INVALID_HYPERPARAMETER) naming it, before any parameter moves.
 */
export function checkNanGuard(make: MakeOptimizer): void {
  make = checkedMake(make, 'NaN guard');
  const p = param([0.5, -1, 2, 0, 3], 'float64');
  const opt = make([p], {});
  const group = opt.paramGroups[0] as Record<string, unknown>;
  if (typeof group.eps === 'number' && isWritable(group, 'eps')) group.eps = 0;
  for (let t = 0; t < 3; t++) {
    (p.grad as FloatArray).fill(0);
    opt.step();
  }
  for (let i = 0; i < p.data.length; i++) {
    if (!Number.isFinite(p.data[i])) {
      throw new OptimizerContractError(
        'NaN guard',
        `3 steps with all-zero gradients${typeof group.eps === 'number' ? ' and eps = 0' : ''} made parameter element ${i} ${p.data[i]}; expected a finite value`,
      );
    }
  }
  const scheduled = (group.schedule ?? {}) as Record<string, unknown>;
  const key = ['lr', ...Object.keys(group)].find(
    (k) => typeof group[k] === 'number' && scheduled[k] === undefined && isWritable(group, k),
  );
  if (key === undefined) return;
  group[key] = Number.NaN;
  const before = p.data.slice();
  writeGrad(p);
  let error: unknown = null;
  try {
    opt.step();
  } catch (e) {
    error = e;
  }
  if (
    !(error instanceof OptimError) ||
    error.code !== 'INVALID_HYPERPARAMETER' ||
    !error.message.includes(key)
  ) {
    throw new OptimizerContractError(
      'NaN guard',
      `step() with ${key} = NaN ${error === null ? 'did not throw' : `threw ${String(error)}`}; expected an OptimError INVALID_HYPERPARAMETER naming ${key}`,
    );
  }
  if (!sameBits(p.data, before)) {
    throw new OptimizerContractError(
      'NaN guard',
      `step() with ${key} = NaN moved the parameters before throwing`,
    );
  }
}

function isWritable(o: object, key: string): boolean {
  return Object.getOwnPropertyDescriptor(o, key)?.writable === true;
}

/** The contract's checks by name, for one test per check. */
export const optimizerContract: Readonly<Record<string, (make: MakeOptimizer) => void>> = {
  'state round trip': checkStateRoundTrip,
  maximize: checkMaximize,
  'zero-allocation steps': checkZeroAllocationSteps,
  'NaN guard': checkNanGuard,
};

/** Runs every check of the contract; throws the first OptimizerContractError. */
export function checkOptimizerContract(make: MakeOptimizer): void {
  for (const check of Object.values(optimizerContract)) check(make);
}

/** Runs `fn` with Float32Array/Float64Array construction counted (instanceof still works through the proxy). */
export function countTypedArrays(fn: () => void): number {
  if (typeof fn !== 'function') {
    throw new OptimError(
      'INVALID_ARGUMENT',
      `countTypedArrays: fn must be a function, got ${describeValue(fn)}`,
    );
  }
  const saved = { Float32Array: globalThis.Float32Array, Float64Array: globalThis.Float64Array };
  let count = 0;
  const counting = <T extends object>(ctor: T): T =>
    new Proxy(ctor, {
      construct(target, args, newTarget) {
        count++;
        return Reflect.construct(target as unknown as new (...a: unknown[]) => object, args, newTarget);
      },
    });
  globalThis.Float32Array = counting(saved.Float32Array);
  globalThis.Float64Array = counting(saved.Float64Array);
  try {
    fn();
  } finally {
    globalThis.Float32Array = saved.Float32Array;
    globalThis.Float64Array = saved.Float64Array;
  }
  return count;
}
