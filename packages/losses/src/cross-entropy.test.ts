import { Hw3Error, Tensor } from '@hw3/core';
import { describe, expect, it } from 'vitest';
import { crossEntropy, crossEntropyArray } from './cross-entropy.js';
import { LossError } from './loss-error.js';
import { softmaxArray } from './softmax.js';
import { expectClose, naiveLogSoftmaxRow, numericGradient, randomArray } from './test-helpers.js';

const LN2 = Math.LN2;

/**
 * PyTorch's cross_entropy with class indices, transcribed independently from its structure
 * (aten/src/ATen/native/LossNLL.cpp, cross_entropy_loss_label_smoothing):
 *   ret = (1 − ε)·nll_loss(logp, t, w, reduction) + (ε / C)·smooth, smooth_i = −Σ_c w_c·logp_{i,c},
 *   ignored rows zeroed, 'mean' divides both terms by Σ_i w_{t_i} over non-ignored rows.
 * Uses a naive log-softmax (moderate logits only).
 */
function torchCrossEntropy(
  logits: number[][],
  target: number[],
  opts: {
    weight?: number[];
    labelSmoothing?: number;
    ignoreIndex?: number;
    reduction?: 'mean' | 'sum' | 'none';
  },
): number | number[] {
  const C = logits[0].length;
  const w = opts.weight ?? new Array(C).fill(1);
  const eps = opts.labelSmoothing ?? 0;
  const ignore = opts.ignoreIndex ?? -100;
  const nll: number[] = [];
  const smooth: number[] = [];
  let wsum = 0;
  logits.forEach((row, i) => {
    const lp = naiveLogSoftmaxRow(row);
    const t = target[i];
    if (t === ignore) {
      nll.push(0);
      smooth.push(0);
      return;
    }
    wsum += w[t];
    nll.push(-w[t] * lp[t]);
    smooth.push(-lp.reduce((a, v, c) => a + w[c] * v, 0));
  });
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  const reduction = opts.reduction ?? 'mean';
  if (reduction === 'none') return nll.map((v, i) => (1 - eps) * v + (eps / C) * smooth[i]);
  if (reduction === 'sum') return (1 - eps) * sum(nll) + (eps / C) * sum(smooth);
  return (1 - eps) * (sum(nll) / wsum) + (eps / C) * (sum(smooth) / wsum);
}

describe('crossEntropyArray: the handout result', () => {
  it('handout: ∂L_t/∂z_t = ŷ_t − y_t holds for EVERY j: ∂L/∂z_j = ŷ_j − y_j (the handout derives only the true class, y_t = 1)', () => {
    const C = 5;
    for (let seed = 1; seed <= 6; seed++) {
      const z = randomArray(C, seed, -4, 4);
      const t = seed % C;
      const yHat = softmaxArray(z, [C]);
      const { loss, grad } = crossEntropyArray(z, [1, C], [t], { reduction: 'sum' });
      // L = −Σ_i y_i log ŷ_i with one-hot y.
      expect(loss).toBeCloseTo(-Math.log(yHat[t]), 12);
      for (let j = 0; j < C; j++) {
        const y = j === t ? 1 : 0;
        expect(grad[j]).toBeCloseTo(yHat[j] - y, 14);
      }
      // The same from finite differences of the loss (independent of the kernel's backward).
      const numeric = numericGradient((v) => crossEntropyArray(v, [1, C], [t], { reduction: 'sum' }).loss, z);
      expectClose(grad, numeric, 1e-8, 1e-6);
    }
  });

  it('handout, general target: for a probability target y (Σ y = 1), ∂L/∂z_j = ŷ_j − y_j', () => {
    const z = Float64Array.from([0.3, -1.2, 2.0, 0.7]);
    const y = Float64Array.from([0.1, 0.2, 0.3, 0.4]);
    const yHat = softmaxArray(z, [4]);
    const { loss, grad } = crossEntropyArray(z, [4], y, { reduction: 'sum' });
    const lp = naiveLogSoftmaxRow(z);
    expect(loss).toBeCloseTo(-(0.1 * lp[0] + 0.2 * lp[1] + 0.3 * lp[2] + 0.4 * lp[3]), 13);
    expectClose(grad, [yHat[0] - 0.1, yHat[1] - 0.2, yHat[2] - 0.3, yHat[3] - 0.4], 1e-15, 1e-13);
  });

  it('mean reduction: gradient = (softmax − y) / N, and loss = mean of −log ŷ_t', () => {
    const N = 4;
    const C = 3;
    const z = randomArray(N * C, 11);
    const t = [2, 0, 1, 1];
    const { loss, grad } = crossEntropyArray(z, [N, C], Int32Array.from(t));
    const p = softmaxArray(z, [N, C]);
    let expected = 0;
    for (let i = 0; i < N; i++) {
      expected -= Math.log(p[i * C + t[i]]) / N;
      for (let j = 0; j < C; j++) {
        expect(grad[i * C + j]).toBeCloseTo((p[i * C + j] - (j === t[i] ? 1 : 0)) / N, 14);
      }
    }
    expect(loss).toBeCloseTo(expected, 13);
  });
});

