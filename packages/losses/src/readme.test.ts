// The README's example is examples/readme.ts, verbatim; this test runs it and checks every printed line
// against its `// value` comment and against an independent computation.
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

  it('prints what its comments say, and the comments are right', async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.map((a) => (Array.isArray(a) ? `[ ${a.join(', ')} ]` : String(a))).join(' '));
    });
    await import('../examples/readme');
    const comments = [...exampleSource.matchAll(/console\.log\(.*\/\/ (.*)$/gm)].map((m) => m[1]);
    expect(printed).toEqual([comments[0], comments[1], comments[2].split('  =')[0], comments[3]]);

    // Independent: PyTorch's smoothed cross-entropy and its gradient (softmax − q) / N, computed here.
    const rows = [
      [2, 1, 0.1],
      [0.5, 2.5, -1],
    ];
    const targets = [0, 1];
    let loss = 0;
    const grad: string[] = [];
    rows.forEach((row, i) => {
      const f32 = row.map(Math.fround);
      const total = f32.reduce((a, v) => a + Math.exp(v), 0);
      for (let c = 0; c < 3; c++) {
        const p = Math.exp(f32[c]) / total;
        const q = 0.9 * (c === targets[i] ? 1 : 0) + 0.1 / 3;
        loss -= (q * Math.log(p)) / 2;
        grad.push(((p - q) / 2).toFixed(4));
      }
    });
    expect(printed[0]).toBe(loss.toFixed(4));
    expect(printed[1]).toBe(grad.join(' '));
  });
});
