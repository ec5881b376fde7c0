import { describe, expect, it } from 'vitest';
import { batchNormGradCheck } from './bn-check.js';

describe('batch-norm gradient check view', () => {
  it('the six handout gradients match central finite differences', () => {
    const rows = batchNormGradCheck(8, 3, 1);
    expect(rows.map((r) => r.name)).toEqual(['∂l/∂x̂ᵢ', '∂l/∂σ²_B', '∂l/∂μ_B', '∂l/∂xᵢ', '∂l/∂γ', '∂l/∂β']);
    for (const r of rows) {
      expect(r.analytic.length).toBe(r.numeric.length);
      expect(r.maxRelError, r.name).toBeLessThan(1e-5);
      expect(
        r.analytic.some((v) => v !== 0),
        r.name,
      ).toBe(true);
    }
  });
});
