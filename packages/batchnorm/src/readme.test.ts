// The README's example is examples/readme.ts, verbatim; this test runs it and checks what it prints.
import { afterEach, describe, expect, it, vi } from 'vitest';
import exampleSource from '../examples/readme.ts?raw';
import readme from '../README.md?raw';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is examples/readme.ts, verbatim', () => {
    expect(readme).toContain(`\`\`\`ts\n${exampleSource}\`\`\``);
  });

  it('runs: μ_B and σ²_B per channel, finite gradients, the network trains, the state dict has the buffers', async () => {
    const printed: unknown[][] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args);
    });
    await import('../examples/readme');
    // 1. μ_B and σ²_B of x = sin(i), [2, 2, 2, 3]: channel c holds sin(c), sin(c + 3), ..., sin(c + 21).
    const [, mean, , variance] = printed[0] as [string, Float64Array, string, Float64Array];
    for (let c = 0; c < 3; c++) {
      const values = Array.from({ length: 8 }, (_, k) => Math.fround(Math.sin(c + 3 * k)));
      const mu = values.reduce((a, b) => a + b, 0) / 8;
      expect(mean[c]).toBeCloseTo(mu, 12);
      expect(variance[c]).toBeCloseTo(values.reduce((a, v) => a + (v - mu) ** 2, 0) / 8, 12);
    }
    // '∂l/∂γ', dγ, '∂l/∂β', dβ, '∂l/∂σ²', dσ², 'y[0]', y[0]: the values sit at the odd positions.
    for (const value of printed[1].filter((_, k) => k % 2 === 1)) {
      const values = typeof value === 'number' ? [value] : Array.from(value as Float64Array);
      expect(values.length).toBeGreaterThan(0);
      expect(values.every(Number.isFinite)).toBe(true);
    }
    const losses = printed
      .map((args) => /^step \d+ loss (\S+)$/.exec(String(args[0])))
      .filter((m) => m !== null)
      .map((m) => Number(m[1]));
    expect(losses.length).toBe(4);
    expect(losses[3]).toBeLessThan(0.1 * losses[0]);
    expect(printed[printed.length - 1][0]).toEqual(
      expect.arrayContaining([
        '1.weight',
        '1.bias',
        '1.running_mean',
        '1.running_var',
        '1.num_batches_tracked',
      ]),
    );
  });
});
