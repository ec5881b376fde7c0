import { describe, expect, it } from 'vitest';
import { preprocessDigit } from './digit.js';

function box(out: Float32Array) {
  let x0 = 28;
  let y0 = 28;
  let x1 = -1;
  let y1 = -1;
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = out[y * 28 + x];
      if (v > 0) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  return { w: x1 - x0 + 1, h: y1 - y0 + 1, cx: cx / mass, cy: cy / mass };
}

describe('preprocessDigit (MNIST-style)', () => {
  it('scales the ink bounding box to 20 px on its longer side and centres its mass in 28×28', () => {
    // A 40×120 px vertical bar in the top-left corner of a 280×280 pad.
    const gray = new Float32Array(280 * 280);
    for (let y = 10; y < 130; y++) for (let x = 20; x < 60; x++) gray[y * 280 + x] = 1;
    const out = preprocessDigit(gray, 280, 280);
    const b = box(out);
    expect(b.h).toBe(20);
    expect(b.w).toBe(7); // 40 · 20/120 = 6.67, rounded
    expect(Math.abs(b.cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(b.cy - 14)).toBeLessThanOrEqual(0.5);
    for (const v of out) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('returns an empty image for an empty pad and checks its input size', () => {
    expect(preprocessDigit(new Float32Array(100), 10, 10).every((v) => v === 0)).toBe(true);
    expect(() => preprocessDigit(new Float32Array(99), 10, 10)).toThrow(/gray has 99 values, expected 10×10/);
  });
});
