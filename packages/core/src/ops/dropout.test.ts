import { describe, expect, test } from 'vitest';
import { ones } from '../creation';
import { ValueError } from '../errors';
import { dropout } from './dropout';

describe('dropout options (found by apps/fuzz)', () => {
  test.each([null, 3, 'train'])('options %j is a ValueError naming options, not a TypeError', (bad) => {
    expect(() => dropout(ones([2, 3]), 0.5, bad as never)).toThrow(ValueError);
    expect(() => dropout(ones([2, 3]), 0.5, bad as never)).toThrow(/dropout: options must be an object/);
  });
});
