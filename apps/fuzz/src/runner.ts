/** Splits a budget over the targets of a package by weight and runs them in order. */
import { type PackageName, type RunOptions, runTarget, type Target, type TargetStats } from './harness';
import { TYPED_ERRORS } from './registry';

export interface PackageRunOptions extends Omit<RunOptions, 'numRuns'> {
  /** Inputs for the whole package (split over its targets by weight, at least 1 each). */
  readonly budget: number;
  /** Only targets whose export name equals this. */
  readonly only?: string;
  /** Called when a target starts (the CLI watchdog reports it when a call hangs). */
  readonly onTarget?: (target: Target<never>) => void;
}

export function runPackage(
  pkg: PackageName,
  targets: readonly Target<never>[],
  options: PackageRunOptions,
): TargetStats[] {
  const mine = targets.filter(
    (t) => t.pkg === pkg && (options.only === undefined || t.name === options.only),
  );
  const totalWeight = mine.reduce((a, t) => a + (t.weight ?? 1), 0);
  const stats: TargetStats[] = [];
  for (const t of mine) {
    const numRuns = Math.max(1, Math.round((options.budget * (t.weight ?? 1)) / totalWeight));
    options.onTarget?.(t);
    stats.push(runTarget(t as Target, TYPED_ERRORS[pkg], { ...options, numRuns }));
  }
  return stats;
}
