/** Node side of the data: makes the binary cache once (in a child process) and reads it. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMnistBinary, type MnistData } from './mnist-data.js';

/** The folder of @hw3/playground's package.json, found from this module (source or bundled CLI). */
function findAppRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dir !== parse(dir).root) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === '@hw3/playground') return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the @hw3/playground package folder above ${fileURLToPath(import.meta.url)}`);
}

const appRoot = findAppRoot();
/** Gitignored; Vite copies public/ into dist/, so the web page loads the same file as ./data/mnist-10k.bin. */
export const MNIST_CACHE_PATH = join(appRoot, 'public', 'data', 'mnist-10k.bin');
export const CONVERT_SCRIPT = join(appRoot, 'scripts', 'convert-mnist.mjs');

/**
 * Returns the path of the binary cache, creating it first if missing. The conversion parses the
 * 21 MB JSON of the `mnist` package, so it runs in a child process: the caller's memory stays small.
 */
export function ensureMnistCache(path: string = MNIST_CACHE_PATH): string {
  if (existsSync(path)) return path;
  const result = spawnSync(process.execPath, [CONVERT_SCRIPT, path], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0 || !existsSync(path)) {
    throw new Error(
      `could not build the MNIST cache ${path} (node ${CONVERT_SCRIPT} exited with ${result.status ?? result.signal})`,
    );
  }
  return path;
}

export function loadMnist(path: string = MNIST_CACHE_PATH): MnistData {
  const bytes = readFileSync(ensureMnistCache(path));
  return decodeMnistBinary(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
