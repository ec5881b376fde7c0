import { expect, test } from 'vitest';
import readme from '../README.md?raw';
import * as core from './index';

/** The ```ts blocks of the README that print results (`// → value` lines after console.log calls). */
function runnableBlocks(): string[] {
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => b.includes('// →'));
}

function run(block: string): { printed: string[]; expected: string[] } {
  const importLine = block.match(/^import \{([^}]*)\} from '@hw3\/core';\n/);
  expect(importLine).not.toBeNull();
  const names = (importLine as RegExpMatchArray)[1]
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const body = block.slice((importLine as RegExpMatchArray)[0].length);
  const printed: string[] = [];
  const log = (value: unknown) => printed.push(JSON.stringify(value));
  const api = core as unknown as Record<string, unknown>;
  for (const n of names) expect(api[n], `README imports ${n}`).toBeDefined();
  new Function('console', ...names, body)({ log }, ...names.map((n) => api[n]));
  const expected = [...body.matchAll(/^\/\/ → (.*)$/gm)].map((m) => m[1].trim());
  return { printed, expected };
}

test('README: every runnable example runs and prints what its comments say', () => {
  const blocks = runnableBlocks();
  expect(blocks.length).toBe(4);
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
