// The shared contract every optimizer of this package satisfies (one table, same tests for all).
import { describe, expect, it } from 'vitest';
import { Adagrad } from './adagrad';
import { Adam, AdamW } from './adam';
import { OptimError } from './errors';
import type { Optimizer } from './optimizer';
import type { ParamLike } from './param';
import { RMSprop } from './rmsprop';
import { cosineSchedule } from './schedules';
import { SGD } from './sgd';
import { bytesOf, makeParam, type PlainParam } from './test-utils';
import { countTypedArrays, optimizerContract } from './testing';

type AnyOptimizer = Optimizer<Record<string, number | boolean>, string, object>;
type Make = (params: ParamLike[], extra?: Record<string, unknown>) => AnyOptimizer;

interface Entry {
  name: string;
  make: Make;
  /** steps needed to reach the quadratic's minimum within the tolerance */
  steps: number;
}

const as = (o: unknown) => o as AnyOptimizer;
const table: Entry[] = [
  { name: 'SGD', make: (p, x) => as(new SGD(p, { lr: 0.1, ...x })), steps: 300 },
  {
    name: 'SGD momentum + Nesterov + weightDecay',
    make: (p, x) => as(new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-6, ...x })),
    steps: 300,
  },
  {
    name: 'SGD momentum + dampening',
    make: (p, x) => as(new SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.5, ...x })),
    steps: 400,
  },
  { name: 'Adagrad', make: (p, x) => as(new Adagrad(p, { lr: 0.5, ...x })), steps: 400 },
  {
    name: 'Adagrad lrDecay + initialAccumulatorValue',
    make: (p, x) => as(new Adagrad(p, { lr: 1, lrDecay: 1e-3, initialAccumulatorValue: 0.1, ...x })),
    steps: 400,
  },
  {
    name: 'RMSprop',
    make: (p, x) =>
      as(
        new RMSprop(p, {
          lr: 0.01,
          schedule: { lr: cosineSchedule({ init: 0.03, decaySteps: 600, min: 1e-5 }) },
          ...x,
        }),
      ),
    steps: 600,
  },
  {
    name: 'RMSprop centered + momentum',
    make: (p, x) =>
      as(
        new RMSprop(p, {
          lr: 0.005,
          centered: true,
          momentum: 0.5,
          schedule: { lr: cosineSchedule({ init: 0.01, decaySteps: 800, min: 1e-5 }) },
          ...x,
        }),
      ),
    steps: 800,
  },
  {
    name: 'Adam',
    make: (p, x) =>
      as(new Adam(p, { schedule: { lr: cosineSchedule({ init: 0.1, decaySteps: 500, min: 1e-4 }) }, ...x })),
    steps: 500,
  },
  {
    name: 'Adam amsgrad + L2',
    make: (p, x) =>
      as(
        new Adam(p, {
          amsgrad: true,
          weightDecay: 1e-6,
          schedule: { lr: cosineSchedule({ init: 0.1, decaySteps: 500, min: 1e-4 }) },
          ...x,
        }),
      ),
    steps: 500,
  },
  {
    name: 'Adam beta2 = 1',
    make: (p, x) => as(new Adam(p, { lr: 0.3, beta1: 0.5, beta2: 1, ...x })),
    steps: 800,
  },
  {
    name: 'AdamW',
    make: (p, x) =>
      as(
        new AdamW(p, {
          weightDecay: 1e-6,
          schedule: { lr: cosineSchedule({ init: 0.1, decaySteps: 500, min: 1e-4 }) },
          ...x,
        }),
      ),
    steps: 500,
  },
];

// f(θ) = ½ Σ a_i (θ_i − c_i)², ∇f = a ⊙ (θ − c)
const A = [0.5, 1, 2, 1.5, 0.8];
const C = [1, -2, 0.5, 3, -1];
function writeGrad(p: PlainParam, noise = 0): void {
  for (let i = 0; i < p.data.length; i++) p.grad![i] = A[i] * (p.data[i] - C[i]) + noise;
}