describe('crossEntropyArray: PyTorch semantics', () => {
  const logits = [
    [1, 2, 3],
    [0.5, -0.5, 0.25],
    [-1, 0, 2],
    [0.1, 0.2, -0.3],
  ];
  const flat = Float64Array.from(logits.flat());
  const target = [0, 2, -100, 1];
  const weight = [0.5, 2, 1.5];

  it('label smoothing: a textbook case, (1 − ε)·nll + ε·mean_c(−log p_c), from hand-computed log-softmax', () => {
    // logits [1, 2, 3], target 0, ε = 0.1 → logp = [−2.4076, −1.4076, −0.4076]
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const lp = [1 - lse, 2 - lse, 3 - lse];
    const expected = 0.9 * -lp[0] + (0.1 / 3) * -(lp[0] + lp[1] + lp[2]);
    expect(expected).toBeCloseTo(2.30761, 5);
    const { loss } = crossEntropyArray(Float64Array.from([1, 2, 3]), [1, 3], [0], { labelSmoothing: 0.1 });
    expect(loss).toBeCloseTo(expected, 13);
  });

  it.each(['mean', 'sum', 'none'] as const)(
    'label smoothing + class weights + ignoreIndex equal PyTorch’s formula (reduction %s)',
    (reduction) => {
      for (const labelSmoothing of [0, 0.1, 0.35, 1]) {
        const opts = { weight, labelSmoothing, reduction };
        const { loss } = crossEntropyArray(flat, [4, 3], target, opts);
        const expected = torchCrossEntropy(logits, target, opts);
        if (reduction === 'none') expectClose(loss as Float64Array, expected as number[], 1e-14, 1e-13);
        else expect(loss).toBeCloseTo(expected as number, 13);
      }
    },
  );

  it('weights and ignoreIndex, worked by hand: mean = (2·ln2 + ln4) / (2 + 1) = 4·ln2 / 3', () => {
    // rows: [0, 0] target 0 (w 2): −2·log(1/2); [ln 3, 0] target 1 (w 1): −log(1/4); [0, 0] ignored.
    const z = Float64Array.from([0, 0, Math.log(3), 0, 0, 0]);
    const t = [0, 1, -100];
    const w = [2, 1];
    const mean = crossEntropyArray(z, [3, 2], t, { weight: w });
    expect(mean.loss).toBeCloseTo((4 * LN2) / 3, 14);
    // grad row i = (Q·p − q) / Σw_t: row 0 (2·[½, ½] − [2, 0]) / 3, row 1 ([¾, ¼] − [0, 1]) / 3, row 2 zero.
    expectClose(mean.grad, [-1 / 3, 1 / 3, 1 / 4, -1 / 4, 0, 0], 1e-15, 1e-14);
    expect(crossEntropyArray(z, [3, 2], t, { weight: w, reduction: 'sum' }).loss).toBeCloseTo(4 * LN2, 14);
    const none = crossEntropyArray(z, [3, 2], t, { weight: w, reduction: 'none' });
    expectClose(none.loss, [2 * LN2, 2 * LN2, 0], 1e-15, 1e-14);
    expectClose(none.grad, [-1, 1, 3 / 4, -3 / 4, 0, 0], 1e-15, 1e-14);
  });

  it('ignoreIndex may be a real class: its rows are skipped, even in the denominator', () => {
    const z = Float64Array.from([0, 0, Math.log(3), 0]);
    const { loss, grad } = crossEntropyArray(z, [2, 2], [0, 1], { ignoreIndex: 1 });
    expect(loss).toBeCloseTo(LN2, 15);
    expectClose(grad, [-0.5, 0.5, 0, 0], 1e-15, 1e-15);
  });

  it('all targets ignored with mean reduction gives 0 (PyTorch gives NaN) and a zero gradient', () => {
    const { loss, grad } = crossEntropyArray(Float64Array.from([1, 2, 3, 4]), [2, 2], [-100, -100]);
    expect(loss).toBe(0);
    expect([...grad]).toEqual([0, 0, 0, 0]);
  });

  it('reductions agree: none sums to sum, sum / N = mean (no weights)', () => {
    const z = randomArray(15, 21);
    const t = [0, 4, 2];
    const none = crossEntropyArray(z, [3, 5], t, { reduction: 'none', labelSmoothing: 0.2 });
    const sum = crossEntropyArray(z, [3, 5], t, { reduction: 'sum', labelSmoothing: 0.2 });
    const mean = crossEntropyArray(z, [3, 5], t, { labelSmoothing: 0.2 });
    expect([...none.loss].reduce((a, b) => a + b, 0)).toBeCloseTo(sum.loss, 13);
    expect(mean.loss).toBeCloseTo(sum.loss / 3, 13);
    expectClose(
      mean.grad,
      sum.grad.map((g) => g / 3),
      1e-16,
      1e-13,
    );
  });

  it('leading dims are flattened: [2, 3, 4] logits with [2, 3] targets equal [6, 4]', () => {
    const z = randomArray(24, 31);
    const t = [0, 1, 2, 3, 0, 1];
    const a = crossEntropyArray(z, [2, 3, 4], t, { reduction: 'none' });
    const b = crossEntropyArray(z, [6, 4], t, { reduction: 'none' });
    expectClose(a.loss, b.loss, 0, 0);
    expectClose(a.grad, b.grad, 0, 0);
    // A 1-d input is one sample.
    expect(crossEntropyArray(z.subarray(0, 4), [4], [0]).loss).toBeCloseTo(b.loss[0], 15);
  });

  it('probability targets: one-hot rows equal index targets; PyTorch’s soft-label formula with ε and weights', () => {
    const z = randomArray(12, 41);
    const t = [1, 0, 3];
    const oneHot = new Float64Array(12);
    t.forEach((c, i) => {
      oneHot[i * 4 + c] = 1;
    });
    const a = crossEntropyArray(z, [3, 4], t);
    const b = crossEntropyArray(z, [3, 4], oneHot);
    expect(b.loss).toBeCloseTo(a.loss, 14);
    expectClose(b.grad, a.grad, 1e-16, 1e-13);

    // PyTorch (cross_entropy_loss_prob_target): y' = (1 − ε)·y + ε/C, loss = −Σ w_c·y'_c·logp_c, 'mean' ÷ N.
    const y = [
      [0.1, 0.2, 0.3, 0.4],
      [0.25, 0.25, 0.5, 0],
      [1, 0, 0, 0],
    ];
    const w = [1, 2, 0.5, 3];
    const eps = 0.2;
    let total = 0;
    for (let i = 0; i < 3; i++) {
      const lp = naiveLogSoftmaxRow(z.subarray(i * 4, i * 4 + 4));
      for (let c = 0; c < 4; c++) total -= w[c] * ((1 - eps) * y[i][c] + eps / 4) * lp[c];
    }
    const soft = crossEntropyArray(z, [3, 4], y, { weight: w, labelSmoothing: eps });
    expect(soft.loss).toBeCloseTo(total / 3, 13);
    expect(
      crossEntropyArray(z, [3, 4], y, { weight: w, labelSmoothing: eps, reduction: 'sum' }).loss,
    ).toBeCloseTo(total, 13);
  });

  it('float64 finite-difference check of ∂loss/∂logits for every option combination', () => {
    const z = randomArray(20, 51);
    const y = new Float64Array(20);
    for (let i = 0; i < 5; i++) {
      const row = randomArray(4, 60 + i, 0.05, 1);
      const s = row.reduce((a, b) => a + b, 0);
      for (let c = 0; c < 4; c++) y[i * 4 + c] = row[c] / s;
    }
    const upstream = randomArray(5, 70);
    const targets = [[2, -100, 0, 3, 1], y] as const;
    for (const target of targets) {
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        for (const weight of [undefined, [0.3, 1.7, 1, 2.5]]) {
          for (const labelSmoothing of [0, 0.15]) {
            const opts = { reduction, weight, labelSmoothing };
            const f = (v: Float64Array): number => {
              const { loss } = crossEntropyArray(v, [5, 4], target, opts);
              return typeof loss === 'number' ? loss : [...loss].reduce((a, l, i) => a + l * upstream[i], 0);
            };
            const { grad } = crossEntropyArray(z, [5, 4], target, {
              ...opts,
              gradOutput: reduction === 'none' ? upstream : 1,
            });
            expectClose(grad, numericGradient(f, z), 1e-8, 1e-6);
          }
        }
      }
    }
  });

  it('rows of the gradient sum to zero without weights (any ε, any target)', () => {
    const z = randomArray(30, 81, -10, 10);
    const { grad } = crossEntropyArray(z, [6, 5], [0, 1, 2, 3, 4, 0], {
      labelSmoothing: 0.3,
      reduction: 'sum',
    });
    for (let i = 0; i < 6; i++) {
      let s = 0;
      for (let c = 0; c < 5; c++) s += grad[i * 5 + c];
      expect(Math.abs(s)).toBeLessThan(1e-15);
    }
  });
  it('class indices as Uint8Array (e.g. MNIST labels) or a single number for a 1-d input; an empty batch gives 0', () => {
    const z = randomArray(6, 111);
    const a = crossEntropyArray(z, [2, 3], Uint8Array.from([2, 0]));
    const b = crossEntropyArray(z, [2, 3], [2, 0]);
    expect(a.loss).toBe(b.loss);
    expect(crossEntropyArray(z.subarray(0, 3), [3], 2).loss).toBe(
      crossEntropyArray(z, [2, 3], [2, -100]).loss,
    );
    const indices = Int32Array.from([2, 0]);
    crossEntropyArray(z, [2, 3], indices);
    expect([...indices]).toEqual([2, 0]);
    const empty = crossEntropyArray(new Float64Array(0), [0, 3], []);
    expect(empty.loss).toBe(0);
    expect(empty.grad.length).toBe(0);
  });

  it('options.grad receives the gradient in place; reused scratch gives identical results across sizes', () => {
    const big = randomArray(40, 101);
    const small = randomArray(6, 102);
    const first = crossEntropyArray(small, [2, 3], [0, 2]);
    crossEntropyArray(big, [8, 5], [0, 1, 2, 3, 4, 0, 1, 2]);
    const buffer = new Float64Array(6);
    const again = crossEntropyArray(small, [2, 3], [0, 2], { grad: buffer });
    expect(again.grad).toBe(buffer);
    expect(again.loss).toBe(first.loss);
    expect([...buffer]).toEqual([...first.grad]);
    expect(() => crossEntropyArray(small, [2, 3], [0, 2], { grad: new Float32Array(6) })).toThrow(
      /options.grad must be a Float64Array of length 6/,
    );
  });
});

