import { describe, expect, it } from 'vitest';
import { kernelConformanceTests } from './conformance';
import { tsKernels } from './ts-kernels';

kernelConformanceTests(tsKernels, { describe, it, expect });
