/** `npm start -- summary`: @hw3/shape's layer table of mnist-cnn-bn. */
import { formatSummary, mnistCnnBn, summarizeNetwork } from '@hw3/shape/summary';
import type { CliIo } from './io.js';

export function runSummary(io: CliIo): number {
  io.stdout.write(`${formatSummary(summarizeNetwork(mnistCnnBn))}\n`);
  return 0;
}
