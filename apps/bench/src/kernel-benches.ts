/** Kernel-level benchmarks: GEMM, conv2d forward/backward, max pooling, batch norm — hw3 against TensorFlow.js. */
import { batchNormBackward, batchNormForward } from '@hw3/batchnorm';
import { getKernels, setKernels, tidy } from '@hw3/core';
import { allocateOutputLike, type Conv2dGeometry, type Kernels } from '@hw3/core/kernels';
import type { Row } from './report';
import { hasKernel, type TfBackend, tf, useTfBackend } from './tfjs';
import { measure, randomFloat32, type Timing } from './timing';

const TF_BACKENDS: TfBackend[] = ['cpu', 'wasm'];

function row(task: string, impl: string, timing: Timing | null, flops: number | null, note = ''): Row {
  const ms = timing?.ms ?? null;
  return {
    task,
    impl,
    ms,
    bestMs: timing?.bestMs ?? null,
    reps: timing?.reps ?? 0,
    flops,
    samples: null,
    note,
  };
}

/** Runs a TensorFlow.js op, reads the result back (so the work is really done) and frees the tensors. */
function tfRun(fn: () => tf.Tensor | tf.Tensor[]): () => void {
  return () => {
    const out = fn();
    for (const t of Array.isArray(out) ? out : [out]) {
      t.dataSync();
      t.dispose();
    }
  };
}

export const gemmTask = (n: number) => `gemm ${n}×${n}×${n}`;

export async function benchGemm(kernels: Kernels[], sizes: number[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of sizes) {
    const task = gemmTask(n);
    const flops = 2 * n * n * n;
    const a = randomFloat32(n * n, 1);
    const b = randomFloat32(n * n, 2);
    const c = new Float32Array(n * n);
    for (const k of kernels) {
      const t = measure(() => k.gemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false));
      rows.push(row(task, `hw3 ${k.name}`, t, flops));
      if (k.residentStorage === undefined) continue;
      // A and B in the kernel set's memory (as in a tidy scope), C a plain array read back: the setup of the tfjs
      // rows, whose input tensors live in the backend's memory and whose result is read back with dataSync.
      const saved = getKernels();
      setKernels(k);
      try {
        const r = tidy(() => {
          const [as, bs] = [a, b].map((m) => {
            const v = allocateOutputLike(m, m.length) as Float32Array;
            v.set(m);
            return v;
          });
          return measure(() => k.gemm(false, false, n, n, n, as, 0, n, bs, 0, n, c, 0, n, false));
        });
        rows.push(
          row(
            task,
            `hw3 ${k.name} (resident A, B)`,
            r,
            flops,
            'A, B in the kernel set memory (tidy), C read back: as the tfjs rows',
          ),
        );
      } finally {
        setKernels(saved);
      }
    }
    for (const backend of TF_BACKENDS) {
      await useTfBackend(backend);
      const ta = tf.tensor2d(a, [n, n]);
      const tb = tf.tensor2d(b, [n, n]);
      const t = measure(
        tfRun(() => tf.matMul(ta, tb)),
        { warmup: backend === 'cpu' && n >= 1024 ? 0 : 1 },
      );
      rows.push(row(task, `tfjs ${backend}`, t, flops));
      tf.dispose([ta, tb]);
    }
  }
  return rows;
}

/** The two conv layers of mnist-cnn-bn at batch 64, 'same' padding. */
export const mnistConvLayers: Array<[string, Conv2dGeometry]> = [
  [
    'conv1 [64,28,28,1]→8',
    {
      batch: 64,
      inH: 28,
      inW: 28,
      inC: 1,
      outH: 28,
      outW: 28,
      outC: 8,
      kH: 3,
      kW: 3,
      strideH: 1,
      strideW: 1,
      padTop: 1,
      padLeft: 1,
      dilationH: 1,
      dilationW: 1,
      groups: 1,
    },
  ],
  [
    'conv2 [64,14,14,8]→16',
    {
      batch: 64,
      inH: 14,
      inW: 14,
      inC: 8,
      outH: 14,
      outW: 14,
      outC: 16,
      kH: 3,
      kW: 3,
      strideH: 1,
      strideW: 1,
      padTop: 1,
      padLeft: 1,
      dilationH: 1,
      dilationW: 1,
      groups: 1,
    },
  ],
];

