/**
 * Kernel benchmark: hw3 TypeScript kernels next to TensorFlow.js (cpu backend) on the same data, in one
 * process. Prints GEMM GFLOP/s at 256/512/1024 and the reference network's two conv layers (batch 64):
 * forward, input gradient and weight gradient, as medians after warm-up, with ratios (> 1 = hw3 faster).
 * Each pair of results is also compared numerically, so both sides are known to do the same work.
 *
 * Times are process CPU time (user + system, process.cpuUsage), not wall time: the machine this runs on is
 * shared, and CPU time leaves out the time the process waits for a core. Everything measured is single-threaded.
 *
 * Run: npm run bench -w @hw3/core   (under a minute; tfjs at 1024³ is slow so it gets fewer repetitions)
 * With relaxed SIMD on Node 20: node --experimental-wasm-relaxed-simd --import tsx bench/bench.ts
 */
/// <reference types="node" />
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  type Conv2dGeometry,
  createWasmKernels,
  type Kernels,
  type Pool2dGeometry,
  tsKernels,
} from '../src/kernels/index';
import { sameConv3x3 } from '../src/kernels/test-helpers';

function median(times: number[]): number {
  const s = [...times].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Median CPU time in ms after `warmup` runs: repeats until `budgetMs` of measured time is spent, at least
 * `minReps` and at most `maxReps` times (slow tfjs kernels get few repetitions, fast ones many).
 */
function time(fn: () => void, warmup = 2, budgetMs = 1000, minReps = 3, maxReps = 25): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  let spent = 0;
  while (times.length < maxReps && (times.length < minReps || spent < budgetMs)) {
    const t0 = process.cpuUsage();
    fn();
    const used = process.cpuUsage(t0);
    const dt = (used.user + used.system) / 1000;
    times.push(dt);
    spent += dt;
  }
  return median(times);
}

/** Deterministic values in [−1, 1) (LCG), so runs are comparable. */
function filled(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    if (!(e <= d)) d = e; // also catches NaN
  }
  return d;
}

/**
 * Fails the run (exit code 1) when hw3 and tfjs disagree by more than float32 rounding allows for sums of
 * `terms` products of values in [−1, 1].
 */
function checkAgreement(label: string, diff: number, terms: number): void {
  if (diff <= 1e-6 * terms) return;
  console.log(`MISMATCH ${label}: max|Δ| ${diff} exceeds ${1e-6 * terms}`);
  process.exitCode = 1;
}

function pad(s: string | number, width: number): string {
  return String(s).padStart(width);
}

/** Header / row formatting: label, one time or rate column per kernel set, tfjs, one ratio per set, max|Δ|. */
function header(first: string, firstWidth: number, sets: readonly Kernels[]): string {
  const names = sets.map((k) => pad(`hw3-${k.name}`, 14)).join(' ');
  const ratios = sets.map((k) => pad(`×${k.name}`, 12)).join(' ');
  return `${pad(first, firstWidth)} ${names} ${pad('tfjs-cpu', 10)} ${ratios} ${pad('max|Δ|', 9)}`;
}

function row(
  label: string,
  width: number,
  values: number[],
  tfValue: number,
  ratios: number[],
  diff: number,
  digits: number,
) {
  return `${pad(label, width)} ${values.map((v) => pad(v.toFixed(digits), 14)).join(' ')} ${pad(tfValue.toFixed(digits), 10)} ${ratios.map((r) => pad(`${r.toFixed(1)}×`, 12)).join(' ')} ${pad(diff.toExponential(1), 9)}`;
}

