/** What the CLI commands need from the outside world (injected so tests can run them in-process). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Draw progress bars (a TTY that is not CI) or print plain progress lines. */
  interactive: boolean;
  cwd: string;
  now(): Date;
  /** Path of the MNIST binary cache (tests may point elsewhere). */
  dataPath?: string;
}
