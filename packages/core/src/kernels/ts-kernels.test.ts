import { kernelConformanceTests } from './conformance';
import { tsKernels } from './ts-kernels';

kernelConformanceTests(tsKernels);