function benchGemm(sets: readonly Kernels[]): void {
  console.log('\nGEMM float32, C = A·B (n×n·n×n), median GFLOP/s; ratio = hw3 GFLOP/s ÷ tfjs GFLOP/s');
  console.log(header('n', 6, sets));
  for (const n of [256, 512, 1024]) {
    const a = filled(n * n, 1);
    const b = filled(n * n, 2);
    const c = new Float32Array(n * n);
    const ta = tf.tensor2d(a, [n, n]);
    const tb = tf.tensor2d(b, [n, n]);
    let tfOut: Float32Array = new Float32Array(0);
    const tfMs = time(
      () => {
        const tc = tf.matMul(ta, tb);
        tfOut = tc.dataSync() as Float32Array;
        tc.dispose();
      },
      1,
      1000,
      1,
    );
    ta.dispose();
    tb.dispose();
    const flop = 2 * n * n * n;
    const rates: number[] = [];
    let diff = 0;
    for (const kernels of sets) {
      const ms = time(() => kernels.gemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false));
      rates.push(flop / ms / 1e6);
      diff = Math.max(diff, maxAbsDiff(c, tfOut));
      checkAgreement(`gemm ${n} ${kernels.name}`, diff, n);
    }
    const tfRate = flop / tfMs / 1e6;
    console.log(
      row(
        String(n),
        6,
        rates,
        tfRate,
        rates.map((r) => r / tfRate),
        diff,
        2,
      ),
    );
  }
}

function benchMaxPool(sets: readonly Kernels[]): void {
  console.log(
    '\nmaxPool2d float32 forward, 2×2 stride 2 (reference network), median ms; ratio = tfjs ms ÷ hw3 ms',
  );
  console.log(header('input', 34, sets));
  for (const [size, channels] of [
    [28, 8],
    [14, 16],
  ]) {
    const g: Pool2dGeometry = {
      batch: 64,
      inH: size,
      inW: size,
      channels,
      outH: size / 2,
      outW: size / 2,
      kH: 2,
      kW: 2,
      strideH: 2,
      strideW: 2,
      padTop: 0,
      padLeft: 0,
      dilationH: 1,
      dilationW: 1,
    };
    const x = filled(g.batch * size * size * channels, 6);
    const out = new Float32Array(g.batch * g.outH * g.outW * channels);
    const argmax = new Int32Array(out.length);
    const tx = tf.tensor4d(x, [g.batch, size, size, channels]);
    let tfOut: Float32Array = new Float32Array(0);
    const tfMs = time(() => {
      const t = tf.maxPool(tx, 2, 2, 'valid');
      tfOut = t.dataSync() as Float32Array;
      t.dispose();
    });
    tx.dispose();
    const times: number[] = [];
    let diff = 0;
    for (const kernels of sets) {
      times.push(time(() => kernels.maxPool2dForward(g, x, out, argmax)));
      diff = Math.max(diff, maxAbsDiff(out, tfOut));
      checkAgreement(`maxPool ${size} ${kernels.name}`, diff, 0);
    }
    const label = `[64,${size},${size},${channels}]`;
    console.log(
      row(
        label,
        34,
        times,
        tfMs,
        times.map((t) => tfMs / t),
        diff,
        2,
      ),
    );
  }
}

/** OHWI [outC, kH, kW, inC] → HWIO [kH, kW, inC, outC] (tfjs filter layout). */
function ohwiToHwio(w: Float32Array, g: Conv2dGeometry): Float32Array {
  const out = new Float32Array(w.length);
  const taps = g.kH * g.kW * g.inC;
  for (let oc = 0; oc < g.outC; oc++) for (let q = 0; q < taps; q++) out[q * g.outC + oc] = w[oc * taps + q];
  return out;
}

