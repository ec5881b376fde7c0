import { describe, expect, it } from 'vitest';
import type { Conv2dGeometry } from './kernels';
import { sameConv3x3 } from './test-helpers';
import { tsKernels } from './ts-kernels';
import { SLOT_COLUMNS, scratch32, scratch64, scratchLike, workspaceBytes } from './workspace';

describe('kernel workspace', () => {
  it('grows to the requested size, then hands back the same buffer (no allocation per call)', () => {
    const a = scratch64(SLOT_COLUMNS, 1000);
    expect(a.length).toBeGreaterThanOrEqual(1000);
    expect(scratch64(SLOT_COLUMNS, 10)).toBe(a);
    expect(scratch64(SLOT_COLUMNS, a.length)).toBe(a);
    const bigger = scratch64(SLOT_COLUMNS, a.length + 1);
    expect(bigger).not.toBe(a);
    expect(bigger.length).toBeGreaterThan(a.length);
  });

  it('gives scratch of the element type asked for', () => {
    expect(scratch32(SLOT_COLUMNS, 5)).toBeInstanceOf(Float32Array);
    expect(scratchLike(new Float32Array(1), SLOT_COLUMNS, 5)).toBeInstanceOf(Float32Array);
    expect(scratchLike(new Float64Array(1), SLOT_COLUMNS, 5)).toBeInstanceOf(Float64Array);
  });

  it('conv2d and gemm stop growing the workspace after the first call of a given size', () => {
    const g: Conv2dGeometry = sameConv3x3(4, 12, 3, 5);
    const x = new Float32Array(4 * 12 * 12 * 3).fill(0.5);
    const w = new Float32Array(5 * 9 * 3).fill(0.25);
    const out = new Float32Array(4 * 12 * 12 * 5);
    const dx = new Float32Array(x.length);
    const dw = new Float32Array(w.length);
    const a = new Float32Array(300 * 300).fill(1);
    const c = new Float32Array(300 * 300);
    const step = () => {
      tsKernels.conv2dForward(g, x, w, null, out);
      tsKernels.conv2dBackwardInput(g, out, w, dx);
      tsKernels.conv2dBackwardWeight(g, x, out, dw);
      tsKernels.gemm(false, true, 300, 300, 300, a, 0, 300, a, 0, 300, c, 0, 300, false);
    };
    step();
    const after = workspaceBytes();
    for (let i = 0; i < 3; i++) step();
    expect(workspaceBytes()).toBe(after);
  });
});
