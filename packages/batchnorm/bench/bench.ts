/**
 * Batch-norm forward + backward (training mode), float32, channels-last, hw3 next to TensorFlow.js (cpu backend)
 * in the same process. Run: `npm run bench -w @hw3/batchnorm`.
 *
 * Bytes counted (n = elements of x): hw3's passes read and write
 *   forward:  statistics pass reads x (4n) + normalize pass reads x, writes y (8n)              = 12n bytes
 *   backward: reduction pass reads dy, x (8n) + dx pass reads dy, x, writes dx (12n)            = 20n bytes
 * GB/s for both libraries is this same byte count divided by the time, so the ratio of GB/s is the speed ratio.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Tensor } from '@hw3/core';
import { BatchNormCache, batchNorm, batchNormBackward, batchNormForward } from '../src/index';
import { registerTfjsGradients } from './register-tfjs-gradients';

const SHAPES: readonly (readonly [number, number, number, number])[] = [
  [64, 28, 28, 8],
  [64, 14, 14, 16],
];

function fill(a: Float32Array, seed: number): Float32Array {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 4294967296 - 0.5;
  }
  return a;
}

interface Timing {
  median: number;
  min: number;
}

/**
 * Median and minimum time in ms of `fn` over `runs` timed runs after `warmup` untimed ones. On a shared,
 * loaded machine the minimum is the better estimate of the uncontended speed; both are printed.
 */
function time(fn: () => void, runs: number, warmup = 3): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[samples.length >> 1], min: samples[0] };
}

function gbps(bytes: number, ms: number): string {
  return (bytes / (ms * 1e6)).toFixed(2);
}

interface Row {
  what: string;
  ms: Timing;
  bytes: number;
}