describe.each(table)('optimizer contract: $name', ({ make, steps }) => {
  it.each(['float32', 'float64'] as const)('converges on a quadratic (%s)', (dtype) => {
    const p = makeParam([0, 0, 0, 0, 0], dtype);
    const opt = make([p]);
    for (let t = 0; t < steps; t++) {
      opt.zeroGrad();
      writeGrad(p);
      opt.step();
    }
    for (let i = 0; i < C.length; i++)
      expect(Math.abs(p.data[i] - C[i])).toBeLessThan(dtype === 'float32' ? 2e-2 : 1e-2);
  });

  it('stateDict({ typedArrays: true }) keeps typed-array copies and restores bitwise too', () => {
    const p = makeParam([0.1, -0.2, 0.3, 0.4, -0.5], 'float32');
    const q = makeParam([0.1, -0.2, 0.3, 0.4, -0.5], 'float32');
    const a = make([p]);
    const b = make([q]);
    for (let t = 0; t < 5; t++) {
      writeGrad(p, t);
      a.step();
    }
    const sd = a.stateDict({ typedArrays: true });
    q.data.set(p.data);
    b.loadStateDict(sd);
    for (let t = 5; t < 10; t++) {
      writeGrad(p, t);
      writeGrad(q, t);
      a.step();
      b.step();
    }
    expect(bytesOf(q.data)).toEqual(bytesOf(p.data));
  });

  it('zeroGrad fills gradients with zeros in place; setToNone sets them to null', () => {
    const p = makeParam([1, 2, 3, 4, 5]);
    const q = { data: new Float32Array([1, 2]), grad: { data: new Float32Array([3, 4]) } };
    const opt = make([p, q]);
    writeGrad(p);
    const g = p.grad;
    opt.step();
    opt.zeroGrad();
    expect(p.grad).toBe(g);
    expect(Array.from(p.grad!)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(q.grad.data)).toEqual([0, 0]);
    opt.zeroGrad({ setToNone: true });
    expect(p.grad).toBeNull();
    expect(q.grad).toBeNull();
  });

  it('skips parameters whose grad is null (PyTorch): neither they nor their state move', () => {
    const p = makeParam([1, 2, 3, 4, 5]);
    const q = makeParam([5, 4, 3, 2, 1]);
    const opt = make([p, q]);
    q.grad = null;
    const before = opt.stateDict().paramGroups[0].state;
    writeGrad(p);
    opt.step();
    expect(Array.from(q.data)).toEqual([5, 4, 3, 2, 1]);
    const after = JSON.parse(JSON.stringify(opt.stateDict().paramGroups[0].state));
    // every per-parameter entry of index 1 is unchanged
    const perParam1 = (s: unknown): unknown[] =>
      Array.isArray(s)
        ? s.flatMap((x) => perParam1(x))
        : s && typeof s === 'object'
          ? Object.values(s).flatMap((v) => (Array.isArray(v) && v.length === 2 ? [v[1]] : perParam1(v)))
          : [];
    expect(perParam1(after)).toEqual(perParam1(JSON.parse(JSON.stringify(before))));
    expect(Array.from(p.data)).not.toEqual([1, 2, 3, 4, 5]);
  });

  it('throws a typed LENGTH_MISMATCH error, before moving anything, when a gradient has the wrong length', () => {
    const p = makeParam([1, 2, 3]);
    const q = makeParam([1, 2]);
    const opt = make([p, q]);
    p.grad!.fill(1);
    q.grad = new Float64Array(3);
    let err: unknown;
    try {
      opt.step();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OptimError);
    expect((err as OptimError).code).toBe('LENGTH_MISMATCH');
    expect((err as Error).message).toMatch(/parameter 1 has 3 elements; expected 2/);
    expect(Array.from(p.data)).toEqual([1, 2, 3]);
  });

  it.each(Object.keys(optimizerContract))('keeps the shared contract: %s (@hw3/optim/testing)', (check) => {
    optimizerContract[check]((params, overrides) => make(params, overrides));
  });

  it('the contract sees the allocations of building an optimizer (its state and buffers)', () => {
    expect(countTypedArrays(() => make([makeParam([1, 2, 3])]))).toBeGreaterThan(0);
  });
});

