import { describe, expect, test } from 'vitest';
import { zeros } from '../creation';
import { ValueError } from '../errors';
import { Rng } from '../rng';
import { fillUniform, kaimingUniformBound } from './init';

describe('initialisers with bad arguments (found by apps/fuzz)', () => {
  test('kaimingUniformBound: 1/√fanIn by default, a typed error instead of NaN for NaN / non-number inputs', () => {
    expect(kaimingUniformBound(4)).toBeCloseTo(0.5, 15);
    expect(kaimingUniformBound(0)).toBe(0);
    expect(() => kaimingUniformBound(3, Number.NaN)).toThrow(/a=NaN/);
    expect(() => kaimingUniformBound(Number.NaN)).toThrow(ValueError);
    expect(() => kaimingUniformBound('3' as never)).toThrow(/fanIn=3/);
  });
  test('fillUniform: a ValueError naming t, bound or rng instead of a TypeError', () => {
    const t = zeros([3]);
    fillUniform(t, 0.5, new Rng(1));
    expect(t.data.every((v) => v >= -0.5 && v <= 0.5)).toBe(true);
    expect(() => fillUniform(null as never, 1, new Rng(1))).toThrow(/fillUniform: t must be a Tensor/);
    expect(() => fillUniform(t, undefined as never, new Rng(1))).toThrow(
      /fillUniform: bound must be a finite number >= 0, got undefined/,
    );
    expect(() => fillUniform(t, -1, new Rng(1))).toThrow(ValueError);
    expect(() => fillUniform(t, 1, undefined as never)).toThrow(/fillUniform: rng must be an Rng/);
  });
});
