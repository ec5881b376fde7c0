import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  convOutputSize,
  convSize,
  convTransposeOutputSize,
  poolOutputSize,
  poolSize,
} from './output-size.js';
import { ShapeError } from './shape-error.js';
import { bruteCeilPool, bruteConv, bruteTranspose } from './test-utils.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ShapeError) return error.code;
    throw error;
  }
  return undefined;
}

describe('convOutputSize', () => {
  test("handout formula W' = floor((W + 2·p1 − k1) / s1 + 1)", () => {
    for (let w = 1; w <= 20; w++) {
      for (let k = 1; k <= 5; k++) {
        for (let s = 1; s <= 3; s++) {
          for (let p = 0; p <= 2; p++) {
            const handout = Math.floor((w + 2 * p - k) / s + 1);
            if (handout >= 1) {
              expect(convOutputSize(w, k, { stride: s, padding: p })).toBe(handout);
            } else {
              expect(codeOf(() => convOutputSize(w, k, { stride: s, padding: p }))).toBe('output-too-small');
            }
          }
        }
      }
    }
  });

  // Each expected value is computed from the output-size formula in the PyTorch nn.Conv2d docs
  // (H_out = floor((H_in + 2·padding − dilation·(kernel_size − 1) − 1) / stride + 1)) and matches the
  // activation sizes of the named torchvision / paper architectures.
  test.each([
    ['ResNet stem conv 7×7/2 pad 3, 224 → 112', 224, 7, 2, 3, 1, 112],
    ['AlexNet conv1 11×11/4 pad 2, 224 → 55', 224, 11, 4, 2, 1, 55],
    ['VGG conv 3×3/1 pad 1 keeps 224', 224, 3, 1, 1, 1, 224],
    ['LeNet-5 C1 5×5 on 32 → 28', 32, 5, 1, 0, 1, 28],
    ['LeNet-5 C3 5×5 on 14 → 10', 14, 5, 1, 0, 1, 10],
    ['DeepLab atrous 3×3 dilation 2 pad 2 keeps 65', 65, 3, 1, 2, 2, 65],
    ['dilated 3×3 dilation 4, no pad, 20 → 12', 20, 3, 1, 0, 4, 12],
  ])('PyTorch Conv2d: %s', (_name, n, k, s, p, d, expected) => {
    expect(convOutputSize(n, k, { stride: s, padding: p, dilation: d })).toBe(expected);
  });

  test('asymmetric padding [before, after] and rules', () => {
    expect(convOutputSize(10, 3, { padding: [0, 2] })).toBe(10);
    expect(convOutputSize(10, 3, { padding: 'valid' })).toBe(8);
    expect(convOutputSize(10, 3, { padding: 'same', stride: 3 })).toBe(4);
  });

  test('output < 1 names the dimension and a valid kernel and padding', () => {
    try {
      convOutputSize(2, 5);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ShapeError);
      const e = error as ShapeError;
      expect(e.code).toBe('output-too-small');
      expect(e.values).toMatchObject({ inputSize: 2, kernelSize: 5 });
      expect(e.message).toContain('kernelSize <= 2');
      expect(e.message).toContain('padding >= 2');
    }
  });

  test.each([
    ['inputSize', () => convOutputSize(0, 3), 'invalid-size'],
    ['inputSize', () => convOutputSize(2.5, 1), 'invalid-size'],
    ['kernelSize', () => convOutputSize(5, -1), 'invalid-size'],
    ['stride', () => convOutputSize(5, 3, { stride: 0 }), 'invalid-stride'],
    ['dilation', () => convOutputSize(5, 3, { dilation: 0.5 }), 'invalid-dilation'],
    ['padding', () => convOutputSize(5, 3, { padding: -1 }), 'invalid-padding'],
    ['paddingAfter', () => convOutputSize(5, 3, { padding: [0, Number.NaN] }), 'invalid-padding'],
  ])('rejects bad %s', (name, fn, code) => {
    expect(codeOf(fn)).toBe(code);
    expect(() => fn()).toThrow(name);
  });

  test('property: formula equals a brute-force count of window positions', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        (n, k, s, d, before, after) => {
          const brute = bruteConv(n, k, s, d, before, after);
          if (brute >= 1) {
            expect(convOutputSize(n, k, { stride: s, dilation: d, padding: [before, after] })).toBe(brute);
          } else {
            expect(codeOf(() => convSize(n, k, s, d, before, after))).toBe('output-too-small');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('poolOutputSize', () => {
  // PyTorch nn.MaxPool2d docs formula and aten/src/ATen/native/Pool.h (pooling_output_shape_pad_lr: ceil, then drop a
  // last window that starts at or past inputSize + padLeft); ceil_mode as in torchvision GoogLeNet (MaxPool2d(3, 2, ceil_mode=True)).
  test.each([
    ['ResNet maxpool 3×3/2 pad 1, 112 → 56', 112, 3, 2, 1, false, 56],
    ['VGG/LeNet maxpool 2×2/2, 224 → 112', 224, 2, 2, 0, false, 112],
    ['LeNet-5 S2 2×2/2, 28 → 14', 28, 2, 2, 0, false, 14],
    ['GoogLeNet maxpool 3×3/2 ceil, 112 → 56', 112, 3, 2, 0, true, 56],
    ['same in floor mode → 55', 112, 3, 2, 0, false, 55],
    ['GoogLeNet maxpool 3×3/2 ceil, 28 → 14', 28, 3, 2, 0, true, 14],
    ['ceil keeps a partial window: 5, 2×2/2 → 3', 5, 2, 2, 0, true, 3],
    ['ceil drops a window starting in the right padding: 3, k2/2 pad 1 → 2', 3, 2, 2, 1, true, 2],
    ['ceil drop rule on length 1, k2/2 pad 1 → 1', 1, 2, 2, 1, true, 1],
    // current ATen Pool.h applies the drop whenever ceil_mode is set (old THNN only when pad > 0, which gave 2)
    ['ceil drop rule without padding: 3, k1/3 → 1 (ATen pooling_output_shape_pad_lr)', 3, 1, 3, 0, true, 1],
  ])('PyTorch MaxPool: %s', (_name, n, k, s, p, ceilMode, expected) => {
    expect(poolOutputSize(n, k, { stride: s, padding: p, ceilMode })).toBe(expected);
  });

  test('stride defaults to the kernel size', () => {
    expect(poolOutputSize(28, 2)).toBe(14);
    expect(poolOutputSize(7, 2)).toBe(3);
    expect(poolOutputSize(7, 2, { ceilMode: true })).toBe(4);
  });

  test('padding larger than half the effective kernel is rejected with the valid range', () => {
    expect(codeOf(() => poolOutputSize(10, 3, { padding: 2 }))).toBe('pool-padding-too-large');
    expect(() => poolOutputSize(10, 3, { padding: 2 })).toThrow('valid padding is 0..1');
    // dilation 2 makes the effective kernel 5, so padding 2 is allowed
    expect(poolOutputSize(10, 3, { padding: 2, dilation: 2, stride: 1 })).toBe(10);
  });

  test('property: floor and ceil modes equal brute-force window enumeration', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (n, k, s, d, rawBefore, rawAfter, ceilMode) => {
          const maxPad = Math.floor((d * (k - 1) + 1) / 2);
          const before = rawBefore % (maxPad + 1);
          const after = rawAfter % (maxPad + 1);
          const brute = ceilMode
            ? bruteCeilPool(n, k, s, d, before, after)
            : bruteConv(n, k, s, d, before, after);
          if (brute >= 1) {
            expect(poolSize(n, k, s, d, before, after, ceilMode)).toBe(brute);
          } else {
            expect(codeOf(() => poolSize(n, k, s, d, before, after, ceilMode))).toBe('output-too-small');
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('convTransposeOutputSize', () => {
  // PyTorch nn.ConvTranspose2d docs: H_out = (H_in − 1)·stride − 2·padding + dilation·(kernel_size − 1)
  // + output_padding + 1; the docs' example upsamples 6 → 12 with k3/s2/p1 and output_size (= outputPadding 1).
  test.each([
    ['DCGAN k4/s2/p1, 4 → 8', 4, 4, 2, 1, 0, 1, 8],
    ['DCGAN first layer k4/s1/p0, 1 → 4', 1, 4, 1, 0, 0, 1, 4],
    ['PyTorch docs example k3/s2/p1 + output_padding 1, 6 → 12', 6, 3, 2, 1, 1, 1, 12],
    ['same without output_padding, 6 → 11', 6, 3, 2, 1, 0, 1, 11],
    ['dilation 2, k3, 5 → 9', 5, 3, 1, 0, 0, 2, 9],
  ])('PyTorch ConvTranspose2d: %s', (_name, n, k, s, p, op, d, expected) => {
    expect(convTransposeOutputSize(n, k, { stride: s, padding: p, outputPadding: op, dilation: d })).toBe(
      expected,
    );
  });

  test('outputPadding must be smaller than stride or dilation', () => {
    expect(codeOf(() => convTransposeOutputSize(4, 3, { stride: 2, outputPadding: 2 }))).toBe(
      'invalid-output-padding',
    );
    expect(() => convTransposeOutputSize(4, 3, { stride: 2, outputPadding: 2 })).toThrow('valid: 0..1');
    expect(convTransposeOutputSize(4, 3, { stride: 1, dilation: 3, outputPadding: 2 })).toBe(12);
    expect(codeOf(() => convTransposeOutputSize(1, 1, { padding: 1 }))).toBe('output-too-small');
    expect(codeOf(() => convTransposeOutputSize(4, 3, { padding: 'same' as 'valid' }))).toBe(
      'invalid-padding',
    );
  });

  test('property: equals scatter brute force, and convolution with the same settings maps it back', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        fc.nat(),
        (n, k, s, d, before, after, rawOp) => {
          const op = rawOp % Math.max(s, d);
          const brute = bruteTranspose(n, k, s, d, before, after, op);
          const options = { stride: s, dilation: d, padding: [before, after] as const, outputPadding: op };
          if (brute < 1) {
            expect(codeOf(() => convTransposeOutputSize(n, k, options))).toBe('output-too-small');
            return;
          }
          const out = convTransposeOutputSize(n, k, options);
          expect(out).toBe(brute);
          if (op < s) expect(convSize(out, k, s, d, before, after)).toBe(n);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('never returns 0, NaN or a negative size', () => {
  const anyNumber = fc.oneof(
    fc.integer({ min: -3, max: 12 }),
    fc.double({ min: -5, max: 12, noDefaultInfinity: false }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0, 0.5),
  );
  test('property: every call returns an integer >= 1 or throws ShapeError', () => {
    fc.assert(
      fc.property(
        anyNumber,
        anyNumber,
        anyNumber,
        anyNumber,
        anyNumber,
        anyNumber,
        anyNumber,
        fc.boolean(),
        (n, k, s, d, before, after, op, ceilMode) => {
          const calls = [
            () => convOutputSize(n, k, { stride: s, dilation: d, padding: [before, after] }),
            () => poolOutputSize(n, k, { stride: s, dilation: d, padding: [before, after], ceilMode }),
            () =>
              convTransposeOutputSize(n, k, {
                stride: s,
                dilation: d,
                padding: [before, after],
                outputPadding: op,
              }),
            () => convOutputSize(n, k, { stride: s, dilation: d, padding: 'same' }),
          ];
          for (const call of calls) {
            let result: number | undefined;
            try {
              result = call();
            } catch (error) {
              expect(error).toBeInstanceOf(ShapeError);
              continue;
            }
            expect(Number.isInteger(result)).toBe(true);
            expect(result).toBeGreaterThanOrEqual(1);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('property: every invalid argument throws ShapeError', () => {
    const bad = fc.oneof(
      fc.integer({ min: -5, max: 0 }),
      fc.double({ min: 0.01, max: 9.99 }).filter((x) => !Number.isInteger(x)),
      fc.constant(Number.NaN),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), bad, (which, value) => {
        const args = [10, 3, 1, 1];
        args[which] = value;
        const [n, k, s, d] = args;
        expect(() => convOutputSize(n, k, { stride: s, dilation: d })).toThrow(ShapeError);
        expect(() => poolOutputSize(n, k, { stride: s, dilation: d })).toThrow(ShapeError);
        expect(() => convTransposeOutputSize(n, k, { stride: s, dilation: d })).toThrow(ShapeError);
      }),
    );
  });
});

describe('options that are not an object (found by apps/fuzz)', () => {
  test.each([null, 3, 'same', [1, 1]])(
    'options %j is a ShapeError naming options, not a TypeError',
    (bad) => {
      for (const fn of [convOutputSize, poolOutputSize, convTransposeOutputSize]) {
        expect(() => fn(8, 3, bad as never)).toThrow(ShapeError);
        expect(() => fn(8, 3, bad as never)).toThrow(/options must be an object/);
      }
    },
  );
});