export async function benchConv(kernels: Kernels[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [name, g] of mnistConvLayers) {
    const xShape = [g.batch, g.inH, g.inW, g.inC] as const;
    const yShape = [g.batch, g.outH, g.outW, g.outC] as const;
    const x = randomFloat32(g.batch * g.inH * g.inW * g.inC, 3);
    const w = randomFloat32(g.outC * g.kH * g.kW * g.inC, 4);
    const bias = randomFloat32(g.outC, 5);
    const dy = randomFloat32(g.batch * g.outH * g.outW * g.outC, 6);
    const out = new Float32Array(dy.length);
    const dx = new Float32Array(x.length);
    const dw = new Float32Array(w.length);
    const flops = 2 * g.batch * g.outH * g.outW * g.outC * g.kH * g.kW * g.inC;
    const tasks = [`${name} forward`, `${name} backward input`, `${name} backward weight`];
    const tfKernels = ['FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'];
    for (let which = 0; which < 3; which++) {
      for (const k of kernels) {
        const fn =
          which === 0
            ? () => k.conv2dForward(g, x, w, bias, out)
            : which === 1
              ? () => k.conv2dBackwardInput(g, dy, w, dx)
              : () => k.conv2dBackwardWeight(g, x, dy, dw);
        const t = measure(fn);
        rows.push(row(tasks[which], `hw3 ${k.name}`, t, flops));
      }
      for (const backend of TF_BACKENDS) {
        await useTfBackend(backend);
        if (!hasKernel(tfKernels[which])) {
          rows.push(row(tasks[which], `tfjs ${backend}`, null, flops, `no ${tfKernels[which]} kernel`));
          continue;
        }
        const tx = tf.tensor4d(x, [...xShape]);
        const tw = tf.tensor4d(w, [g.kH, g.kW, g.inC, g.outC]); // HWIO
        const tb = tf.tensor1d(bias);
        const tdy = tf.tensor4d(dy, [...yShape]);
        const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] };
        const fn =
          which === 0
            ? tfRun(() => tf.fused.conv2d({ x: tx, filter: tw, bias: tb, strides: 1, pad: 'same' }))
            : which === 1
              ? tfRun(
                  () =>
                    tf.engine().runKernel(
                      'Conv2DBackpropInput',
                      { dy: tdy, filter: tw },
                      {
                        ...attrs,
                        inputShape: [...xShape],
                      },
                    ) as tf.Tensor,
                )
              : tfRun(
                  () =>
                    tf.engine().runKernel(
                      'Conv2DBackpropFilter',
                      { x: tx, dy: tdy },
                      {
                        ...attrs,
                        filterShape: [g.kH, g.kW, g.inC, g.outC],
                      },
                    ) as tf.Tensor,
                );
        const t = measure(fn);
        rows.push(row(tasks[which], `tfjs ${backend}`, t, flops));
        tf.dispose([tx, tw, tb, tdy]);
      }
    }
  }
  return rows;
}

export async function benchMaxPool(kernels: Kernels[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [n, h, c] of [
    [64, 28, 8],
    [64, 14, 16],
  ]) {
    const task = `maxpool 2×2 [${n},${h},${h},${c}]`;
    const g = {
      batch: n,
      inH: h,
      inW: h,
      channels: c,
      outH: h / 2,
      outW: h / 2,
      kH: 2,
      kW: 2,
      strideH: 2,
      strideW: 2,
      padTop: 0,
      padLeft: 0,
      dilationH: 1,
      dilationW: 1,
    };
    const x = randomFloat32(n * h * h * c, 7);
    const out = new Float32Array((n * h * h * c) / 4);
    const arg = new Int32Array(out.length);
    for (const k of kernels) {
      const t = measure(() => k.maxPool2dForward(g, x, out, arg));
      rows.push(row(task, `hw3 ${k.name}`, t, null, 'values + argmax'));
    }
    for (const backend of TF_BACKENDS) {
      await useTfBackend(backend);
      const tx = tf.tensor4d(x, [n, h, h, c]);
      const t = measure(tfRun(() => tf.maxPool(tx, 2, 2, 'valid')));
      rows.push(row(task, `tfjs ${backend}`, t, null, 'values only'));
      tx.dispose();
    }
  }
  return rows;
}

