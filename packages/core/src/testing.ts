/**
 * `@hw3/core/testing`: finite-difference gradient checking for ops, layers and custom ops.
 * Imports the package by name so that the ESM and CJS builds share one Tensor class with the main entry.
 */
import { Hw3Error, noGrad, Rng, Tensor, ValueError } from '@hw3/core';

export interface GradcheckOptions {
  /** Finite-difference step. Default 1e-6. */
  eps?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Relative tolerance (relative to |numeric|). Default 1e-3. */
  rtol?: number;
  /** Seed of the random output projection. Default 0. */
  seed?: number;
}

/** Thrown by gradcheck when an analytic gradient differs from the numeric one. */
export class GradcheckError extends Hw3Error {
  constructor(
    message: string,
    readonly inputIndex: number,
    readonly flatIndex: number,
    readonly analytic: number,
    readonly numeric: number,
  ) {
    super(message, 'GRADCHECK_FAILED');
  }
}

/**
 * Compares the gradients from `backward()` with central differences (f(x+eps) - f(x-eps)) / (2·eps) for every
 * element of every input that requires grad. Inputs must be float64. A non-scalar output is reduced to
 * L = Σ w ⊙ fn(...inputs) with a fixed random w (seeded), which checks the full vector-Jacobian product.
 * An element passes when |analytic - numeric| <= atol + rtol·|numeric|; otherwise throws a GradcheckError
 * naming the worst input index and flat index with both values. `fn` must be deterministic.
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  options: GradcheckOptions = {},
): void {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  if (!(eps > 0) || !(atol >= 0) || !(rtol >= 0)) {
    throw new ValueError(`gradcheck: need eps > 0, atol >= 0, rtol >= 0; got ${eps}, ${atol}, ${rtol}`);
  }
  if (typeof fn !== 'function') throw new ValueError('gradcheck: fn must be a function');
  if (!Array.isArray(inputs)) throw new ValueError('gradcheck: inputs must be an array of Tensors');
  let anyGrad = false;
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new ValueError(`gradcheck: inputs[${i}] must be a Tensor`);
    if (t.dtype !== 'float64') {
      throw new ValueError(
        `gradcheck: inputs[${i}] has dtype ${t.dtype}; finite differences need float64 inputs`,
        'DTYPE_MISMATCH',
      );
    }
    if (t.requiresGrad) anyGrad = true;
  });
  if (!anyGrad) {
    throw new ValueError(
      'gradcheck: no input has requiresGrad: true, so there is nothing to check',
      'NO_GRAD',
    );
  }

  const out = fn(...inputs);
  if (!(out instanceof Tensor)) throw new ValueError('gradcheck: fn must return a Tensor');
  if (out.dtype !== 'float64') {
    throw new ValueError(`gradcheck: fn returned dtype ${out.dtype}, expected float64`, 'DTYPE_MISMATCH');
  }
  const rng = new Rng(options.seed ?? 0);
  const w = new Float64Array(out.size);
  for (let i = 0; i < w.length; i++) w[i] = rng.normal();
  const project = (y: Tensor): number => {
    const d = y.data;
    let s = 0;
    for (let i = 0; i < d.length; i++) s += w[i] * d[i];
    return s;
  };

  // Analytic: ∂L/∂x by backward with upstream gradient w (existing .grad values are preserved).
  const savedGrads = inputs.map((t) => t.grad);
  for (const t of inputs) t.grad = null;
  let analytic: Array<Float64Array | null>;
  try {
    if (out.requiresGrad) out.backward(new Tensor(w.slice(), out.shape));
    analytic = inputs.map((t) =>
      t.requiresGrad
        ? t.grad === null
          ? new Float64Array(t.size)
          : (t.grad.data as Float64Array).slice()
        : null,
    );
  } finally {
    inputs.forEach((t, i) => {
      t.grad = savedGrads[i];
    });
  }

  let worst: { excess: number; input: number; index: number; a: number; n: number } | null = null;
  noGrad(() => {
    for (let i = 0; i < inputs.length; i++) {
      const a = analytic[i];
      if (a === null) continue;
      const x = inputs[i].data;
      for (let k = 0; k < x.length; k++) {
        const orig = x[k];
        x[k] = orig + eps;
        const fPlus = project(fn(...inputs));
        x[k] = orig - eps;
        const fMinus = project(fn(...inputs));
        x[k] = orig;
        const numeric = (fPlus - fMinus) / (2 * eps);
        const diff = Math.abs(a[k] - numeric);
        const allowed = atol + rtol * Math.abs(numeric);
        const excess = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff - allowed;
        if (excess > 0 && (worst === null || excess > worst.excess)) {
          worst = { excess, input: i, index: k, a: a[k], n: numeric };
        }
      }
    }
  });
  if (worst !== null) {
    const { input, index, a, n } = worst as { input: number; index: number; a: number; n: number };
    throw new GradcheckError(
      `gradcheck failed: input ${input}, flat index ${index} (shape [${inputs[input].shape.join(', ')}]): analytic ${a} vs numeric ${n} (|diff| ${Math.abs(a - n)} > atol ${atol} + rtol ${rtol}·|numeric|)`,
      input,
      index,
      a,
      n,
    );
  }
}
