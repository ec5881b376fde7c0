/** Messages between the page and the training worker. */

import type { EpochMetrics } from '../src/train/loop.js';
import type { OptimizerName } from '../src/train/optimizers.js';

export type ToWorker =
  | { type: 'init'; dataUrl: string }
  | { type: 'start'; optimizer: OptimizerName; lr: number; seed: number }
  | { type: 'pause' }
  | { type: 'reset' }
  | { type: 'predict'; pixels: Float32Array }
  /** The model's weights as a PyTorch-layout safetensors file (answered with 'torch-weights'). */
  | { type: 'export-torch' }
  | { type: 'race'; lr: number; steps: number; seed: number };

export type FromWorker =
  | {
      type: 'ready';
      trainCount: number;
      heldOutCount: number;
      /** Threads the kernels use: 2 in a cross-origin isolated page (nested worker sharing memory), else 1. */
      threads: 1 | 2;
      /** The kernels' name, e.g. 'wasm-relaxed-simd-2threads'. */
      kernels: string;
      /** Why one thread (null with two). */
      threadsNote: string | null;
    }
  | { type: 'step'; step: number; epoch: number; loss: number; accuracy: number; samplesPerSecond: number }
  | { type: 'eval'; step: number; heldOutAccuracy: number; count: number }
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'state'; running: boolean; step: number; done: boolean }
  | { type: 'prediction'; probabilities: Float32Array }
  | { type: 'torch-weights'; bytes: Uint8Array; step: number }
  | { type: 'race-step'; step: number; losses: number[]; gap: number }
  | { type: 'race-done'; maxGap: number; weightGaps: Array<[string, number]>; seconds: number }
  | { type: 'error'; message: string };
