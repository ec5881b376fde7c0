import { getKernels } from '@hw3/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { selectKernels } from './kernels.js';

// What `@hw3/core/threads` gives: nothing (no shared memory), or kernels whose worker fails to start.
const threads = vi.hoisted(() => ({
  mode: 'unavailable' as 'unavailable' | 'fails',
  disposed: 0,
  created: 0,
}));
vi.mock('@hw3/core/threads', () => ({
  createThreadedWasmKernels: () =>
    ++threads.created > 0 && threads.mode === 'unavailable'
      ? null
      : {
          name: 'fake-2threads',
          parallel: false,
          ready: () => Promise.resolve(false),
          dispose: () => {
            threads.disposed++;
          },
        },
}));

afterEach(() => {
  threads.disposed = 0;
  threads.created = 0;
});

describe('selectKernels falls back to one thread cleanly', () => {
  it.each(['unavailable', 'fails'] as const)(
    'two-thread kernels %s: one thread, kernels unchanged',
    async (mode) => {
      threads.mode = mode;
      const before = getKernels();
      const asked = await selectKernels(2);
      expect(asked.threads).toBe(1);
      expect(asked.name).toBe(before.name);
      expect(asked.note).toMatch(
        /--threads 2: the two-thread kernels are not available here.*using one thread/,
      );
      const auto = await selectKernels(null);
      expect(auto.threads).toBe(1);
      expect(auto.note).toBeNull(); // the default asks for nothing: no note
      auto.restore();
      asked.restore();
      expect(getKernels()).toBe(before);
      expect(threads.created).toBe(2);
      expect(threads.disposed).toBe(mode === 'fails' ? 2 : 0); // a worker that failed is stopped
    },
  );

  it('--threads 1 does not start a worker', async () => {
    threads.mode = 'fails';
    const one = await selectKernels(1);
    expect(one).toMatchObject({ threads: 1, note: null });
    expect(threads.created).toBe(0);
  });
});