describe('Optimizer groups and hyperparameters', () => {
  it('accepts @hw3/core-Tensor-shaped parameters (readonly data, grad: Tensor | null) without importing core', () => {
    class TensorLike {
      readonly data: Float32Array;
      grad: TensorLike | null = null;
      constructor(values: number[]) {
        this.data = new Float32Array(values);
      }
    }
    const w = new TensorLike([1, 2]);
    const opt = new SGD([w], { lr: 0.5 });
    opt.step(); // grad null: skipped
    expect(Array.from(w.data)).toEqual([1, 2]);
    w.grad = new TensorLike([1, -1]);
    opt.step();
    expect(Array.from(w.data)).toEqual([0.5, 2.5]);
    opt.zeroGrad();
    expect(Array.from(w.grad.data)).toEqual([0, 0]);
  });

  it('each parameter group has its own hyperparameters, settable between steps (PyTorch param_groups)', () => {
    const a = makeParam([1]);
    const b = makeParam([1]);
    const opt = new SGD([{ params: [a], lr: 0.1 }, { params: [b] }], { lr: 0.01 });
    expect(opt.paramGroups[0].lr).toBe(0.1);
    expect(opt.paramGroups[1].lr).toBe(0.01);
    a.grad![0] = 1;
    b.grad![0] = 1;
    opt.step();
    expect(a.data[0]).toBe(1 - 0.1);
    expect(b.data[0]).toBe(1 - 0.01);
    opt.paramGroups[1].lr = 0.5;
    opt.step();
    expect(b.data[0]).toBe(1 - 0.01 - 0.5);
    opt.paramGroups[1].lr = -1;
    expect(() => opt.step()).toThrow(
      /SGD: paramGroups\[1\]\.lr = -1 is invalid; expected a finite number >= 0/,
    );
  });

  it('a schedule per hyperparameter writes schedule(t) into the group before step t', () => {
    const p = makeParam([0]);
    const seen: number[] = [];
    const opt = new Adam([p], { schedule: { lr: (t) => 0.1 * t, beta1: () => 0 } });
    for (let t = 1; t <= 3; t++) {
      p.grad![0] = 1;
      opt.step();
      seen.push(opt.paramGroups[0].lr);
      expect(opt.paramGroups[0].beta1).toBe(0);
    }
    expect(seen).toEqual([0.1, 0.2, 0.30000000000000004]);
  });

  it('a schedule in the options applies to every group (overriding their lr); a group schedule to its group only', () => {
    const [a, b, c] = [makeParam([0]), makeParam([0]), makeParam([0])];
    const everyGroup = new SGD([{ params: [a], lr: 1e-3 }, { params: [b] }], {
      lr: 1e-2,
      schedule: { lr: (t) => t },
    });
    const perGroup = new SGD(
      [
        { params: [c], lr: 1e-3 },
        { params: [makeParam([0])], schedule: { lr: (t) => t } },
      ],
      {
        lr: 1e-2,
      },
    );
    for (const p of [a, b, c]) p.grad![0] = 1;
    everyGroup.step();
    perGroup.step();
    perGroup.paramGroups[0].lr = 5e-4;
    everyGroup.paramGroups[0].lr = 5e-4;
    everyGroup.step();
    perGroup.step();
    expect(everyGroup.paramGroups.map((g) => g.lr)).toEqual([2, 2]);
    expect(perGroup.paramGroups.map((g) => g.lr)).toEqual([5e-4, 2]);
    expect(a.data[0]).toBe(-1 - 2);
    expect(c.data[0]).toBe(-1e-3 - 5e-4);
  });

  it('addParamGroup adds a group with defaults; a parameter may appear only once', () => {
    const a = makeParam([1]);
    const opt = new Adam([a], { lr: 0.5 });
    const b = makeParam([2]);
    opt.addParamGroup({ params: [b], beta1: 0.5 });
    expect(opt.paramGroups[1].lr).toBe(0.5);
    expect(opt.paramGroups[1].beta1).toBe(0.5);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(OptimError);
    // twice in one list would update it twice per step
    const c = makeParam([3]);
    expect(() => new SGD([a, c, c])).toThrow(/SGD: params\[2\] already appears in this optimizer/);
  });

  it('rejects unknown options, bad schedules and non-boolean flags with typed errors (nothing silently ignored)', () => {
    const errorOf = (f: () => unknown): OptimError => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(OptimError);
        return e as OptimError;
      }
      throw new Error('expected an OptimError');
    };
    const p = () => makeParam([1]);
    const snake = errorOf(() => new SGD([p()], { lr: 0.1, weight_decay: 0.1 } as never));
    expect(snake.code).toBe('INVALID_ARGUMENT');
    expect(snake.message).toMatch(
      /^SGD: unknown option "weight_decay"; expected one of lr, momentum, .*weightDecay/,
    );
    expect(errorOf(() => new Adam([{ params: [p()], learningRate: 1 } as never])).message).toMatch(
      /^Adam: paramGroups\[0\]\.unknown option "learningRate"/,
    );
    expect(errorOf(() => new Adam([p()], { schedule: { lR: () => 1 } as never })).message).toMatch(
      /schedule\.lR is invalid: unknown hyperparameter; expected schedules for lr, beta1, beta2, eps, weightDecay/,
    );
    // a schedule on a structural option used to fail later with an untyped TypeError from a frozen property
    expect(
      errorOf(() => new Adagrad([p()], { schedule: { initialAccumulatorValue: () => 1 } as never })).message,
    ).toMatch(
      /schedule\.initialAccumulatorValue is invalid: initialAccumulatorValue is fixed at construction/,
    );
    expect(errorOf(() => new SGD([p()], { schedule: { lr: 0.1 } as never })).message).toMatch(
      /schedule\.lr is number; expected a function/,
    );
    const flag = errorOf(() => new SGD([p()], { maximize: 1 } as never));
    expect(flag.code).toBe('INVALID_HYPERPARAMETER');
    expect(flag.message).toBe('SGD: maximize = 1 is invalid; expected true or false');
    const opt = new RMSprop([p()]);
    (opt.paramGroups[0] as { maximize: unknown }).maximize = 'yes';
    expect(() => opt.step()).toThrow(/RMSprop: maximize = "yes" is invalid; expected true or false/);
  });

  it('structural options are fixed at construction', () => {
    const opt = new Adam([makeParam([1])], { amsgrad: true });
    expect(() => {
      (opt.paramGroups[0] as { amsgrad: boolean }).amsgrad = false;
    }).toThrow(TypeError);
  });
});

