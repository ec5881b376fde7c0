// The README's examples are the files in examples/, verbatim; this test runs them.
import { describe, expect, it } from 'vitest';
import quadraticSource from '../examples/quadratic.ts?raw';
import transformationsSource from '../examples/transformations.ts?raw';
import readme from '../README.md?raw';

describe('README examples', () => {
  it('are the files in examples/, verbatim', () => {
    expect(readme).toContain(quadraticSource.trim());
    expect(readme).toContain(transformationsSource.trim());
  });

  it('quadratic.ts converges to c = [3, −1, 2] and its checkpoint restores', async () => {
    const { result } = await import('../examples/quadratic');
    // what the example's console.log comment says it prints
    expect(quadraticSource).toContain("// [ '3.000', '-1.000', '2.000' ]");
    expect(result.weights.map((x: number) => x.toFixed(3))).toEqual(['3.000', '-1.000', '2.000']);
    expect(result.stepCount).toBe(500);
  });

  it('transformations.ts drives w to the minimum 0', async () => {
    const { result } = await import('../examples/transformations');
    for (const x of result.weights) expect(Math.abs(x)).toBeLessThan(1e-6);
  });
});

describe('VERSION', () => {
  it('equals package.json version', async () => {
    const { VERSION } = await import('./index');
    const pkg = JSON.parse((await import('../package.json?raw')).default) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
