import { optimizerContract } from '@hw3/optim/testing';
import { describe, expect, it } from 'vitest';
import {
  createOptimizer,
  DEFAULT_LR,
  OPTIMIZER_TABLE,
  OPTIMIZERS,
  type OptimizerName,
} from './optimizers.js';

// Every row of the table, as the playground builds it, keeps @hw3/optim's optimizer contract.
describe.each(OPTIMIZERS)('playground optimizer %s', (name: OptimizerName) => {
  it.each(Object.keys(optimizerContract))('keeps the optimizer contract: %s', (check) => {
    optimizerContract[check]((params, { maximize }) =>
      createOptimizer(name, params, DEFAULT_LR[name], { maximize }),
    );
  });
});

describe('the optimizer table', () => {
  it('derives names, default learning rates and labels from one row each', () => {
    expect(OPTIMIZERS).toEqual(Object.keys(OPTIMIZER_TABLE));
    for (const name of OPTIMIZERS) {
      expect(DEFAULT_LR[name]).toBe(OPTIMIZER_TABLE[name].lr);
      expect(OPTIMIZER_TABLE[name].label.length).toBeGreaterThan(0);
    }
  });
});
