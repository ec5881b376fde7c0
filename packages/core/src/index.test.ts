import { VERSION } from '@hw3/shape';
import { expect, test } from 'vitest';

test('reads shape from source', () => {
  expect(VERSION).toBe('0.1.0');
});
