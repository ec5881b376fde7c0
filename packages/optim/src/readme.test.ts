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
    expect(result.weights.map((x: number) => Number(x.toFixed(2)))).toEqual([3, -1, 2]);
    expect(result.stepCount).toBe(500);
  });

  it('transformations.ts drives w towards 0', async () => {
    const { result } = await import('../examples/transformations');
    for (const x of result.weights) expect(Math.abs(x)).toBeLessThan(0.2);
  });
});

describe('VERSION', () => {
  it('equals package.json version', async () => {
    const { VERSION } = await import('./index');
    const pkg = JSON.parse((await import('../package.json?raw')).default) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