describe('arguments of the wrong type are OptimErrors naming them, not TypeErrors (found by apps/fuzz)', async () => {
  // every entry point's exports: the root and its subpaths
  const optim = {
    ...(await import('./index')),
    ...(await import('./subpaths/schedules')),
    ...(await import('./subpaths/transforms')),
  };
  const p = { data: new Float32Array(2), grad: new Float32Array([3, 4]) };
  it.each([
    ['SGD params', () => new optim.SGD(undefined as never, {}), /SGD: params must be an iterable/],
    ['Adam options', () => new optim.Adam([p], null as never), /Adam: options must be an object, got null/],
    [
      'Optimizer spec',
      () => new optim.Optimizer(undefined as never, [p], {} as never),
      /Optimizer: spec must be an OptimizerSpec/,
    ],
    [
      'ReduceOnPlateau options',
      () => new optim.ReduceOnPlateau(new optim.SGD([p]), null as never),
      /ReduceOnPlateau: options must be an object/,
    ],
    [
      'ReduceOnPlateau target',
      () => new optim.ReduceOnPlateau(3 as never),
      /ReduceOnPlateau: target must have paramGroups/,
    ],
    [
      'clipGradNorm options',
      () => optim.clipGradNorm([p], 1, null as never),
      /clipGradNorm: options must be an object/,
    ],
    [
      'clipGradValue params',
      () => optim.clipGradValue(undefined as never, 1),
      /params must be a parameter or an iterable/,
    ],
    ['globalNorm arrays', () => optim.globalNorm(undefined as never), /globalNorm: arrays must be an array/],
    ['gradOf param', () => optim.gradOf(null as never), /gradOf: param must be an object/],
    [
      'gradOf grad',
      () => optim.gradOf({ data: new Float32Array(1), grad: { data: 'x' } } as never),
      /gradOf: param.grad must be null/,
    ],
    [
      'stateToJSON options',
      () => optim.stateToJSON({}, null as never),
      /stateToJSON: options must be an object/,
    ],
    [
      'joinSchedules',
      () => optim.joinSchedules(null as never, [1]),
      /joinSchedules: schedules must be an array/,
    ],
    [
      'resolveScalar',
      () => optim.resolveScalar(undefined as never, 1),
      /resolveScalar: value must be a number or a schedule/,
    ],
    [
      'chain',
      () => optim.chain(optim.scale(1), 3 as never),
      /chain: transforms\[1\] must be a gradient transformation/,
    ],
    [
      'applyUpdates',
      () => optim.applyUpdates([new Float32Array(1)], undefined as never),
      /applyUpdates: params and updates must be arrays/,
    ],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(optim.OptimError);
    expect(call).toThrow(message);
  });
});

describe('more wrong-type arguments (found by apps/fuzz)', async () => {
  // every entry point's exports: the root and its subpaths
  const optim = {
    ...(await import('./index')),
    ...(await import('./subpaths/schedules')),
    ...(await import('./subpaths/transforms')),
  };
  const p = { data: new Float32Array(2), grad: new Float32Array([3, 4]) };
  it('zeroGrad options, multiStepSchedule milestones, ReduceOnPlateau target learning rates', () => {
    expect(() => new optim.SGD([p]).zeroGrad(null as never)).toThrow(
      /SGD.zeroGrad: options must be an object/,
    );
    expect(() => optim.multiStepSchedule({ init: 1, milestones: -1 as never })).toThrow(
      /milestones = -1 is invalid/,
    );
    expect(() => new optim.ReduceOnPlateau({ paramGroups: [{ lr: 'x' as never }] })).toThrow(
      /ReduceOnPlateau: target.paramGroups\[0\].lr = "x" is invalid/,
    );
    expect(() => new optim.ReduceOnPlateau({ paramGroups: [{ lr: 0.1 }] })).not.toThrow();
  });
});
