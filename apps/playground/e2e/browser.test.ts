/**
 * End-to-end: builds the page with Vite, serves dist/ from a local static server, drives headless Chromium
 * with playwright-core: loads the page, trains in the worker until the chart updates and held-out accuracy
 * is well above chance, draws a digit, reads the prediction and saves a screenshot to test-results/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '@hw3/core';
import { loadSafetensors, loadTorchSafetensors } from '@hw3/core/safetensors';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMnistCnnBn } from '../src/train/model.js';
import { findChromium, launchOptions } from './find-chromium.js';
import { serveStatic } from './static-server.js';

const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

let server: Awaited<ReturnType<typeof serveStatic>> | null = null;
/** The same files without the COOP/COEP headers: the page must fall back to one thread. */
let plainServer: Awaited<ReturnType<typeof serveStatic>> | null = null;
/** The first ten losses of the two-thread run, compared bitwise with the one-thread run. */
let twoThreadLosses: number[] = [];
let context: BrowserContext | null = null;
let profile: string | null = null;

/** Builds the page with Vite in a child process (async, so the bundled browser can unpack meanwhile). */
function buildPage(): Promise<void> {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: appRoot });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build failed:\n${output}`)),
    );
  });
}

beforeAll(async () => {
  // A system Chromium when there is one, else the one shipped in the @sparticuz/chromium devDependency;
  // throws (never skips) with how to get one when neither is there. HW3_CHROMIUM overrides, see find-chromium.ts.
  const [browser] = await Promise.all([findChromium(), buildPage()]);
  const libs = browser.env === undefined ? '' : ` (LD_LIBRARY_PATH=${browser.env.LD_LIBRARY_PATH})`;
  console.log(`browser test: ${browser.source} Chromium ${browser.executablePath}${libs}`);
  server = await serveStatic(join(appRoot, 'dist'), { isolated: true });
  plainServer = await serveStatic(join(appRoot, 'dist'));
  profile = mkdtempSync(join(tmpdir(), 'hw3-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    ...launchOptions(browser),
    viewport: { width: 1200, height: 900 },
  });
}, 240_000); // the Vite build takes minutes when the machine is loaded

afterAll(async () => {
  await context?.close();
  await server?.close();
  await plainServer?.close();
  if (profile !== null) rmSync(profile, { recursive: true, force: true });
});

describe('playground page in headless Chromium', () => {
  it('trains in a worker, charts progress, predicts a drawn digit', async () => {
    const page = await context!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(server!.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    // Served with COOP/COEP: cross-origin isolated, so the worker runs the kernels on two threads.
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => document.body.dataset.threads)).toBe('2');
    expect(await page.textContent('#stat-threads')).toBe('threads: 2');
    // Static parts: the summary from @hw3/shape and the batch-norm check (six rows, all passing).
    expect(await page.textContent('#summary')).toContain('9,146');
    expect(await page.locator('#bn-table tr.ok').count()).toBe(6);
    expect(await page.textContent('#shape-result')).toBe('[64, 28, 28, 8]');
    // The link to the API reference (dist/api/: TypeDoc's pages, or how to build them) is not dead.
    expect(await page.getAttribute('#api-reference', 'href')).toBe('./api/');
    const api = await fetch(new URL('api/', server!.url));
    expect(api.status).toBe(200);
    expect(await api.text()).toMatch(/hw3/);

    await page.click('#start');
    await page.waitForFunction(() => Number(document.body.dataset.chartPoints ?? 0) >= 5, null, {
      timeout: 30_000,
    });
    const pointsBefore = Number(await page.evaluate(() => document.body.dataset.chartPoints));
    await page.waitForFunction(
      () => JSON.parse(document.body.dataset.firstLosses ?? '[]').length >= 10,
      null,
      {
        timeout: 30_000,
      },
    );
    twoThreadLosses = JSON.parse((await page.evaluate(() => document.body.dataset.firstLosses))!);
    // Chance is 10%; wait until the held-out accuracy (500 digits, every 20 steps) is far above it.
    await page.waitForFunction(() => Number(document.body.dataset.heldOutAccuracy ?? 0) > 0.6, null, {
      timeout: 75_000,
    });
    const pointsAfter = Number(await page.evaluate(() => document.body.dataset.chartPoints));
    expect(pointsAfter).toBeGreaterThan(pointsBefore);
    const accuracy = Number(await page.evaluate(() => document.body.dataset.heldOutAccuracy));
    console.log(`browser, 2 threads: ${await page.textContent('#stat-speed')} samples/s`);
    expect(accuracy).toBeGreaterThan(0.6);
    expect(await page.locator('#loss-chart canvas').count()).toBeGreaterThan(0);
    await page.click('#pause');
    await page.waitForSelector('#start:not([disabled])');

    // Draw a "1": one vertical stroke in the middle of the pad.
    const box = (await page.locator('#pad').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) {
      await page.mouse.move(box.x + box.width * (0.5 - 0.002 * i), box.y + box.height * (0.15 + 0.035 * i));
    }
    await page.mouse.up();
    await page.waitForFunction(() => document.body.dataset.prediction !== undefined, null, {
      timeout: 10_000,
    });
    const prediction = await page.textContent('#prediction');
    expect(prediction).toMatch(/^\d \(\d+\.\d%\)$/);
    expect(await page.locator('#probs .bar').count()).toBe(10);

    // "PyTorch weights" downloads a PyTorch-layout safetensors file of the trained model.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-torch')]);
    expect(download.suggestedFilename()).toMatch(/^mnist-cnn-bn-step\d+\.safetensors$/);
    const weights = new Uint8Array(readFileSync((await download.path())!));
    const tensors = loadSafetensors(weights, { allowInt64: true }).tensors;
    expect(tensors['0.weight'].shape).toEqual([8, 1, 3, 3]); // OIHW
    expect(tensors['1.num_batches_tracked'].data[0]).toBeGreaterThan(0);
    expect(
      loadTorchSafetensors(createMnistCnnBn(new Rng(1)), weights, { inputShape: [1, 28, 28, 1] }),
    ).toEqual({
      missingKeys: [],
      unexpectedKeys: [],
    });

    // The optimizer race (training is paused): AdaGrad and Adam(β1=0, β2=1, η0/√t) coincide.
    await page.fill('#race-steps', '15');
    await page.click('#race-start');
    await page.waitForFunction(() => document.body.dataset.raceMaxGap !== undefined, null, {
      timeout: 60_000,
    });
    const maxGap = Number(await page.evaluate(() => document.body.dataset.raceMaxGap));
    expect(maxGap).toBeLessThan(1e-12); // float64
    expect(await page.textContent('#race-status')).toContain('coincide');

    mkdirSync(join(appRoot, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(appRoot, 'test-results', 'playground.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 110_000);

  it('without the COOP/COEP headers: one thread, still trains, the same loss bits as on two threads', async () => {
    const page = await context!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(plainServer!.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await page.evaluate(() => document.body.dataset.threads)).toBe('1');
    expect(await page.textContent('#stat-threads')).toBe('threads: 1');
    expect(await page.getAttribute('#stat-threads', 'title')).toContain('not cross-origin isolated');
    await page.click('#start');
    await page.waitForFunction(
      () => JSON.parse(document.body.dataset.firstLosses ?? '[]').length >= 10,
      null,
      {
        timeout: 30_000,
      },
    );
    // Same seed and settings as the two-thread run above: bitwise the same first ten losses.
    const oneThreadLosses: number[] = JSON.parse(
      (await page.evaluate(() => document.body.dataset.firstLosses))!,
    );
    expect(twoThreadLosses.length).toBe(10);
    expect(oneThreadLosses).toEqual(twoThreadLosses);
    for (let i = 0; i < 10; i++) expect(Object.is(oneThreadLosses[i], twoThreadLosses[i])).toBe(true);
    await page.waitForFunction(() => Number(document.body.dataset.chartPoints ?? 0) >= 40, null, {
      timeout: 30_000,
    });
    console.log(`browser, 1 thread: ${await page.textContent('#stat-speed')} samples/s`);
    await page.click('#pause');
    expect(errors).toEqual([]);
  }, 60_000);
});
