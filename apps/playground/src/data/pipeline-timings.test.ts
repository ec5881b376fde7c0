import { describe, expect, it } from 'vitest';
import { EVAL_BATCH, Trainer } from '../train/loop.js';
import { tiny } from '../train/test-helpers.js';
import { loadMnist } from './mnist-cache.node.js';
import { PipelineTimings } from './pipeline-timings.js';

describe('PipelineTimings', () => {
  it('counts every training batch and every held-out evaluation of a run', () => {
    const t = new Trainer(loadMnist(), { ...tiny, epochs: 1, maxShift: 1 });
    while (!t.epochComplete) t.trainStep();
    t.finishEpoch();
    const p = t.pipeline;
    expect(p.batches).toBe(t.stepsPerEpoch);
    expect(p.shifted).toBe(true);
    expect(p.evaluations).toBe(1);
    expect(p.evalDigits).toBe(100);
    expect(p.batchSeconds).toBeGreaterThan(0);
    expect(p.evalSeconds).toBeGreaterThanOrEqual(p.evalFillSeconds);
    expect(p.evalFillSeconds).toBeGreaterThan(0);
  });

  it('prints each part in seconds and as a share of the training steps', () => {
    const p = new PipelineTimings();
    p.batches = 100;
    p.batchSeconds = 0.05;
    p.evaluations = 2;
    p.evalDigits = 4000;
    p.evalSeconds = 0.4;
    p.evalFillSeconds = 0.01;
    expect(p.summary(10)).toBe(
      'Pipeline: batch assembly 0.05 s (0.5 % of the 10.0 s of training steps, 0.500 ms per batch); ' +
        'held-out evaluation 0.40 s (4.0 %; 2 × 2000 digits, batch assembly 0.010 s of it)',
    );
    p.shifted = true;
    expect(p.summary(0)).toContain('batch assembly + shift augmentation 0.05 s (n/a');
    p.reset();
    expect(p.summary(1)).toContain('0.00 s (0.0 %');
  });

  it('held-out evaluation counts the same digits as correct at every evaluation batch size', () => {
    const t = new Trainer(loadMnist(), { ...tiny, epochs: 1, limitHeldOut: 1000 });
    while (!t.epochComplete) t.trainStep();
    const reference = t.evaluateDetailed(t.heldOutIndices, 100); // not EVAL_BATCH (200)
    expect(reference.correct).toBeGreaterThan(100); // trained: well above chance, so the comparison means something
    for (const batchSize of [EVAL_BATCH, 50, 1000]) {
      expect(t.evaluateDetailed(t.heldOutIndices, batchSize)).toEqual(reference);
    }
  });
});
