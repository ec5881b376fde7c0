/** The playground CLI: parses arguments and runs a command. Returns the exit code. */
import { parseCli, USAGE, UsageError } from './args.js';
import type { CliIo } from './io.js';
import { runRace } from './race-command.js';
import { runSummary } from './summary-command.js';
import { runTrain } from './train-command.js';

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let command: ReturnType<typeof parseCli>;
  try {
    command = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  switch (command.command) {
    case 'help':
      io.stdout.write(`${USAGE}\n`);
      return 0;
    case 'summary':
      return runSummary(io);
    case 'race':
      return runRace(command, io);
    case 'train':
      return runTrain(command, io);
  }
}
