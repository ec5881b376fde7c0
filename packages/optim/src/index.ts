export {
  Adagrad,
  type AdagradHyperparams,
  type AdagradOptions,
  type ScaleByAdagradOptions,
  type ScaleByAdagradState,
  scaleByAdagrad,
} from './adagrad';
export {
  Adam,
  type AdamHyperparams,
  type AdamOptions,
  AdamW,
  type ScaleByAdamOptions,
  type ScaleByAdamState,
  scaleByAdam,
} from './adam';
export {
  type ClipGradNormOptions,
  clipByGlobalNorm,
  clipByValue,
  clipGradNorm,
  clipGradValue,
  globalNorm,
} from './clip';
export { type DescentHyperparams, descent, type WeightDecayMode } from './descent';
export { checkHyper, NonFiniteNormError, OptimError, type OptimErrorCode, type RangeSpec } from './errors';
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
} from './gradient-transformation';
export {
  NAdam,
  type NAdamHyperparams,
  type NAdamOptions,
  type ScaleByNadamOptions,
  type ScaleByNadamState,
  scaleByNadam,
} from './nadam';
export {
  type Hyperparams,
  type NumericKeys,
  Optimizer,
  type OptimizerSpec,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ScheduleMap,
} from './optimizer';
export { type FloatArray, gradOf, type ParamLike } from './param';
export {
  type HasLearningRate,
  ReduceOnPlateau,
  type ReduceOnPlateauOptions,
  type ReduceOnPlateauState,
} from './reduce-on-plateau';
export {
  RMSprop,
  type RMSpropHyperparams,
  type RMSpropOptions,
  type ScaleByRmsOptions,
  type ScaleByRmsState,
  scaleByRms,
} from './rmsprop';
export {
  constantSchedule,
  cosineSchedule,
  exponentialSchedule,
  inverseSqrtSchedule,
  joinSchedules,
  linearWarmupSchedule,
  multiStepSchedule,
  oneCycleSchedule,
  resolveScalar,
  type ScalarOrSchedule,
  type Schedule,
  stepSchedule,
  warmupCosineSchedule,
} from './schedules';
export { SGD, type SGDHyperparams, type SGDOptions } from './sgd';
export {
  decodeNumber,
  encodeNumber,
  type PlainValue,
  restoreState,
  type StateToJSONOptions,
  stateToJSON,
} from './state-json';

export const VERSION = '0.1.0';
