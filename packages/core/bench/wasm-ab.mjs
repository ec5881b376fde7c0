// Interleaved A/B timing of the WebAssembly kernels' exports themselves (no copies in or out, no glue), for the
// reference network's layers (batch 64): two or more builds of src/kernels/wasm/kernels.generated.ts, e.g. a copy
// saved before a change and the current one, instantiated in one process and called round-robin.
// Usage (packages/core):
//   cp src/kernels/wasm/kernels.generated.ts /tmp/before.ts   # before the change; then edit, npm run build:wasm
//   node --experimental-wasm-relaxed-simd bench/wasm-ab.mjs [prefix|all] /tmp/before.ts src/kernels/wasm/kernels.generated.ts
// VARIANT=simd times the SIMD128 builds instead of relaxed SIMD. Prints the median process CPU time per call (ms)
// over 40 rounds of 4 calls per build, and median(first) ÷ median(second).
import { readFileSync } from 'node:fs';

const [sel = 'all', ...files] = process.argv.slice(2);
if (files.length === 0) {
  console.error(
    'usage: node --experimental-wasm-relaxed-simd bench/wasm-ab.mjs <prefix|all> <generated.ts>...',
  );
  process.exit(1);
}
const key = process.env.VARIANT === 'simd' ? 'simdWasmBase64' : 'relaxedSimdWasmBase64';

function load(path) {
  const m = new RegExp(`\\b${key}\\s*=\\s*'([^']+)'`).exec(readFileSync(path, 'utf8'));
  if (!m) throw new Error(`${path}: no ${key}`);
  const e = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(m[1], 'base64')), {}).exports;
  e.memory.grow(400);
  const f32 = new Float32Array(e.memory.buffer);
  let top = (e.heapBase() + 15) & ~15;
  const alloc = (n) => {
    const p = top;
    top += (n * 4 + 15) & ~15;
    return p;
  };
  return { e, f32, alloc };
}

function setup({ e, f32, alloc }) {
  let seed = 1;
  const fill = (n) => {
    const p = alloc(n);
    seed = 7 + n;
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      f32[(p >> 2) + i] = (seed / 2 ** 32) * 2 - 1;
    }
    return p;
  };
  const N = 64;
  const pa = alloc(1 << 18);
  const pb = alloc(1 << 18);
  const t = {};
  const withGeometry = (g, call) => () => {
    e.setConvGeometry(...g);
    call();
  };
  {
    // conv1 [64,28,28,1] → 8, 3×3 'same' (colChunk: 3640 rows of 9 floats)
    const [x, w, b, d] = [fill(N * 784), fill(72), fill(8), fill(N * 6272)];
    const [o, col, dw] = [alloc(N * 6272), alloc(65536), alloc(72)];
    const g = [N, 28, 28, 1, 28, 28, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1];
    t['conv1 forward'] = withGeometry(g, () => e.conv2dForward(x, w, b, o, col, 3640, pa, pb));
    t['conv1 weight grad'] = withGeometry(g, () => e.conv2dBackwardWeight(x, d, dw, col, 3640, pa, pb));
  }
  {
    // conv2 [64,14,14,8] → 16, 3×3 'same' (colChunk: 455 rows of 72 floats)
    const [x, w, b, d] = [fill(N * 1568), fill(1152), fill(16), fill(N * 3136)];
    const [o, dx, col, dw] = [alloc(N * 3136), alloc(N * 1568), alloc(65536), alloc(1152)];
    const g = [N, 14, 14, 8, 14, 14, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1];
    t['conv2 forward'] = withGeometry(g, () => e.conv2dForward(x, w, b, o, col, 455, pa, pb));
    t['conv2 input grad'] = withGeometry(g, () => e.conv2dBackwardInput(d, w, dx, col, 455, pa, pb));
    t['conv2 weight grad'] = withGeometry(g, () => e.conv2dBackwardWeight(x, d, dw, col, 455, pa, pb));
  }
  for (const [H, C] of [
    [28, 8],
    [14, 16],
  ]) {
    // max pool 2×2 stride 2; the backward scatters the forward's argmax (run once here)
    const n = N * H * H * C;
    const m = n / 4;
    const [x, gy] = [fill(n), fill(m)];
    const [o, am, dx] = [alloc(m), alloc(m), alloc(n)];
    const g = [N, H, H, C, H / 2, H / 2, C, 2, 2, 2, 2, 0, 0, 1, 1, 1];
    t[`maxpool forward [64,${H},${H},${C}]`] = withGeometry(g, () => e.maxPool2dForward(x, o, am, 0, N));
    t[`maxpool forward [64,${H},${H},${C}]`]();
    t[`maxpool backward [64,${H},${H},${C}]`] = () => e.maxPool2dBackward(am, gy, m, dx, n);
  }
  return t;
}

const builds = files.map((f) => setup(load(f)));
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const name of Object.keys(builds[0])) {
  if (sel !== 'all' && !name.startsWith(sel)) continue;
  const times = files.map(() => []);
  for (const b of builds) for (let i = 0; i < 5; i++) b[name]();
  for (let round = 0; round < 40; round++)
    builds.forEach((b, k) => {
      const c = process.cpuUsage();
      for (let i = 0; i < 4; i++) b[name]();
      const d = process.cpuUsage(c);
      times[k].push((d.user + d.system) / 4e3);
    });
  const meds = times.map(median);
  const cells = files.map((f, k) => `${f.split('/').pop()} ${meds[k].toFixed(3)} ms`).join('   ');
  const ratio = files.length > 1 ? `   ratio ${(meds[0] / meds[1]).toFixed(2)}×` : '';
  console.log(`${name.padEnd(30)} ${cells}${ratio}`);
}
