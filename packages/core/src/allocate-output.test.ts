import { describe, expect, it } from 'vitest';
import { allocateOutputLike } from './dtype';

describe('allocateOutputLike (op outputs a kernel overwrites entirely)', () => {
  it('has the element type and length asked for, on its own exactly sized buffer (never a shared pool slice)', () => {
    for (const like of [new Float32Array(1), new Float64Array(1)])
      for (const size of [0, 1, 4095, 4096, 401_408]) {
        const a = allocateOutputLike(like, size);
        expect(a.constructor).toBe(like.constructor);
        expect(a.length).toBe(size);
        expect(a.byteOffset).toBe(0);
        expect(a.buffer.byteLength).toBe(size * like.BYTES_PER_ELEMENT);
        expect(a.buffer).toBeInstanceOf(ArrayBuffer); // not a SharedArrayBuffer: safe to transfer / postMessage
      }
  });

  it('gives distinct buffers on every call (no aliasing between outputs)', () => {
    const like = new Float32Array(1);
    const a = allocateOutputLike(like, 8192);
    const b = allocateOutputLike(like, 8192);
    a.fill(1);
    b.fill(2);
    expect(a.buffer).not.toBe(b.buffer);
    expect(a[100]).toBe(1);
  });
});
