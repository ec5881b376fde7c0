// `npm start`: runs the bundled CLI (dist-cli/cli.js) in a child node with the flags it needs, and with glibc's malloc
// told to keep freed memory for reuse (a fixed 32 MiB mmap threshold, a 256 MiB trim threshold) in at most 2 arenas,
// unless the caller set these variables. Why: each training step allocates megabytes of fresh zero-filled arrays and
// frees them at the next scavenge; with glibc's defaults these blocks go back to the kernel and the next step faults
// every page in again (2.4–3.6 M minor page faults and 9–12 s of system time in a default run), and without the arena
// cap the helper threads' arenas keep extra memory. README "Memory" has the measurements (same results, less CPU,
// peak RSS 138 MB). glibc reads the variables once at process start, so they must be set before node starts, which
// a portable package.json script cannot do (cmd.exe has no `VAR=value command`); other C libraries (macOS, musl,
// Windows) ignore them.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist-cli', 'cli.js');
const env = { ...process.env };
env.MALLOC_MMAP_THRESHOLD_ ??= String(32 * 1024 * 1024);
env.MALLOC_TRIM_THRESHOLD_ ??= String(256 * 1024 * 1024);
env.MALLOC_ARENA_MAX ??= '2';
const child = spawn(
  process.execPath,
  ['--experimental-wasm-relaxed-simd', '--expose-gc', cli, ...process.argv.slice(2)],
  { stdio: 'inherit', env },
);
// Ctrl-C reaches the child directly (same process group): this process only waits for it. A signal sent to this
// process alone is passed on.
process.on('SIGINT', () => {});
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  process.stderr.write(`error: cannot start ${process.execPath}: ${error.message}\n`);
  process.exitCode = 1;
});
child.on('exit', (code, signal) => {
  if (signal !== null) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exitCode = code ?? 1;
});
