/**
 * `@hw3/optim/transforms`: the optax-style layer under the optimizers — gradient transformations with an explicit
 * state (`chain`, `scale`, `scaleByAdam`, ..., `applyUpdates`), `descent`, and what it takes to define an optimizer
 * of your own (`OptimizerSpec`, `checkHyper`, the state-JSON helpers). See "How to add an optimizer" in the README.
 */
export { type ScaleByAdagradOptions, type ScaleByAdagradState, scaleByAdagrad } from '../adagrad';
export { type ScaleByAdamOptions, type ScaleByAdamState, scaleByAdam } from '../adam';
export { clipByGlobalNorm, clipByValue } from '../clip';
export { type DescentHyperparams, descent, type WeightDecayMode } from '../descent';
export { checkHyper, type RangeSpec } from '../errors';
export {
  addDecayedWeights,
  applyUpdates,
  type CountState,
  chain,
  type GradientTransformation,
  scale,
  scaleByLearningRate,
  type TraceState,
  trace,
  type Updates,
} from '../gradient-transformation';
export { type ScaleByNadamOptions, type ScaleByNadamState, scaleByNadam } from '../nadam';
export type { Hyperparams, NumericKeys, OptimizerSpec } from '../optimizer';
export { type ScaleByRmsOptions, type ScaleByRmsState, scaleByRms } from '../rmsprop';
export {
  decodeNumber,
  encodeNumber,
  type PlainValue,
  restoreState,
  type StateToJSONOptions,
  stateToJSON,
} from '../state-json';
