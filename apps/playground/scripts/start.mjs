// `npm start`: runs the bundled CLI (dist-cli/cli.js) in a child node with the flags it needs, and with glibc's
// malloc told to keep freed memory (a fixed 32 MiB mmap threshold, a 256 MiB trim threshold) unless the caller set
// these variables. Why: each training step allocates ~16 MB of fresh zero-filled arrays and frees them at the next
// scavenge; with glibc's defaults these blocks are returned to the kernel and the next step faults every page back
// in (~1 M minor page faults per 3 epochs, a quarter of the CPU time in the kernel). Measured, 4 alternating runs of
// `--threads 1 --epochs 3` at load 12–16: 1,277 and 1,282 vs 2,707 and 2,797 training samples/s, system time
// 3.4–4.4 s vs 0.2 s, page faults 0.97–1.27 M vs 19–21 k, peak RSS 117–127 MB vs 117–125 MB, the same results
// (README, "Memory"). The variables are read by glibc at process start, so they must be set before node starts,
// which a portable package.json script cannot do (cmd.exe has no `VAR=value command`); other C libraries
// (macOS, musl, Windows) ignore them.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist-cli', 'cli.js');
const env = { ...process.env };
env.MALLOC_MMAP_THRESHOLD_ ??= String(32 * 1024 * 1024);
env.MALLOC_TRIM_THRESHOLD_ ??= String(256 * 1024 * 1024);
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
