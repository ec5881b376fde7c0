import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { classify, Defect, runTarget, type Target } from './harness';

class TypedError extends Error {}
const isTyped = (e: unknown) => e instanceof TypedError;
const target = (run: (input: unknown) => unknown): Target => ({
  pkg: '@hw3/shape',
  name: 'x',
  variant: 'test',
  arb: fc.constant({}),
  run,
});

describe('outcome classification', () => {
  test('a returned value is a result, a typed error a typed error', () => {
    expect(
      classify(
        target(() => 1),
        {},
        isTyped,
        1000,
      ),
    ).toBe('result');
    expect(
      classify(
        target(() => {
          throw new TypedError('lr = -1 is invalid');
        }),
        {},
        isTyped,
        1000,
      ),
    ).toBe('typed');
  });
  test('a TypeError / RangeError / wasm trap from inside is a defect', () => {
    for (const e of [
      new TypeError('x is undefined'),
      new RangeError('Invalid typed array length'),
      new WebAssembly.RuntimeError('unreachable'),
    ]) {
      expect(() =>
        classify(
          target(() => {
            throw e;
          }),
          {},
          isTyped,
          1000,
        ),
      ).toThrow(Defect);
    }
  });
  test('a corrupted argument must be refused, and the message must name it and its value', () => {
    const bad = { bad: { arg: 'lr', value: -1 } };
    expect(() =>
      classify(
        target(() => 1),
        bad,
        isTyped,
        1000,
      ),
    ).toThrow(/accepted invalid lr = -1/);
    const throws = (m: string) =>
      target(() => {
        throw new TypedError(m);
      });
    expect(classify(throws('SGD: lr = -1 is invalid'), bad, isTyped, 1000)).toBe('typed');
    expect(() => classify(throws('SGD: bad value'), bad, isTyped, 1000)).toThrow(
      /does not name the argument/,
    );
    expect(() => classify(throws('SGD: lr is invalid'), bad, isTyped, 1000)).toThrow(
      /does not show the value/,
    );
  });
  test('a call slower than the limit is a defect (the hang bound for calls that return)', () => {
    const slow = target(() => {
      const end = performance.now() + 30;
      while (performance.now() < end) {
        // busy
      }
    });
    expect(() => classify(slow, {}, isTyped, 5)).toThrow(/limit 5 ms/);
  });
  test('runTarget counts outcomes and reports the seed and the shrunk counterexample of a defect', () => {
    const t: Target<number> = {
      pkg: '@hw3/core',
      name: 'half',
      variant: 'test',
      arb: fc.integer({ min: 0, max: 1000 }),
      run: (n) => {
        if (n > 500) throw new TypeError('boom');
        if (n % 2 === 1) throw new TypedError('odd');
      },
    };
    const s = runTarget(t as Target, isTyped, { seed: 7, numRuns: 200 });
    expect(s.defects).toBe(1);
    expect(s.failure).toMatch(/seed 7, path/);
    expect(s.failure).toMatch(/counterexample: 501/);
    const ok = runTarget({ ...t, arb: fc.integer({ min: 0, max: 500 }) } as Target, isTyped, {
      seed: 7,
      numRuns: 200,
    });
    expect(ok).toMatchObject({ tried: 200, defects: 0 });
    expect(ok.results + ok.typed).toBe(200);
    expect(ok.results).toBeGreaterThan(0);
    expect(ok.typed).toBeGreaterThan(0);
  });
});
