// @hw3/core's exports from all its fuzzed entry points, for the targets: a target names the package, its export may
// live at the root or in a subpath (registry.ts maps it to the entry point that exports it).
export * from '@hw3/core';
export * from '@hw3/core/kernels';
export * from '@hw3/core/safetensors';
