// `npm start`: runs the bundled CLI (dist-cli/cli.js) in a child node with the flag it needs
// (--experimental-wasm-relaxed-simd, so Node 20 validates @hw3/core's fastest WebAssembly build). A launcher rather
// than `node --flag …` in package.json so that the flag list lives in one file and signals are passed on. (It used to
// set glibc malloc variables and --expose-gc for a scavenge per batch, against the page faults and peak RSS of
// fresh multi-megabyte arrays per step; since the steps run in tidy scopes, tensors live in reused WebAssembly
// memory and neither is needed: playground README, "Memory".)
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist-cli', 'cli.js');
const child = spawn(process.execPath, ['--experimental-wasm-relaxed-simd', cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
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
