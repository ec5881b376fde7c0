/**
 * Where a run's time goes besides the training step's math: batch assembly (with shift augmentation when it is on)
 * and held-out evaluation. The Trainer adds to it; the CLI prints it at the end of a run. Timing only: nothing here
 * changes a result. Environment-neutral (performance.now exists in Node and browsers).
 */

export class PipelineTimings {
  /** Training batches assembled, and the seconds it took (pixel bytes → floats, shifts, labels). */
  batches = 0;
  batchSeconds = 0;
  /** Whether those batches were shifted (shift augmentation on). */
  shifted = false;
  /** Held-out evaluations (one per epoch in the CLI), their digits and the seconds they took in total. */
  evaluations = 0;
  evalDigits = 0;
  evalSeconds = 0;
  /** The part of evalSeconds spent assembling the evaluation batches. */
  evalFillSeconds = 0;

  reset(): void {
    this.batches = 0;
    this.batchSeconds = 0;
    this.shifted = false;
    this.evaluations = 0;
    this.evalDigits = 0;
    this.evalSeconds = 0;
    this.evalFillSeconds = 0;
  }

  /**
   * One line: each part in seconds and as a share of `trainSeconds` (the time of the training steps, which includes
   * the batch assembly).
   */
  summary(trainSeconds: number): string {
    const pct = (s: number) => (trainSeconds > 0 ? `${((100 * s) / trainSeconds).toFixed(1)} %` : 'n/a');
    const ms = (s: number, n: number) => (n > 0 ? `${((1000 * s) / n).toFixed(3)} ms` : 'n/a');
    return (
      `Pipeline: batch assembly${this.shifted ? ' + shift augmentation' : ''} ${this.batchSeconds.toFixed(2)} s ` +
      `(${pct(this.batchSeconds)} of the ${trainSeconds.toFixed(1)} s of training steps, ` +
      `${ms(this.batchSeconds, this.batches)} per batch); ` +
      `held-out evaluation ${this.evalSeconds.toFixed(2)} s (${pct(this.evalSeconds)}; ` +
      `${this.evaluations} × ${this.evaluations > 0 ? Math.round(this.evalDigits / this.evaluations) : 0} digits, ` +
      `batch assembly ${this.evalFillSeconds.toFixed(3)} s of it)`
    );
  }
}
