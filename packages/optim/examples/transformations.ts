import { inverseSqrtSchedule } from '@hw3/optim/schedules';
import {
  applyUpdates,
  chain,
  clipByGlobalNorm,
  scaleByAdam,
  scaleByLearningRate,
} from '@hw3/optim/transforms';

// optax style: a chain of gradient transformations with an explicit state you own.
const w = new Float64Array([1, -2]);
const tx = chain(
  clipByGlobalNorm(1),
  scaleByAdam({ beta1: 0, beta2: 1, eps: 0 }), // the handout's (b): this is AdaGrad …
  scaleByLearningRate(inverseSqrtSchedule(0.5)), // … with η = η0·t^(−1/2)
);
const state = tx.init([w]);
const update = new Float64Array(2);
for (let t = 1; t <= 100; t++) {
  update[0] = 2 * w[0]; // ∇(w0² + w1²)
  update[1] = 2 * w[1];
  tx.update([update], state, [w]); // rewrites `update` in place, advances `state` in place
  applyUpdates([w], [update]); // w += update
}
export const result = { weights: Array.from(w) };
