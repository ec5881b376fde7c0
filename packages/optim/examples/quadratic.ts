import { Adam, clipGradNorm } from '@hw3/optim';
import { cosineSchedule } from '@hw3/optim/schedules';

// Minimise f(w) = ½·Σ a_i·(w_i − c_i)² with plain typed arrays: ∇f = a ⊙ (w − c).
const a = [1, 4, 0.25];
const c = [3, -1, 2];
const w = { data: new Float32Array(3), grad: new Float32Array(3) };

const optimizer = new Adam([w], {
  schedule: { lr: cosineSchedule({ init: 0.1, decaySteps: 500, min: 1e-4 }) },
});
for (let step = 1; step <= 500; step++) {
  optimizer.zeroGrad();
  for (let i = 0; i < 3; i++) w.grad[i] = a[i] * (w.data[i] - c[i]);
  clipGradNorm([w], 10);
  optimizer.step();
}
console.log(Array.from(w.data, (x) => x.toFixed(3))); // [ '3.000', '-1.000', '2.000' ]

// Checkpoint: the state dict is plain JSON; restoring it continues bitwise identically.
const saved = JSON.stringify(optimizer.stateDict());
const resumed = new Adam([w], {
  schedule: { lr: cosineSchedule({ init: 0.1, decaySteps: 500, min: 1e-4 }) },
});
resumed.loadStateDict(JSON.parse(saved));
export const result = { weights: Array.from(w.data), stepCount: resumed.stepCount };