async function main(): Promise<void> {
  registerTfjsGradients();
  await tf.setBackend('cpu');
  await tf.ready();
  const runs = Number(process.env.RUNS ?? 15);
  console.log(
    `batch norm, float32, training mode; median of ${runs} runs; Node ${process.version}, tfjs ${tf.version_core} (${tf.getBackend()})`,
  );
  for (const shape of SHAPES) {
    const [, , , channels] = shape;
    const n = shape[0] * shape[1] * shape[2] * shape[3];
    const x = fill(new Float32Array(n), 1);
    const dy = fill(new Float32Array(n), 2);
    const gamma = fill(new Float32Array(channels), 3).map((v) => 1 + v);
    const beta = fill(new Float32Array(channels), 4);

    // hw3 functional API with buffers reused across steps (the fast path).
    const out = new Float32Array(n);
    const dx = new Float32Array(n);
    const dGamma = new Float32Array(channels);
    const dBeta = new Float32Array(channels);
    const cache = new BatchNormCache(channels);
    const hwForward = () => batchNormForward(x, shape, { gamma, beta, out, cache });
    const hwBackward = () => batchNormBackward(dy, cache, { gamma, dx, dGamma, dBeta });
    const fwdMs = time(hwForward, runs);
    hwForward();
    const bwdMs = time(hwBackward, runs);
    const bothMs = time(() => {
      hwForward();
      hwBackward();
    }, runs);
    const handoutMs = time(() => {
      hwForward();
      batchNormBackward(dy, cache, { gamma, dx, dGamma, dBeta, intermediates: true });
    }, runs);

    // hw3 autograd op (Tensor in, Tensor out, gradients accumulated into .grad).
    const xt = new Tensor(x, shape, { requiresGrad: true });
    const wt = new Tensor(gamma.slice(), [channels], { requiresGrad: true });
    const bt = new Tensor(beta.slice(), [channels], { requiresGrad: true });
    const dyt = new Tensor(dy, shape);
    const opMs = time(() => {
      xt.grad = null;
      wt.grad = null;
      bt.grad = null;
      batchNorm(xt, { weight: wt, bias: bt, training: true }).backward(dyt);
    }, runs);

    // TensorFlow.js: tf.moments + tf.batchNorm forward, tf.grads backward (which re-runs the forward).
    const xs = tf.tensor4d(x, shape as [number, number, number, number]);
    const dys = tf.tensor4d(dy, shape as [number, number, number, number]);
    const gs = tf.tensor1d(gamma);
    const bs = tf.tensor1d(beta);
    const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.batchNorm(a, mean, variance, b, g, 1e-5);
    };
    const tfForwardMs = time(() => {
      tf.tidy(() => {
        f(xs, gs, bs).dataSync();
      });
    }, runs);
    const gradFn = tf.grads(f);
    const tfBothMs = time(() => {
      tf.tidy(() => {
        const [gx, gg, gb] = gradFn([xs, gs, bs], dys);
        gx.dataSync();
        gg.dataSync();
        gb.dataSync();
      });
    }, runs);

    // Agreement check, so the comparison is of the same computation.
    hwForward();
    hwBackward();
    const [gx] = tf.tidy(() => gradFn([xs, gs, bs], dys).map((t) => tf.keep(t)));
    const ref = gx.dataSync();
    let maxDiff = 0;
    let scale = 0;
    for (let i = 0; i < n; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(ref[i] - dx[i]));
      scale = Math.max(scale, Math.abs(ref[i]));
    }
    gx.dispose();
    if (!(maxDiff / scale < 1e-5)) {
      // Same computation or no comparison: float32 rounding alone stays near 2e-7.
      console.error(`hw3 and tfjs dx disagree: max |difference| / max |dx| = ${maxDiff / scale}`);
      process.exitCode = 1;
    }

    const fwdBytes = 12 * n;
    const bothBytes = 32 * n;
    const rows: Row[] = [
      { what: 'hw3 forward (functional, reused buffers)', ms: fwdMs, bytes: fwdBytes },
      { what: 'hw3 backward (fused dx, dγ, dβ)', ms: bwdMs, bytes: 20 * n },
      { what: 'hw3 forward+backward (functional)', ms: bothMs, bytes: bothBytes },
      { what: 'hw3 forward+backward (handout intermediates)', ms: handoutMs, bytes: bothBytes },
      { what: 'hw3 forward+backward (autograd op)', ms: opMs, bytes: bothBytes },
      { what: 'tfjs-cpu forward (moments + batchNorm)', ms: tfForwardMs, bytes: fwdBytes },
      { what: 'tfjs-cpu forward+backward (tf.grads)', ms: tfBothMs, bytes: bothBytes },
    ];
    console.log(
      `\nx [${shape.join(', ')}] (${n} elements, ${(4 * n) / 1e6} MB); max |dx_hw3 − dx_tfjs| / max|dx| = ${(maxDiff / scale).toExponential(1)}`,
    );
    console.log(
      `  ${''.padEnd(46)} ${'median'.padStart(9)}     ${'min'.padStart(9)}     ${'median'.padStart(6)}       ${'at min'.padStart(6)}`,
    );
    for (const r of rows) {
      const { median, min } = r.ms;
      console.log(
        `  ${r.what.padEnd(46)} ${median.toFixed(3).padStart(9)} ms  ${min.toFixed(3).padStart(9)} ms  ${gbps(r.bytes, median).padStart(6)} GB/s  ${gbps(r.bytes, min).padStart(6)} GB/s`,
      );
    }
    const ratio = (a: Timing, b: Timing) =>
      `${(a.median / b.median).toFixed(1)}× (median), ${(a.min / b.min).toFixed(1)}× (min)`;
    console.log(`  ratio tfjs/hw3 forward:                        ${ratio(tfForwardMs, fwdMs)}`);
    console.log(`  ratio tfjs/hw3 forward+backward (functional):  ${ratio(tfBothMs, bothMs)}`);
    console.log(`  ratio tfjs/hw3 forward+backward (autograd op): ${ratio(tfBothMs, opMs)}`);
    tf.dispose([xs, dys, gs, bs]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
