import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRunDir, writeFileAtomic } from './files.js';

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temp file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw3-atomic-'));
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, 'old');
    writeFileAtomic(path, Uint8Array.of(1, 2, 3));
    expect(Array.from(readFileSync(path))).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('on failure keeps the old target intact and removes the temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw3-atomic-'));
    const target = join(dir, 'checkpoint');
    mkdirSync(target); // renaming a file over a non-empty directory fails
    writeFileSync(join(target, 'keep'), 'x');
    expect(() => writeFileAtomic(target, 'new')).toThrow();
    expect(readdirSync(dir)).toEqual(['checkpoint']);
    expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('x');
  });
});

describe('defaultRunDir', () => {
  it('is runs/<UTC timestamp> and never reuses an existing folder', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'hw3-runs-'));
    const now = new Date('2026-01-02T03:04:05.678Z');
    const first = defaultRunDir(cwd, now);
    expect(first).toBe(join(cwd, 'runs', '2026-01-02T03-04-05'));
    mkdirSync(first, { recursive: true });
    expect(defaultRunDir(cwd, now)).toBe(`${first}-2`);
  });
});
