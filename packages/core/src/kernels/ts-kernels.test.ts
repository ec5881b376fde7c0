import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors';
import { kernelConformanceTests } from './conformance';
import { tsKernels } from './ts-kernels';

kernelConformanceTests(tsKernels, { describe, it, expect });

describe('kernelConformanceTests with junk arguments (found by apps/fuzz)', () => {
  it('refuses a non-kernel table or a test API without describe/it/expect with a ValueError, not a TypeError', () => {
    expect(() => kernelConformanceTests(undefined as never, { describe, it, expect })).toThrow(
      /kernelConformanceTests: kernels must be a kernel table/,
    );
    expect(() => kernelConformanceTests(tsKernels, undefined as never)).toThrow(
      /api must be \{ describe, it, expect \}/,
    );
    expect(() => kernelConformanceTests(tsKernels, { describe } as never)).toThrow(ValueError);
  });
});
