/** Run-folder file helpers for the CLI (Node only). */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Writes `data` to `path` atomically: a temp file in the same folder, fsync, then rename over the target,
 * so a crash leaves either the old file or the new one, never half of one.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  let fd: number | null = openSync(tmp, 'w');
  try {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** runs/<UTC timestamp> under `cwd` (made unique with a suffix if it exists). */
export function defaultRunDir(cwd: string, now: Date): string {
  const stamp = now.toISOString().replace(/:/g, '-').replace(/\..*$/, '');
  const base = join(cwd, 'runs', stamp);
  let dir = base;
  for (let i = 2; existsSync(dir); i++) dir = `${base}-${i}`;
  return dir;
}

export function makeRunDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}
