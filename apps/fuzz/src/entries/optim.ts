// @hw3/optim's exports from the root and its subpaths, for the targets (see entries/core.ts).
export * from '@hw3/optim';
export * from '@hw3/optim/schedules';
export * from '@hw3/optim/transforms';
