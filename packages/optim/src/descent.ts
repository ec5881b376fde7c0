import { describeArg, OptimError } from './errors';
import {
  addDecayedWeights,
  chain,
  type GradientTransformation,
  scale,
  scaleByLearningRate,
} from './gradient-transformation';

/** The hyperparameters every descent method of this package has (read from the group at every step). */
export interface DescentHyperparams {
  lr: number;
  weightDecay: number;
  maximize: boolean;
}

/**
 * Where weight decay enters: `'coupled'` adds wd·p to the gradient before the rule (PyTorch's L2 `weight_decay`
 * of SGD, Adagrad, RMSprop, Adam, NAdam); `'decoupled'` adds it to the rule's output (AdamW:
 * p ← p − lr·(rule(g) + wd·p), i.e. PyTorch's p ← p·(1 − lr·wd) followed by the rule's step).
 */
export type WeightDecayMode = 'coupled' | 'decoupled';

/**
 * Turns an update rule (a gradient transformation, or several in a row) into a descent method, the part every
 * optimizer shares, in PyTorch's order:
 *   g ← −g if maximize;  coupled: g ← g + wd·p;  u ← rule(g);  decoupled: u ← u + wd·p;  p ← p − lr·u
 * `group` is read at every update, so changing `group.lr` (or a schedule writing it) takes effect at the next step.
 * The result is one flat `chain` (state: [maximize, (decay), ...rule, (decay), lr]).
 */
export function descent(
  group: DescentHyperparams,
  rule: GradientTransformation | readonly GradientTransformation[],
  weightDecay: WeightDecayMode = 'coupled',
): GradientTransformation<unknown[]> {
  if (typeof group !== 'object' || group === null) {
    throw new OptimError(
      'INVALID_ARGUMENT',
      `descent: group must be an object { lr, weightDecay, maximize }, got ${describeArg(group)}`,
    );
  }
  if (weightDecay !== 'coupled' && weightDecay !== 'decoupled') {
    throw new OptimError(
      'INVALID_ARGUMENT',
      `descent: weightDecay = ${describeArg(weightDecay)} is invalid; expected 'coupled' or 'decoupled'`,
    );
  }
  const rules = Array.isArray(rule) ? rule : [rule as GradientTransformation];
  const decay = addDecayedWeights(() => group.weightDecay);
  return chain(
    scale(() => (group.maximize ? -1 : 1)),
    ...(weightDecay === 'coupled' ? [decay] : []),
    ...rules,
    ...(weightDecay === 'decoupled' ? [decay] : []),
    scaleByLearningRate(() => group.lr),
  );
}
