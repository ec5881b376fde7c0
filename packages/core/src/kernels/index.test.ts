import { afterEach, describe, expect, it } from 'vitest';
import { ValueError } from '../errors';
import { getKernels, type Kernels, setKernels, tsKernels } from './index';

describe('getKernels / setKernels', () => {
  afterEach(() => setKernels(tsKernels));

  it('defaults to the WebAssembly SIMD kernels (Node 20 has SIMD128; relaxed SIMD only behind a flag)', () => {
    expect(['wasm-simd', 'wasm-relaxed-simd']).toContain(getKernels().name);
  });

  it('replaces the active kernels', () => {
    const custom: Kernels = { ...tsKernels, name: 'custom' };
    setKernels(custom);
    expect(getKernels()).toBe(custom);
  });

  it('rejects an object missing a kernel, naming the method', () => {
    const broken = { ...tsKernels, conv2dBackwardWeight: undefined } as unknown as Kernels;
    expect(() => setKernels(broken)).toThrow(/conv2dBackwardWeight/);
    expect(getKernels()).toBe(tsKernels);
  });

  it('rejects junk with a typed ValueError, not a TypeError (found by apps/fuzz)', () => {
    for (const bad of [undefined, null, 3, {}, { gemm: () => 0 }]) {
      expect(() => setKernels(bad as never)).toThrow(ValueError);
      expect(() => setKernels(bad as never)).toThrow(/setKernels: kernels\.\w+ must be a function/);
    }
    expect(getKernels()).toBe(tsKernels);
  });
});
