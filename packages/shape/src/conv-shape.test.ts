import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { conv1dShape, conv2dShape, conv3dShape, convGeometry, convShape } from './conv-shape.js';
import { convTranspose2dShape, convTransposeShape } from './conv-transpose-shape.js';
import { pool2dShape, poolShape } from './pool-shape.js';
import { errorOf } from './test-utils.js';

describe('conv2dShape', () => {
  test("handout: (B, W, H, C_in) → (B, W', H', C_out) with W' = floor((W + 2·p1 − k1)/s1 + 1), H' likewise", () => {
    // Conv2D(3, 16, kernel_size=(5, 3), stride=(2, 1), padding=(1, 0)) on (8, 32, 24, 3)
    // W' = floor((32 + 2 − 5)/2 + 1) = 15, H' = floor((24 + 0 − 3)/1 + 1) = 22
    expect(
      conv2dShape([8, 32, 24, 3], { kernelSize: [5, 3], stride: [2, 1], padding: [1, 0], outChannels: 16 }),
    ).toEqual([8, 15, 22, 16]);
  });

  test("handout formula over a grid: W' and H' from (k1, k2), (s1, s2), (p1, p2) in shape order", () => {
    fc.assert(
      fc.property(
        fc.record({
          b: fc.integer({ min: 1, max: 4 }),
          w: fc.integer({ min: 1, max: 40 }),
          h: fc.integer({ min: 1, max: 40 }),
          cIn: fc.integer({ min: 1, max: 8 }),
          cOut: fc.integer({ min: 1, max: 8 }),
          k1: fc.integer({ min: 1, max: 7 }),
          k2: fc.integer({ min: 1, max: 7 }),
          s1: fc.integer({ min: 1, max: 4 }),
          s2: fc.integer({ min: 1, max: 4 }),
          p1: fc.integer({ min: 0, max: 3 }),
          p2: fc.integer({ min: 0, max: 3 }),
        }),
        ({ b, w, h, cIn, cOut, k1, k2, s1, s2, p1, p2 }) => {
          const wOut = Math.floor((w + 2 * p1 - k1) / s1 + 1);
          const hOut = Math.floor((h + 2 * p2 - k2) / s2 + 1);
          const options = { kernelSize: [k1, k2], stride: [s1, s2], padding: [p1, p2], outChannels: cOut };
          if (wOut >= 1 && hOut >= 1) {
            expect(conv2dShape([b, w, h, cIn], options)).toEqual([b, wOut, hOut, cOut]);
          } else {
            const e = errorOf(() => conv2dShape([b, w, h, cIn], options));
            expect(e.code).toBe('output-too-small');
            expect(e.dimension).toBe(wOut < 1 ? 1 : 2);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('channels-first gives the PyTorch NCHW shape (ResNet stem)', () => {
    expect(
      conv2dShape([1, 3, 224, 224], {
        kernelSize: 7,
        stride: 2,
        padding: 3,
        outChannels: 64,
        layout: 'channels-first',
      }),
    ).toEqual([1, 64, 112, 112]);
    expect(
      poolShape([1, 64, 112, 112], { kernelSize: 3, stride: 2, padding: 1, layout: 'channels-first' }),
    ).toEqual([1, 64, 56, 56]);
  });

  test("TensorFlow 'same' with stride 2 (Keras Conv2D(64, 7, strides=2, padding='same') on 224×224×3)", () => {
    const g = convGeometry([2, 224, 224, 3], { kernelSize: 7, stride: 2, padding: 'same', outChannels: 64 });
    expect(g.outputShape).toEqual([2, 112, 112, 64]);
    expect(g.padding).toEqual([
      [2, 3],
      [2, 3],
    ]);
  });

  test('groups and depthwise convolution', () => {
    expect(conv2dShape([1, 10, 10, 32], { kernelSize: 3, padding: 1, outChannels: 32, groups: 32 })).toEqual([
      1, 10, 10, 32,
    ]);
    expect(conv2dShape([1, 10, 10, 32], { kernelSize: 3, outChannels: 64, groups: 32 })).toEqual([
      1, 8, 8, 64,
    ]);
    const e = errorOf(() => conv2dShape([1, 10, 10, 6], { kernelSize: 3, outChannels: 8, groups: 4 }));
    expect(e.code).toBe('invalid-groups');
    expect(e.message).toContain('1, 2');
    expect(
      errorOf(() => conv2dShape([1, 10, 10, 6], { kernelSize: 3, outChannels: 8, groups: 0 })).code,
    ).toBe('invalid-groups');
  });

  test('rank, channel and tuple-length errors', () => {
    const rank = errorOf(() => conv2dShape([28, 28, 1], { kernelSize: 3, outChannels: 8 }));
    expect(rank.code).toBe('rank-mismatch');
    expect(rank.message).toContain('rank 4');
    expect(
      errorOf(() => conv2dShape([1, 28, 28, 3], { kernelSize: 3, outChannels: 8, inChannels: 1 })).code,
    ).toBe('channel-mismatch');
    expect(errorOf(() => conv2dShape([1, 28, 28, 3], { kernelSize: [3, 3, 3], outChannels: 8 })).code).toBe(
      'rank-mismatch',
    );
    expect(errorOf(() => conv2dShape([1, 0, 28, 3], { kernelSize: 3, outChannels: 8 })).code).toBe(
      'invalid-size',
    );
    const stride = errorOf(() =>
      conv2dShape([1, 28, 28, 3], { kernelSize: 3, outChannels: 8, stride: [1, 0] }),
    );
    expect(stride.code).toBe('invalid-stride');
    expect(stride.dimension).toBe(2);
  });

  test('output < 1 names the dimension in the full shape', () => {
    const e = errorOf(() => conv2dShape([1, 28, 2, 3], { kernelSize: 5, outChannels: 8 }));
    expect(e.code).toBe('output-too-small');
    expect(e.dimension).toBe(2);
    expect(e.message).toMatch(/^dimension 2: /);
    const first = errorOf(() =>
      conv2dShape([1, 3, 2, 28], { kernelSize: 5, outChannels: 8, layout: 'channels-first' }),
    );
    expect(first.dimension).toBe(2);
  });
});

describe('1-d and 3-d convolution', () => {
  test('conv1d (WaveNet-like dilated causal padding [2, 0])', () => {
    expect(
      conv1dShape([4, 100, 16], { kernelSize: 2, dilation: 2, padding: [[2, 0]], outChannels: 32 }),
    ).toEqual([4, 100, 32]);
    expect(errorOf(() => conv1dShape([4, 100, 100, 16], { kernelSize: 2, outChannels: 32 })).code).toBe(
      'rank-mismatch',
    );
  });

  test('conv3d (C3D conv 3×3×3 pad 1, then stride (1, 2, 2))', () => {
    expect(conv3dShape([1, 16, 112, 112, 3], { kernelSize: 3, padding: 1, outChannels: 64 })).toEqual([
      1, 16, 112, 112, 64,
    ]);
    expect(
      conv3dShape([1, 3, 16, 112, 112], {
        kernelSize: [1, 3, 3],
        stride: [1, 2, 2],
        padding: [0, 1, 1],
        outChannels: 8,
        layout: 'channels-first',
      }),
    ).toEqual([1, 8, 16, 56, 56]);
    expect(convShape([2, 9, 9, 9, 4], { kernelSize: 3, outChannels: 2 })).toEqual([2, 7, 7, 7, 2]);
  });
});

describe('pooling and transposed convolution shapes', () => {
  test('pool2d with ceil mode per dimension', () => {
    expect(pool2dShape([1, 112, 111, 64], { kernelSize: 3, stride: 2, ceilMode: true })).toEqual([
      1, 56, 55, 64,
    ]);
    expect(errorOf(() => pool2dShape([1, 8, 8, 1], { kernelSize: 2, padding: [0, 2] })).code).toBe(
      'pool-padding-too-large',
    );
  });

  test('transposed convolution (DCGAN generator, PyTorch docs formula)', () => {
    expect(
      convTranspose2dShape([64, 4, 4, 512], { kernelSize: 4, stride: 2, padding: 1, outChannels: 256 }),
    ).toEqual([64, 8, 8, 256]);
    expect(
      convTransposeShape([1, 16, 6, 6], {
        kernelSize: 3,
        stride: 2,
        padding: 1,
        outputPadding: 1,
        outChannels: 16,
        layout: 'channels-first',
      }),
    ).toEqual([1, 16, 12, 12]);
    expect(
      errorOf(() =>
        convTranspose2dShape([1, 4, 4, 8], { kernelSize: 3, outChannels: 4, padding: 'same' as 'valid' }),
      ).code,
    ).toBe('invalid-padding');
    expect(
      errorOf(() =>
        convTranspose2dShape([1, 4, 4, 8], { kernelSize: 3, outChannels: 4, outputPadding: [0, 1] }),
      ).code,
    ).toBe('invalid-output-padding');
  });
});