describe('crossEntropyArray: extreme logits', () => {
  it.each([
    ['float32', Float32Array],
    ['float64', Float64Array],
  ] as const)('±1e4 and mixed logits give finite loss and exact gradients (%s)', (_name, Ctor) => {
    const z = Ctor.from([1e4, -1e4, 0, -1e4, 1e4, 1e4, 5e3, -7e3, 1e4]);
    const { loss, grad } = crossEntropyArray(z, [3, 3], [1, 0, 2], { reduction: 'none' });
    // Confidently wrong: −log ŷ_t = z_max − z_t (+ log 2 where two logits tie).
    expectClose(loss as ArrayLike<number>, [2e4, 2e4 + LN2, 0], 1e-3, 1e-6);
    expectClose(grad, [1, -1, 0, -1, 0.5, 0.5, 0, 0, 0], 1e-7, 1e-6);
    const smoothed = crossEntropyArray(z, [3, 3], [1, 0, 2], { labelSmoothing: 0.1, weight: [1, 2, 3] });
    expect(Number.isFinite(smoothed.loss)).toBe(true);
    for (const g of smoothed.grad) expect(Number.isFinite(g)).toBe(true);
  });

  it('why not softmax → clip → log: clipping zeroes the gradient of a confident wrong prediction, log-sum-exp does not', () => {
    const z = Float64Array.from([30, -30]);
    const eps = 1e-7; // tfjs-layers' epsilon
    const clipped = (v: Float64Array) => {
      const p = softmaxArray(v, [2]);
      return -Math.log(Math.min(Math.max(p[1], eps), 1 - eps));
    };
    const clipGrad = numericGradient(clipped, z, 1e-4);
    expect(clipGrad[1]).toBe(0);
    expect(clipped(z)).toBeCloseTo(-Math.log(eps), 10);
    const { loss, grad } = crossEntropyArray(z, [2], [1], { reduction: 'sum' });
    expect(loss).toBeCloseTo(60, 12);
    expectClose(grad, [1, -1], 1e-15, 0);
  });
});

