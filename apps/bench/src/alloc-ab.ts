/**
 * Micro A/B: a fresh zero-filled Float32Array against Node's Buffer.allocUnsafeSlow (not zero-filled) for the sizes of
 * mnist-cnn-bn's largest per-step outputs, 300 "steps" of six arrays each, alternating three times; 'step': a step's
 * arrays live until the next step (as a training step's outputs do), 'immediate': each is dropped at once.
 * Usage: node --import tsx src/alloc-ab.ts
 */
const sizes = [401_408, 200_704, 100_352, 50_176, 401_408, 200_704];
const zeroed = (n: number) => new Float32Array(n);
const unzeroed = (n: number) => {
  const b = Buffer.allocUnsafeSlow(4 * n);
  return new Float32Array(b.buffer, b.byteOffset, n);
};
let sink = 0;
let kept: Float32Array[] = [];
function run(label: string, alloc: (n: number) => Float32Array, retain: boolean): void {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let s = 0; s < 300; s++) {
    const step: Float32Array[] = [];
    for (const n of sizes) {
      const a = alloc(n);
      for (let i = 0; i < n; i += 1024) a[i] = i; // touch every page, as a kernel writing it would
      sink += a[0];
      if (retain) step.push(a);
    }
    kept = step;
  }
  const c = process.cpuUsage(c0);
  const mb = (sizes.reduce((x, y) => x + y, 0) * 4) / 1e6;
  console.log(
    `${label.padEnd(34)} ${((performance.now() - t0) / 300).toFixed(3)} ms wall, ` +
      `${((c.user + c.system) / 1000 / 300).toFixed(3)} ms CPU per ${mb.toFixed(1)} MB`,
  );
}
for (const retain of [true, false])
  for (let r = 0; r < 3; r++) {
    run(`${retain ? 'step' : 'immediate'} new Float32Array`, zeroed, retain);
    run(`${retain ? 'step' : 'immediate'} allocUnsafeSlow`, unzeroed, retain);
  }
if (sink === -1) console.log(sink, kept.length);
