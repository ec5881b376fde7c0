/** Prints the functions with the most self time in the newest results/prof/*.cpuprofile. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeProfile } from './profile-step';

console.log(summarizeProfile(join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'prof'), 25));
