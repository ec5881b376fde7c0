/**
 * `@hw3/optim`: the optimizers (PyTorch style), their state dicts and gradient clipping. Schedules are in
 * `@hw3/optim/schedules`, the optax-style gradient transformations and the optimizer-authoring API in
 * `@hw3/optim/transforms`, the optimizer contract in `@hw3/optim/testing`.
 */
import { version as packageVersion } from '../package.json';

export { Adagrad, type AdagradHyperparams, type AdagradOptions } from './adagrad';
export { Adam, type AdamHyperparams, type AdamOptions, AdamW } from './adam';
export { type ClipGradNormOptions, clipGradNorm, clipGradValue, globalNorm } from './clip';
export { NonFiniteNormError, OptimError, type OptimErrorCode } from './errors';
export { NAdam, type NAdamHyperparams, type NAdamOptions } from './nadam';
export {
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ScheduleMap,
} from './optimizer';
export { type FloatArray, gradOf, type ParamLike } from './param';
export { RMSprop, type RMSpropHyperparams, type RMSpropOptions } from './rmsprop';
export type { ScalarOrSchedule, Schedule } from './schedules';
export { SGD, type SGDHyperparams, type SGDOptions } from './sgd';

/** The package version (from its package.json, inlined at build time). */
export const VERSION: string = packageVersion;
