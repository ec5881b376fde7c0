// @hw3/shape's exports from the root and its subpath, for the targets (see entries/core.ts).
export * from '@hw3/shape';
export * from '@hw3/shape/summary';
