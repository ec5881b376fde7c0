import { expect, test } from 'vitest';
import readme from '../README.md?raw';
import * as core from './index';
import * as safetensors from './subpaths/safetensors';

/** The ```ts blocks of the README that print results (`// → value` lines after console.log calls). */
function runnableBlocks(): string[] {
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => b.includes('// →'));
}

function run(block: string): { printed: string[]; expected: string[] } {
  // the block's leading imports, from the root or a subpath
  const entries: Record<string, Record<string, unknown>> = {
    '@hw3/core': core,
    '@hw3/core/safetensors': safetensors,
  };
  const importLines = [...block.matchAll(/^import \{([^}]*)\} from '(@hw3\/core(?:\/\w+)?)';\n/gm)];
  expect(importLines.length).toBeGreaterThan(0);
  const api: Record<string, unknown> = {};
  for (const m of importLines) {
    const entry = entries[m[2]];
    expect(entry, `README imports from ${m[2]}`).toBeDefined();
    for (const n of m[1].split(',').map((x) => x.trim())) if (n !== '') api[n] = entry[n];
  }
  const names = Object.keys(api);
  const body = block.slice(importLines.reduce((end, m) => Math.max(end, (m.index ?? 0) + m[0].length), 0));
  const printed: string[] = [];
  const log = (value: unknown) => printed.push(JSON.stringify(value));
  for (const n of names) expect(api[n], `README imports ${n}`).toBeDefined();
  new Function('console', ...names, body)({ log }, ...names.map((n) => api[n]));
  const expected = [...body.matchAll(/^\/\/ → (.*)$/gm)].map((m) => m[1].trim());
  return { printed, expected };
}

test('README: every runnable example runs and prints what its comments say', () => {
  const blocks = runnableBlocks();
  expect(blocks.length).toBe(5);
  for (const block of blocks) {
    const { printed, expected } = run(block);
    expect(expected.length).toBeGreaterThan(0);
    expect(printed).toEqual(expected);
  }
});

test('README: the export list names every runtime export of the package root', () => {
  const section = readme.slice(
    readme.indexOf('## All exports'),
    readme.indexOf('## Differences from PyTorch'),
  );
  expect(section.length).toBeGreaterThan(100);
  const missing = Object.keys(core).filter((name) => !new RegExp(`\\b${name}\\b`).test(section));
  expect(missing).toEqual([]);
});
