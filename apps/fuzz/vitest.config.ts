import { defineConfig } from 'vitest/config';

// The fuzz targets read the @hw3 packages from source through the "@hw3/source" export condition,
// so `npx vitest run` works in a fresh clone without building anything first.
export default defineConfig({
  resolve: { conditions: ['@hw3/source', 'module', 'browser', 'import', 'default'] },
  ssr: { resolve: { conditions: ['@hw3/source', 'node', 'import', 'default'] } },
  // The bounded budget shares two cores with the rest of `npm test`: generous timeouts, one file.
  test: { include: ['src/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 60_000 },
});
