/** Every entry point of @hw3/optim in one namespace, so targets keep working when exports move between subpaths. */
export * from '@hw3/optim';
export * from '@hw3/optim/schedules';
export * from '@hw3/optim/transforms';
