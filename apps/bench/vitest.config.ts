import { defineConfig } from 'vitest/config';

// Tests read the @hw3 packages from source ("@hw3/source" condition). They never need PyTorch or TensorFlow.js.
export default defineConfig({
  resolve: { conditions: ['@hw3/source', 'module', 'browser', 'import', 'default'] },
  ssr: { resolve: { conditions: ['@hw3/source', 'node', 'import', 'default'] } },
  test: { include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
