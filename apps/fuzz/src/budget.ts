import type { PackageName } from './harness';

/** Share of a total budget per entry point (roughly by the number and cost of its targets). */
export const BUDGET_SHARE: Record<PackageName, number> = {
  '@hw3/shape': 0.2,
  '@hw3/core': 0.38,
  '@hw3/core/testing': 0.02,
  '@hw3/core/threads': 0.01,
  '@hw3/batchnorm': 0.11,
  '@hw3/losses': 0.14,
  '@hw3/optim': 0.13,
  '@hw3/optim/testing': 0.01,
  // Subpath exports are fuzzed by their package's targets (registry.ts, entriesOf), under the package's share.
  '@hw3/shape/summary': 0,
  '@hw3/core/kernels': 0,
  '@hw3/core/safetensors': 0,
  '@hw3/optim/schedules': 0,
  '@hw3/optim/transforms': 0,
};
