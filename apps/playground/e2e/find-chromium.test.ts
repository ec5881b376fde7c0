import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  bundledChromium,
  findChromium,
  findSystemChromium,
  HOW_TO_GET_ONE,
  launchOptions,
} from './find-chromium.js';
import { serveStatic } from './static-server.js';

const scratch = mkdtempSync(join(tmpdir(), 'hw3-find-chromium-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('findSystemChromium', () => {
  it('skips what is not a real executable file (a folder, a non-executable file, /dev/null)', () => {
    const a = join(scratch, 'a');
    const b = join(scratch, 'b');
    mkdirSync(join(a, 'chromium'), { recursive: true });
    mkdirSync(b);
    writeFileSync(join(b, 'chromium'), '#!/bin/sh\n');
    expect(findSystemChromium([a, b, '/dev'].join(delimiter))).toBeNull();
    // /dev/null itself is executable by nobody, but a bind mount of it over a binary keeps the binary's mode bits.
    const c = join(scratch, 'c');
    mkdirSync(c);
    writeFileSync(join(c, 'google-chrome'), '#!/bin/sh\n');
    chmodSync(join(c, 'google-chrome'), 0o755);
    chmodSync(join(b, 'chromium'), 0o755);
    expect(findSystemChromium([a, c, b].join(delimiter))).toBe(join(b, 'chromium')); // names in order of preference
  });
});

describe('findChromium', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('HW3_CHROMIUM=system with no Chromium on PATH fails, saying how to get one (never a silent skip)', async () => {
    vi.stubEnv('PATH', scratch);
    await expect(findChromium('system')).rejects.toThrow(`no Chromium is on PATH. ${HOW_TO_GET_ONE}`);
  });

  it('rejects an HW3_CHROMIUM that is not an executable file, saying how to get a browser', async () => {
    await expect(findChromium(join(scratch, 'nope'))).rejects.toThrow(
      `is not an executable file. ${HOW_TO_GET_ONE}`,
    );
  });

  it('takes an executable HW3_CHROMIUM as it is', async () => {
    const fake = join(scratch, 'my-chrome');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    expect(await findChromium(fake)).toEqual({
      executablePath: fake,
      source: 'HW3_CHROMIUM',
      env: undefined,
    });
  });
});

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('bundledChromium', () => {
  it('unpacks the Chromium shipped in @sparticuz/chromium into a cache once, and it starts', async () => {
    const first = await bundledChromium();
    expect(first).not.toBeNull();
    expect(first!.executablePath).toMatch(
      /node_modules[/\\]\.cache[/\\]hw3-chromium[/\\][\d.]+[/\\]chromium$/,
    );
    const again = await bundledChromium();
    expect(again).toEqual(first);
    const run = spawnSync(first!.executablePath, ['--version'], {
      encoding: 'utf8',
      env: { ...process.env, ...first!.env },
      timeout: 30_000,
    });
    expect(run.stdout).toMatch(/^Chromium \d+\./);
  }, 60_000);
});

// Where a system Chromium is installed the e2e test drives that one; this keeps the fresh-machine path (the
// bundled browser) proven on every run too, cheaply: what the playground page needs, in a tiny isolated page.
describe.runIf(process.platform === 'linux' && process.arch === 'x64')('the bundled Chromium', () => {
  it('runs headless with the e2e options: en-US Intl, cross-origin isolation, SharedArrayBuffer, workers, wasm SIMD', async () => {
    const root = join(scratch, 'site');
    mkdirSync(root);
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>smoke</title><p>hw3</p>');
    writeFileSync(join(root, 'worker.js'), 'onmessage = (e) => postMessage(e.data * 2);');
    const server = await serveStatic(root, { isolated: true });
    const bundled = (await bundledChromium())!;
    const browser = await chromium.launch(launchOptions(bundled));
    try {
      const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
      await page.goto(server.url);
      const facts = await page.evaluate(async () => {
        const worker = new Worker('worker.js');
        const doubled = await new Promise((resolve) => {
          worker.onmessage = (e) => resolve(e.data);
          worker.postMessage(21);
        });
        worker.terminate();
        // (module (func (result v128) (v128.const i32x4 0 0 0 0))): validates only with SIMD128.
        const simd = new Uint8Array([
          0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0,
          0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
        ]);
        return {
          number: (9146).toLocaleString(),
          isolated: crossOriginIsolated,
          sab: typeof SharedArrayBuffer,
          doubled,
          simd: WebAssembly.validate(simd),
        };
      });
      expect(facts).toEqual({ number: '9,146', isolated: true, sab: 'function', doubled: 42, simd: true });
    } finally {
      await browser.close();
      await server.close();
    }
  }, 60_000);
});
