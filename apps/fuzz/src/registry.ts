/**
 * Which packages are fuzzed, which error classes count as "typed" for each, and which exports need no target.
 * `uncoveredExports()` enumerates every export of every entry point at run time, so a new export without a
 * fuzz target (and not in ALLOWED_WITHOUT_TARGET) fails the suite.
 */
import * as batchnorm from '@hw3/batchnorm';
import * as core from '@hw3/core';
import * as coreKernels from '@hw3/core/kernels';
import * as coreSafetensors from '@hw3/core/safetensors';
import * as coreTesting from '@hw3/core/testing';
import * as coreThreads from '@hw3/core/threads';
import * as losses from '@hw3/losses';
import * as optim from '@hw3/optim';
import * as optimSchedules from '@hw3/optim/schedules';
import * as optimTesting from '@hw3/optim/testing';
import * as optimTransforms from '@hw3/optim/transforms';
import * as shape from '@hw3/shape';
import * as shapeSummary from '@hw3/shape/summary';
import type { PackageName, Target, TypedErrorCheck } from './harness';

export const MODULES: Record<PackageName, Record<string, unknown>> = {
  '@hw3/shape': shape,
  '@hw3/shape/summary': shapeSummary,
  '@hw3/core': core,
  '@hw3/core/kernels': coreKernels,
  '@hw3/core/safetensors': coreSafetensors,
  '@hw3/core/testing': coreTesting,
  '@hw3/core/threads': coreThreads,
  '@hw3/batchnorm': batchnorm,
  '@hw3/losses': losses,
  '@hw3/optim': optim,
  '@hw3/optim/schedules': optimSchedules,
  '@hw3/optim/transforms': optimTransforms,
  '@hw3/optim/testing': optimTesting,
};

export const PACKAGES = Object.keys(MODULES) as PackageName[];

// @hw3/core's errors (Hw3Error: ValueError, StateDictError, SafetensorsError, GradcheckError, LossError, ...)
// plus @hw3/shape's ShapeError, which core re-exports and throws for shape problems.
const isCoreError = (e: unknown): boolean => e instanceof core.Hw3Error || e instanceof shape.ShapeError;

export const TYPED_ERRORS: Record<PackageName, TypedErrorCheck> = {
  '@hw3/shape': (e) => e instanceof shape.ShapeError,
  '@hw3/shape/summary': (e) => e instanceof shape.ShapeError,
  '@hw3/core': isCoreError,
  '@hw3/core/kernels': isCoreError,
  '@hw3/core/safetensors': isCoreError,
  '@hw3/core/testing': (e) => e instanceof coreTesting.GradcheckError || isCoreError(e),
  '@hw3/core/threads': isCoreError,
  // batchnorm throws core's ValueError / ShapeError (it has no error class of its own).
  '@hw3/batchnorm': isCoreError,
  // losses throws LossError (an Hw3Error); tensors it builds may throw core's errors.
  '@hw3/losses': (e) => e instanceof losses.LossError || isCoreError(e),
  // optim has no runtime dependency: OptimError (NonFiniteNormError extends it) only.
  '@hw3/optim': (e) => e instanceof optim.OptimError,
  '@hw3/optim/schedules': (e) => e instanceof optim.OptimError,
  '@hw3/optim/transforms': (e) => e instanceof optim.OptimError,
  // OptimizerContractError extends OptimError.
  '@hw3/optim/testing': (e) => e instanceof optim.OptimError,
};

/**
 * Exports that are not functions to fuzz. Each entry says why; everything else needs a target.
 */
export const ALLOWED_WITHOUT_TARGET: Record<string, string> = {
  // Version strings.
  '@hw3/shape:VERSION': 'a string constant',
  '@hw3/core:VERSION': 'a string constant',
  '@hw3/core:SHAPE_VERSION': 'a string constant',
  '@hw3/batchnorm:VERSION': 'a string constant',
  '@hw3/losses:VERSION': 'a string constant',
  '@hw3/optim:VERSION': 'a string constant',
  // Data constants: used as inputs by targets instead.
  '@hw3/shape/summary:mnistCnnBn': 'a NetworkSpec constant; summarizeNetwork is fuzzed with it',
  '@hw3/core/kernels:tsKernels':
    'the kernel table; its methods take geometry the ops validated, and every op target runs on it and on the wasm kernels',
  // Error classes are the oracle itself: every typed-error check is an instanceof test against them.
  '@hw3/shape:ShapeError': 'error class (the typed-error oracle)',
  '@hw3/core:ShapeError': 'error class (the typed-error oracle)',
  '@hw3/core:Hw3Error': 'error class (the typed-error oracle)',
  '@hw3/core:ValueError': 'error class (the typed-error oracle)',
  '@hw3/core:StateDictError': 'error class (the typed-error oracle)',
  '@hw3/core:TensorReleasedError': 'error class (the typed-error oracle; tidy targets read released tensors)',
  '@hw3/core/safetensors:SafetensorsError': 'error class (the typed-error oracle)',
  '@hw3/core/testing:GradcheckError': 'error class (the typed-error oracle)',
  '@hw3/losses:LossError': 'error class (the typed-error oracle)',
  '@hw3/optim:OptimError': 'error class (the typed-error oracle)',
  '@hw3/optim:NonFiniteNormError': 'error class (the typed-error oracle)',
  '@hw3/optim/testing:OptimizerContractError': 'error class (the typed-error oracle)',
  '@hw3/optim/testing:optimizerContract': 'a table of the check* functions, each fuzzed by name',
  '@hw3/core/kernels:kernelDescriptors':
    'a data table describing the kernels (setKernels and the wasm glue read it)',
};

/**
 * The entry points a target of `pkg` may name an export of: `pkg` itself and its subpaths (a target names the
 * package; the export may have moved to a subpath such as `@hw3/optim/schedules`). The `/testing` and
 * `/threads` entry points have targets of their own.
 */
function entriesOf(pkg: PackageName): PackageName[] {
  return PACKAGES.filter(
    (m) => m === pkg || (m.startsWith(`${pkg}/`) && !m.endsWith('/testing') && !m.endsWith('/threads')),
  );
}

/** `pkg:name` of every export that has neither a target nor an allow-list entry. */
export function uncoveredExports(targets: readonly Target<never>[]): string[] {
  const covered = new Set(
    targets.flatMap((t) =>
      entriesOf(t.pkg)
        .filter((m) => t.name in MODULES[m])
        .map((m) => `${m}:${t.name}`),
    ),
  );
  const missing: string[] = [];
  for (const pkg of PACKAGES) {
    for (const name of Object.keys(MODULES[pkg])) {
      const key = `${pkg}:${name}`;
      if (!covered.has(key) && ALLOWED_WITHOUT_TARGET[key] === undefined) missing.push(key);
    }
  }
  return missing;
}

/** Targets that name an export that does not exist (a renamed or moved export). */
export function staleTargets(targets: readonly Target<never>[]): string[] {
  return targets
    .filter((t) => !entriesOf(t.pkg).some((m) => t.name in MODULES[m]))
    .map((t) => `${t.pkg}:${t.name}`);
}
