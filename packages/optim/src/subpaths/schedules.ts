/**
 * `@hw3/optim/schedules`: learning-rate (or any hyperparameter) schedules, t ↦ value for t = 1, 2, ..., and
 * ReduceOnPlateau. Pass a schedule as `schedule: { lr: cosineSchedule({ ... }) }` to any optimizer, or as a
 * hyperparameter of a gradient transformation.
 */
export {
  type HasLearningRate,
  ReduceOnPlateau,
  type ReduceOnPlateauOptions,
  type ReduceOnPlateauState,
} from '../reduce-on-plateau';
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
} from '../schedules';
