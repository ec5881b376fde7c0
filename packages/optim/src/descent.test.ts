import { describe, expect, it } from 'vitest';
import { descent } from './descent';
import { OptimError } from './errors';
import { scale } from './gradient-transformation';

describe('descent arguments (found by apps/fuzz)', () => {
  it("refuses a weightDecay mode other than 'coupled' / 'decoupled' and a group that is not an object", () => {
    const group = { lr: 0.1, weightDecay: 0.01, maximize: false };
    expect(() => descent(group, scale(1), Number.NaN as never)).toThrow(
      /descent: weightDecay = NaN is invalid/,
    );
    expect(() => descent(group, scale(1), 'decupled' as never)).toThrow(OptimError);
    expect(() => descent(null as never, scale(1))).toThrow(/descent: group must be an object/);
  });
  it('coupled and decoupled decay in PyTorch order: u = −lr·(rule(g + wd·p)) vs −lr·(rule(g) + wd·p)', () => {
    const group = { lr: 0.5, weightDecay: 0.1, maximize: false };
    for (const mode of ['coupled', 'decoupled'] as const) {
      const tf = descent(group, scale(2), mode);
      const p = Float64Array.from([1]);
      const u = Float64Array.from([3]);
      tf.update([u], tf.init([p]), [p]);
      expect(u[0]).toBeCloseTo(mode === 'coupled' ? -0.5 * 2 * (3 + 0.1) : -0.5 * (2 * 3 + 0.1), 14);
    }
  });
});
