import { describe, expect, test } from 'vitest';
import { normal, uniform } from './creation';
import { ValueError } from './errors';
import { defaultRng, manualSeed, Rng } from './rng';

describe('Rng', () => {
  test('same seed gives the same stream; different seeds differ', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 10 }, () => a.next());
    const sb = Array.from({ length: 10 }, () => b.next());
    const sc = Array.from({ length: 10 }, () => c.next());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    for (const v of sa) expect(v >= 0 && v < 1).toBe(true);
  });

  test('xoshiro128** reference outputs from state [1, 2, 3, 4]', () => {
    const r = new Rng(0);
    r.setState([1, 2, 3, 4]);
    // Worked by hand from the reference C code: rotl(s1·5, 7)·9, then the state update.
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  test('getState/setState continue exactly, including the Box-Muller spare', () => {
    const r = new Rng(7);
    r.normal(); // leaves a spare
    const state = r.getState();
    const expected = [r.normal(), r.next(), r.normal()];
    const s = new Rng(0);
    s.setState(state);
    expect([s.normal(), s.next(), s.normal()]).toEqual(expected);
    expect(() => s.setState([0, 0, 0, 0])).toThrow(ValueError);
    expect(() => s.setState([1, 2, 3])).toThrow(ValueError);
    expect(() => s.setState([1.5, 2, 3, 4])).toThrow(ValueError);
  });

  test('moments: uniform mean 1/2, var 1/12; normal mean 0, var 1', () => {
    const r = new Rng(1);
    const n = 200000;
    let su = 0;
    let su2 = 0;
    let sn = 0;
    let sn2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      su += u;
      su2 += u * u;
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(su2 / n - (su / n) ** 2).toBeCloseTo(1 / 12, 2);
    expect(sn / n).toBeCloseTo(0, 1);
    expect(sn2 / n).toBeCloseTo(1, 1);
  });

  test('int is in range and roughly uniform; shuffle permutes', () => {
    const r = new Rng(3);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 50000; i++) counts[r.int(5)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
    expect(() => r.int(0)).toThrow(ValueError);
    const a = Array.from({ length: 20 }, (_, i) => i);
    r.shuffle(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test('uniform/normal tensors are reproducible and use the default rng after manualSeed', () => {
    const a = uniform([3, 4], -1, 2, { rng: new Rng(5), dtype: 'float64' });
    const b = uniform([3, 4], -1, 2, { rng: new Rng(5), dtype: 'float64' });
    expect(a.toArray()).toEqual(b.toArray());
    for (const v of a.data) expect(v >= -1 && v < 2).toBe(true);
    manualSeed(11);
    const c = normal([5], 0, 1);
    manualSeed(11);
    const d = normal([5], 0, 1);
    expect(c.toArray()).toEqual(d.toArray());
    expect(defaultRng()).toBeInstanceOf(Rng);
    expect(() => uniform([2], 1, 0)).toThrow(ValueError);
    expect(() => normal([2], 0, -1)).toThrow(ValueError);
  });
});

describe('Rng methods with bad arguments (found by apps/fuzz)', () => {
  test('uniform / normal refuse non-finite or non-number bounds instead of returning NaN', () => {
    const r = new Rng(1);
    expect(() => r.uniform('x' as never, 2)).toThrow(/uniform\(lo, hi\): need finite numbers, got lo=x/);
    expect(() => r.uniform(0, Number.NaN)).toThrow(ValueError);
    expect(() => r.normal(0, -1)).toThrow(/std >= 0, got mean=0, std=-1/);
    expect(() => r.normal(Number.POSITIVE_INFINITY, 1)).toThrow(ValueError);
    expect(Number.isFinite(r.uniform(-1, 1)) && Number.isFinite(r.normal())).toBe(true);
  });
  test('shuffle refuses a non-array with a ValueError, not a TypeError', () => {
    expect(() => new Rng(1).shuffle(null as never)).toThrow(/shuffle\(a\): a must be an array/);
    expect(() => new Rng(1).shuffle(3 as never)).toThrow(ValueError);
  });
});
