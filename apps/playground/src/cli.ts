#!/usr/bin/env node
/** Entry point of `npm start`: see src/cli/main.ts and `npm start -- --help`. */
import { main } from './cli/main.js';

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
  cwd: process.env.INIT_CWD ?? process.cwd(),
  now: () => new Date(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
