import { expect, test } from 'vitest';
import readme from '../README.md?raw';
import * as shape from './index.js';

function codeBlocks(language: string): string[] {
  const blocks: string[] = [];
  const fence = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g');
  for (const match of readme.matchAll(fence)) blocks.push(match[1]);
  return blocks;
}

test('README: the first example runs and prints what its comments say', () => {
  const example = codeBlocks('ts')[0];
  expect(example).toContain('conv2dShape([8, 32, 24, 3]');
  const importLine = example.match(/^import \{([^}]*)\} from '@hw3\/shape';\n/);
  expect(importLine).not.toBeNull();
  const names = importLine![1].split(',').map((n) => n.trim());
  const body = example.slice(importLine![0].length);
  const printed: string[] = [];
  const log = (value: unknown) => printed.push(JSON.stringify(value).replaceAll(',', ', '));
  const api = shape as unknown as Record<string, unknown>;
  new Function('console', ...names, body)({ log }, ...names.map((n) => api[n]));
  const expected = [...body.matchAll(/^\/\/ → (\S+(?:, \S+)*?)(?:\s{2,}.*)?$/gm)].map((m) => m[1].trim());
  expect(expected).toHaveLength(4);
  expect(printed).toEqual(expected);
});

test('README: the summary block equals formatSummary output', () => {
  const table = codeBlocks('text')[0];
  expect(table.trimEnd()).toBe(shape.formatSummary(shape.summarizeNetwork(shape.mnistCnnBn)));
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