describe('crossEntropyArray: input errors', () => {
  const z = new Float64Array(6);
  it('class index out of range names the sample, the value and the range', () => {
    const err = (() => {
      try {
        crossEntropyArray(z, [2, 3], [0, 5]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LossError);
    expect(err).toBeInstanceOf(Hw3Error);
    expect(err).toMatchObject({ code: 'LOSS_TARGET_OUT_OF_RANGE' });
    expect((err as Error).message).toBe(
      'crossEntropyArray: target[1] = 5 is out of range; valid class indices are integers in [0, 3) or ignoreIndex (-100)',
    );
    expect(() => crossEntropyArray(z, [2, 3], [-1, 0])).toThrow(/target\[0\] = -1 is out of range/);
  });

  it('non-integer class index, wrong target count', () => {
    expect(() => crossEntropyArray(z, [2, 3], [0, 1.5])).toThrow(
      expect.objectContaining({
        code: 'LOSS_NON_INTEGER_TARGET',
        message: expect.stringMatching(/target\[1\] = 1.5/),
      }),
    );
    expect(() => crossEntropyArray(z, [2, 3], [0])).toThrow(
      expect.objectContaining({
        code: 'LOSS_SHAPE_MISMATCH',
        message: expect.stringMatching(/1 class indices .* 2 rows/),
      }),
    );
  });

  it('bad probabilities: negative, NaN, rows not summing to 1 (tolerance 1e-3 for float32, 1e-5 for float64)', () => {
    const code = { code: 'LOSS_INVALID_PROBABILITIES' };
    expect(() => crossEntropyArray(z, [2, 3], Float64Array.from([1.2, -0.2, 0, 0, 0, 1]))).toThrow(
      expect.objectContaining({ ...code, message: expect.stringMatching(/target\[0, 0\] = 1.2/) }),
    );
    expect(() => crossEntropyArray(z, [2, 3], Float64Array.from([1, 0, 0, 0.5, -0.1, 0.6]))).toThrow(
      /target\[1, 1\] = -0.1 is not a probability/,
    );
    expect(() => crossEntropyArray(z, [2, 3], Float64Array.from([1, 0, 0, NaN, 0, 1]))).toThrow(
      expect.objectContaining(code),
    );
    expect(() => crossEntropyArray(z, [2, 3], Float64Array.from([1, 0, 0, 0.5, 0.4, 0]))).toThrow(
      /row 1 sums to 0.9/,
    );
    const nearly = [0.5, 0.5005, 0, 1, 0, 0];
    expect(() => crossEntropyArray(z, [2, 3], Float64Array.from(nearly))).toThrow(/tolerance 0.00001/);
    expect(() => crossEntropyArray(new Float32Array(6), [2, 3], Float32Array.from(nearly))).not.toThrow();
    expect(() => crossEntropyArray(z, [2, 3], Float64Array.from([1, 0, 0]))).toThrow(
      /float arrays are probability targets and need rows × classes = 2 × 3 = 6 entries/,
    );
  });

  it('weight of the wrong length, bad options', () => {
    expect(() => crossEntropyArray(z, [2, 3], [0, 1], { weight: [1, 2] })).toThrow(
      expect.objectContaining({
        code: 'LOSS_SHAPE_MISMATCH',
        message: 'crossEntropyArray: options.weight has length 2; it must have one weight per class (3)',
      }),
    );
    expect(() => crossEntropyArray(z, [2, 3], [0, 1], { weight: [1, Number.NaN, 1] })).toThrow(
      /weight\[1\] = NaN/,
    );
    for (const labelSmoothing of [-0.1, 1.5, Number.NaN]) {
      expect(() => crossEntropyArray(z, [2, 3], [0, 1], { labelSmoothing })).toThrow(
        expect.objectContaining({
          code: 'LOSS_INVALID_OPTION',
          message: expect.stringMatching(/labelSmoothing must be a number in \[0, 1\]/),
        }),
      );
    }
    expect(() => crossEntropyArray(z, [2, 3], [0, 1], { reduction: 'avg' as 'mean' })).toThrow(
      /reduction must be 'mean', 'sum' or 'none', got "avg"/,
    );
    expect(() => crossEntropyArray(z, [2, 3], [0, 1], { ignoreIndex: 0.5 })).toThrow(
      /ignoreIndex must be an integer/,
    );
    expect(() => crossEntropyArray(z, [3, 3], [0, 1])).toThrow(/holds 9 elements but the array has 6/);
    expect(() => crossEntropyArray(z, [2, 3], 'a' as unknown as number[])).toThrow(
      expect.objectContaining({ code: 'LOSS_INVALID_DTYPE' }),
    );
    expect(() =>
      crossEntropyArray(z, [2, 3], [0, 1], { reduction: 'none', gradOutput: new Float64Array(3) }),
    ).toThrow(/gradOutput has length 3; with reduction 'none' it needs one value per sample \(2\)/);
    expect(() => crossEntropyArray(z, [2, 3], [0, 1], { gradOutput: new Float64Array(2) })).toThrow(
      /options.gradOutput must be a number for reduction 'mean', got a Float64Array/,
    );
  });
});

describe('crossEntropy autograd op', () => {
  it('README example: float32 logits, labelSmoothing 0.1 → 0.4251 (PyTorch formula computed independently)', () => {
    const values = [2, 1, 0.1, 0.5, 2.5, -1];
    const logits = new Tensor(Float32Array.from(values), [2, 3], { requiresGrad: true });
    const loss = crossEntropy(logits, [0, 1], { labelSmoothing: 0.1 });
    const expected = torchCrossEntropy(
      [
        [2, 1, 0.1],
        [0.5, 2.5, -1],
      ],
      [0, 1],
      { labelSmoothing: 0.1 },
    ) as number;
    expect(expected.toFixed(4)).toBe('0.4251');
    expect(loss.item()).toBeCloseTo(expected, 6);
  });

  it('value and gradient equal crossEntropyArray (shared kernel), for [..., C] logits', () => {
    const z = randomArray(24, 91);
    const t = [0, 3, 1, -100, 2, 2];
    const opts = { weight: [1, 2, 3, 4], labelSmoothing: 0.1 };
    const x = new Tensor(Float64Array.from(z), [2, 3, 4], { requiresGrad: true });
    const loss = crossEntropy(x, t, opts);
    expect(loss.shape).toEqual([]);
    loss.backward();
    const ref = crossEntropyArray(z, [2, 3, 4], t, opts);
    expect(loss.item()).toBe(ref.loss);
    expect(x.grad!.shape).toEqual([2, 3, 4]);
    expectClose(x.grad!.data, ref.grad, 0, 0);
  });

  it("reduction 'none' returns per-row losses shaped like the leading dims, backward takes their gradient", () => {
    const z = randomArray(12, 92);
    const up = randomArray(6, 93);
    const x = new Tensor(Float64Array.from(z), [2, 3, 2], { requiresGrad: true });
    const target = new Tensor(Float64Array.from([0, 1, 1, 0, 1, 1]), [2, 3]);
    const loss = crossEntropy(x, target, { reduction: 'none' });
    expect(loss.shape).toEqual([2, 3]);
    loss.backward(new Tensor(Float64Array.from(up), [2, 3]));
    const ref = crossEntropyArray(z, [2, 3, 2], [0, 1, 1, 0, 1, 1], { reduction: 'none', gradOutput: up });
    expectClose(loss.data, ref.loss, 0, 0);
    expectClose(x.grad!.data, ref.grad, 0, 0);
  });

  it('a probability-target tensor that requires grad gets ∂L/∂y = −(1 − ε)·w·log p (finite differences)', () => {
    const z = randomArray(6, 94);
    const y = Float64Array.from([0.2, 0.3, 0.5, 0.6, 0.1, 0.3]);
    const w = [1, 2, 0.5];
    const logits = new Tensor(Float64Array.from(z), [2, 3], { requiresGrad: true });
    const target = new Tensor(Float64Array.from(y), [2, 3], { requiresGrad: true });
    crossEntropy(logits, target, { weight: w, labelSmoothing: 0.1 }).backward();
    const f = (v: Float64Array) => crossEntropyArray(z, [2, 3], v, { weight: w, labelSmoothing: 0.1 }).loss;
    expectClose(target.grad!.data, numericGradient(f, y), 1e-8, 1e-6);
    expectClose(
      logits.grad!.data,
      crossEntropyArray(z, [2, 3], y, { weight: w, labelSmoothing: 0.1 }).grad,
      0,
      0,
    );
  });

  it('keeps its own copy of a reused label buffer: refilling it before backward() does not change the gradient', () => {
    const z = randomArray(6, 95);
    const labels = Int32Array.from([2, 0]);
    const x = new Tensor(Float64Array.from(z), [2, 3], { requiresGrad: true });
    const loss = crossEntropy(x, labels);
    labels.set([1, 1]);
    loss.backward();
    expectClose(x.grad!.data, crossEntropyArray(z, [2, 3], [2, 0]).grad, 0, 0);
  });

  it('keeps its own copy of a class-weight Tensor or array: changing it before backward() does not change the gradient', () => {
    const z = randomArray(6, 96);
    const expected = crossEntropyArray(z, [2, 3], [2, 0], { weight: [1, 2, 3] }).grad;
    for (const weight of [new Tensor(Float64Array.of(1, 2, 3), [3]), Float64Array.of(1, 2, 3)]) {
      const x = new Tensor(Float64Array.from(z), [2, 3], { requiresGrad: true });
      const loss = crossEntropy(x, [2, 0], { weight });
      (weight instanceof Tensor ? weight.data : weight).fill(7);
      loss.backward();
      expectClose(x.grad!.data, expected, 0, 0);
    }
  });

  it('float32 logits ±1e4: finite loss and gradient', () => {
    const x = new Tensor(Float32Array.from([1e4, -1e4, -1e4, 1e4]), [2, 2], { requiresGrad: true });
    const loss = crossEntropy(x, Int32Array.from([1, 0]));
    loss.backward();
    expect(loss.item()).toBe(2e4);
    expect([...x.grad!.data]).toEqual([0.5, -0.5, -0.5, 0.5]);
  });

  it('rejects a target tensor of the wrong shape and non-tensor logits', () => {
    const x = new Tensor(new Float64Array(6), [2, 3]);
    expect(() => crossEntropy(x, new Tensor(new Float64Array(3), [3]))).toThrow(
      /target tensor shape \[3\] fits neither probabilities \(shape of logits \[2, 3\]\) nor class indices \(\[2\]\)/,
    );
    expect(() => crossEntropy(new Float64Array(6) as unknown as Tensor, [0, 1])).toThrow(
      /logits must be a Tensor/,
    );
  });
});

describe('options that are not an object (found by apps/fuzz)', () => {
  it('every loss refuses them with a LossError naming options, not a TypeError', async () => {
    const { nllLoss, nllLossArray } = await import('./nll-loss.js');
    const { mseLoss, mseLossArray } = await import('./mse-loss.js');
    const { binaryCrossEntropyWithLogits, binaryCrossEntropyWithLogitsArray } = await import(
      './binary-cross-entropy-with-logits.js'
    );
    const x = new Float32Array(6);
    const t = new Tensor(new Float32Array(6), [2, 3]);
    const calls: Array<() => unknown> = [
      () => crossEntropyArray(x, [2, 3], [0, 1], null as never),
      () => crossEntropy(t, [0, 1], null as never),
      () => nllLossArray(x, [2, 3], [0, 1], 3 as never),
      () => nllLoss(t, [0, 1], null as never),
      () => mseLossArray(x, x, null as never),
      () => mseLoss(t, x, 'mean' as never),
      () => binaryCrossEntropyWithLogitsArray(x, [2, 3], x, null as never),
      () => binaryCrossEntropyWithLogits(t, x, null as never),
    ];
    for (const call of calls) {
      expect(call).toThrow(LossError);
      expect(call).toThrow(/options must be an object/);
    }
    expect(() => mseLossArray(x, x, { grad: null as never })).toThrow(
      /options\.grad must be a Float32Array of length 6/,
    );
  });
});

describe('a missing shape argument of the array losses (found by npm run fuzz)', () => {
  it('is a LossError naming the shape, not a TypeError', async () => {
    const { nllLossArray } = await import('./nll-loss.js');
    const { binaryCrossEntropyWithLogitsArray } = await import('./binary-cross-entropy-with-logits.js');
    const x = new Float32Array(6);
    const calls: Array<() => unknown> = [
      () => crossEntropyArray(x, undefined as never, [0, 1], {}),
      () => nllLossArray(x, undefined as never, [0, 1], {}),
      () => binaryCrossEntropyWithLogitsArray(x, undefined as never, x, {}),
      () => crossEntropyArray(x, null as never, [0, 1], {}),
      () => nllLossArray(x, null as never, [0, 1], {}),
    ];
    for (const call of calls) {
      expect(call).toThrow(LossError);
      expect(call).toThrow(/shape must be an array of integers, got (undefined|null)/);
    }
  });
});
