/** Every entry point of @hw3/shape in one namespace, so targets keep working when exports move between subpaths. */
export * from '@hw3/shape';
export * from '@hw3/shape/summary';