/**
 * Batch norm forward + backward (the functional calls with reused buffers), once per kernel set given (the batch-norm
 * loops run on the active WebAssembly set's memory and threads; the TypeScript set runs this package's TS loops), or
 * with the active kernels when none is given.
 */
export async function benchBatchNorm(kernelSets: readonly Kernels[] = []): Promise<Row[]> {
  const rows: Row[] = [];
  const saved = getKernels();
  for (const [n, h, c] of [
    [64, 28, 8],
    [64, 14, 16],
  ]) {
    const task = `batchnorm fwd+bwd [${n},${h},${h},${c}]`;
    const shape = [n, h, h, c];
    const x = randomFloat32(n * h * h * c, 8);
    const dy = randomFloat32(x.length, 9);
    const gamma = randomFloat32(c, 10);
    const beta = randomFloat32(c, 11);
    const out = new Float32Array(x.length);
    const dx = new Float32Array(x.length);
    const dGamma = new Float32Array(c);
    const dBeta = new Float32Array(c);
    /** fwd+bwd with these operands (plain arrays: copied in and out; resident: used in place). */
    const timeWith = (xs: Float32Array, dys: Float32Array, outs: Float32Array, dxs: Float32Array) => {
      let cache = batchNormForward(xs, shape, { gamma, beta, out: outs }).cache;
      return measure(() => {
        cache = batchNormForward(xs, shape, { gamma, beta, out: outs, cache }).cache;
        batchNormBackward(dys, cache, { gamma, dx: dxs, dGamma, dBeta });
      });
    };
    for (const k of kernelSets.length > 0 ? kernelSets : [saved]) {
      setKernels(k);
      const impl = kernelSets.length > 0 ? `hw3 @hw3/batchnorm ${k.name}` : 'hw3 @hw3/batchnorm';
      rows.push(row(task, impl, timeWith(x, dy, out, dx), null, 'fused, float32 data, float64 sums'));
      if (k.residentStorage === undefined) continue;
      // x, dy, y, dx in the kernel set's memory (as inside a training step's tidy scope): no copies.
      const t = tidy(() => {
        const [xs, dys, outs, dxs] = [x, dy, out, dx].map((a) => {
          const r = allocateOutputLike(a, a.length) as Float32Array;
          r.set(a);
          return r;
        });
        return timeWith(xs, dys, outs, dxs);
      });
      rows.push(row(task, `${impl} (resident)`, t, null, 'operands in the kernel set memory (tidy)'));
    }
    setKernels(saved);
    for (const backend of TF_BACKENDS) {
      await useTfBackend(backend);
      const tx = tf.tensor4d(x, [n, h, h, c]);
      const tdy = tf.tensor4d(dy, [n, h, h, c]);
      const tg = tf.tensor1d(gamma);
      const tb = tf.tensor1d(beta);
      const grads = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, [0, 1, 2]);
        return tf.batchNorm(xx, mean, variance, bb, gg, 1e-5);
      });
      try {
        const r = measure(tfRun(() => grads([tx, tg, tb], tdy)));
        rows.push(row(task, `tfjs ${backend}`, r, null, 'moments + batchNorm, tf.grads'));
      } catch (error) {
        rows.push(row(task, `tfjs ${backend}`, null, null, `failed: ${(error as Error).message}`));
      }
      tf.dispose([tx, tdy, tg, tb]);
    }
  }
  return rows;
}
