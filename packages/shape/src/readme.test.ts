import { expect, test } from 'vitest';
import readme from '../README.md?raw';
import * as shape from './index.js';
import * as summary from './subpaths/summary.js';

function codeBlocks(language: string): string[] {
  const blocks: string[] = [];
  const fence = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g');
  for (const match of readme.matchAll(fence)) blocks.push(match[1]);
  return blocks;
}

test('README: the first example runs and prints what its comments say', () => {
  const example = codeBlocks('ts')[0];
  expect(example).toContain('conv2dShape([8, 32, 24, 3]');
  // the block's imports: from the root and from the summary subpath
  const entries: Record<string, Record<string, unknown>> = {
    '@hw3/shape': shape,
    '@hw3/shape/summary': summary,
  };
  const importLines = [...example.matchAll(/^import \{([^}]*)\} from '(@hw3\/shape(?:\/summary)?)';\n/gm)];
  expect(importLines.map((m) => m[2])).toEqual(['@hw3/shape', '@hw3/shape/summary']);
  const api: Record<string, unknown> = {};
  for (const m of importLines) for (const n of m[1].split(',')) api[n.trim()] = entries[m[2]][n.trim()];
  const names = Object.keys(api);
  const body = example.slice(importLines.reduce((end, m) => Math.max(end, (m.index ?? 0) + m[0].length), 0));
  const printed: string[] = [];
  const log = (value: unknown) => printed.push(JSON.stringify(value).replaceAll(',', ', '));
  new Function('console', ...names, body)({ log }, ...names.map((n) => api[n]));
  const expected = [...body.matchAll(/^\/\/ → (\S+(?:, \S+)*?)(?:\s{2,}.*)?$/gm)].map((m) => m[1].trim());
  expect(expected).toHaveLength(4);
  expect(printed).toEqual(expected);
});

test('README: the summary block equals formatSummary output', () => {
  const table = codeBlocks('text')[0];
  expect(table.trimEnd()).toBe(summary.formatSummary(summary.summarizeNetwork(summary.mnistCnnBn)));
});

test('README: the example error message is the real one', () => {
  const block = readme.match(/Example message:\n\n```\n([\s\S]*?)```/);
  expect(block).not.toBeNull();
  let message = '';
  try {
    shape.conv2dShape([1, 28, 2, 3], { kernelSize: 5, outChannels: 8 });
  } catch (error) {
    message = (error as Error).message;
  }
  expect(block![1].replace(/\s+/g, ' ').trim()).toBe(message);
});

test('VERSION equals package.json version', async () => {
  const pkg = JSON.parse((await import('../package.json?raw')).default) as { version: string };
  expect(shape.VERSION).toBe(pkg.version);
});
