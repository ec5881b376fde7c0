import { defineConfig } from 'vitest/config';

// Tests read sibling @hw3 packages from source through the "@hw3/source" export condition,
// so `npx vitest run` works in a fresh clone without building anything first.
export default defineConfig({
  resolve: { conditions: ['@hw3/source', 'module', 'browser', 'import', 'default'] },
  ssr: { resolve: { conditions: ['@hw3/source', 'node', 'import', 'default'] } },
  // Generous timeouts: property tests and gradchecks share two cores with the rest of `npm test`.
  test: { include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