function benchConv(sets: readonly Kernels[]): void {
  console.log(
    '\nconv2d float32, reference network layers (NHWC, 3×3, stride 1, "same"), median ms; ratio = tfjs ms ÷ hw3 ms',
  );
  console.log(header('layer / pass', 34, sets));
  const layers: Array<[string, Conv2dGeometry]> = [
    ['conv1 [64,28,28,1]→8', sameConv3x3(64, 28, 1, 8)],
    ['conv2 [64,14,14,8]→16', sameConv3x3(64, 14, 8, 16)],
  ];
  for (const [label, g] of layers) {
    const xSize = g.batch * g.inH * g.inW * g.inC;
    const ySize = g.batch * g.outH * g.outW * g.outC;
    const x = filled(xSize, 3);
    const w = filled(g.outC * g.kH * g.kW * g.inC, 4);
    const dy = filled(ySize, 5);
    const out = new Float32Array(ySize);
    const dx = new Float32Array(xSize);
    const dw = new Float32Array(w.length);
    const tx = tf.tensor4d(x, [g.batch, g.inH, g.inW, g.inC]);
    const tw = tf.tensor4d(ohwiToHwio(w, g), [g.kH, g.kW, g.inC, g.outC]);
    const tdy = tf.tensor4d(dy, [g.batch, g.outH, g.outW, g.outC]);
    // The input / filter gradients are the kernels tf.conv2d's registered gradient runs.
    const engine = tf.engine();
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] };
    const tfKernel = (name: string, inputs: tf.NamedTensorMap, extra: object) => {
      const t = engine.runKernel(name, inputs, {
        ...attrs,
        ...extra,
      } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const d = t.dataSync() as Float32Array;
      t.dispose();
      return d;
    };
    const passes: Array<[string, (k: Kernels) => void, () => Float32Array, Float32Array]> = [
      [
        'forward',
        (k) => k.conv2dForward(g, x, w, null, out),
        () => tfKernel('Conv2D', { x: tx, filter: tw }, { dimRoundingMode: undefined }),
        out,
      ],
      [
        'input grad',
        (k) => k.conv2dBackwardInput(g, dy, w, dx),
        () => tfKernel('Conv2DBackpropInput', { dy: tdy, filter: tw }, { inputShape: tx.shape }),
        dx,
      ],
      [
        'weight grad',
        (k) => k.conv2dBackwardWeight(g, x, dy, dw),
        () => tfKernel('Conv2DBackpropFilter', { x: tx, dy: tdy }, { filterShape: tw.shape }),
        dw,
      ],
    ];
    for (const [pass, hw3Fn, tfFn, hw3Out] of passes) {
      // Products summed per output element, for the agreement tolerance.
      const terms =
        pass === 'forward'
          ? g.kH * g.kW * g.inC
          : pass === 'input grad'
            ? g.kH * g.kW * g.outC
            : g.batch * g.outH * g.outW;
      let tfOut: Float32Array = new Float32Array(0);
      const tfMs = time(
        () => {
          tfOut = tfFn();
        },
        1,
        1000,
        1,
      );
      const times: number[] = [];
      let diff = 0;
      for (const kernels of sets) {
        times.push(time(() => hw3Fn(kernels)));
        // tfjs returns the filter gradient as HWIO; compare in that layout.
        diff = Math.max(diff, maxAbsDiff(pass === 'weight grad' ? ohwiToHwio(hw3Out, g) : hw3Out, tfOut));
        checkAgreement(`${label} ${pass} ${kernels.name}`, diff, terms);
      }
      console.log(
        row(
          `${label} ${pass}`,
          34,
          times,
          tfMs,
          times.map((t) => tfMs / t),
          diff,
          2,
        ),
      );
    }
    tx.dispose();
    tw.dispose();
    tdy.dispose();
  }
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  // The plain-TypeScript kernels, and the WebAssembly ones (perf engineer's) when this engine supports them.
  const sets: Kernels[] = [tsKernels];
  const wasm = createWasmKernels();
  if (wasm) sets.push(wasm);
  const started = performance.now();
  console.log(
    `hw3 kernels ${sets.map((k) => `'${k.name}'`).join(', ')} vs TensorFlow.js ${tf.version_core} (${tf.getBackend()} backend), same inputs; ratio > 1 means hw3 is faster`,
  );
  console.log(
    `Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; times are median process CPU time after warm-up`,
  );
  benchConv(sets);
  benchMaxPool(sets);
  benchGemm(sets);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

await main();
