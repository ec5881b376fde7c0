/**
 * `@hw3/core/testing`: finite-difference gradient checking for ops, layers and custom ops.
 * Imports the package by name so that the ESM and CJS builds share one Tensor class with the main entry.
 */
import { Hw3Error, noGrad, Tensor, ValueError } from '@hw3/core';

/** Options of `gradcheck`: the finite-difference step and the tolerances. */
export interface GradcheckOptions {
  /** Finite-difference step. Default 1e-6. */
  eps?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Relative tolerance (relative to |numeric|). Default 1e-3. */
  rtol?: number;
}

/** Thrown by gradcheck when an analytic Jacobian entry differs from the numeric one. */
export class GradcheckError extends Hw3Error {
  constructor(
    message: string,
    /** Which input (position in `inputs`). */
    readonly inputIndex: number,
    /** Flat (row-major) index of the input element. */
    readonly flatIndex: number,
    readonly analytic: number,
    readonly numeric: number,
    /** Flat index of the output element whose gradient is wrong. */
    readonly outputIndex = 0,
  ) {
    super(message, 'GRADCHECK_FAILED');
  }
}

/**
 * Checks the full Jacobian of `fn` at `inputs`, like PyTorch's `torch.autograd.gradcheck`. Analytic: one
 * backward per output element j with a one-hot upstream gradient gives row j, ∂out[j]/∂input (the graph is
 * kept between backward calls). Numeric: for every element k of every input with `requiresGrad`, central
 * differences (fn(x + eps·e_k) − fn(x − eps·e_k)) / (2·eps) give column k. Every entry must satisfy
 * |analytic − numeric| <= atol + rtol·|numeric|; otherwise a GradcheckError names the worst input, input
 * element, output element and both values. Inputs must be float64; `fn` must be deterministic. Cost:
 * out.size backward calls and 2·(checked input elements) forward calls, so keep the tensors small.
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
    throw new ValueError(
      `gradcheck: options need eps > 0, atol >= 0 and rtol >= 0; got eps=${eps}, atol=${atol}, rtol=${rtol}`,
      'INVALID_OPTIONS',
    );
  }
  if (typeof fn !== 'function') {
    throw new ValueError(`gradcheck: fn must be a function, got ${typeof fn}`, 'INVALID_INPUT');
  }
  if (!Array.isArray(inputs)) {
    throw new ValueError('gradcheck: inputs must be an array of Tensors', 'INVALID_INPUT');
  }
  let anyGrad = false;
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) {
      throw new ValueError(`gradcheck: inputs[${i}] must be a Tensor, got ${String(t)}`, 'INVALID_INPUT');
    }
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
  if (!(out instanceof Tensor)) throw new ValueError('gradcheck: fn must return a Tensor', 'INVALID_INPUT');
  if (out.dtype !== 'float64') {
    throw new ValueError(`gradcheck: fn returned dtype ${out.dtype}, expected float64`, 'DTYPE_MISMATCH');
  }
  const m = out.size;
  const outShape = out.shape;

  // Analytic Jacobians, one per checked input, row-major [m, input.size]: row j = backward(one-hot e_j).
  // Existing .grad values are restored afterwards.
  const analytic = inputs.map((t) => (t.requiresGrad ? new Float64Array(m * t.size) : null));
  const savedGrads = inputs.map((t) => t.grad);
  try {
    if (out.requiresGrad) {
      for (let j = 0; j < m; j++) {
        for (const t of inputs) t.grad = null;
        const seed = new Float64Array(m);
        seed[j] = 1;
        out.backward(new Tensor(seed, outShape));
        inputs.forEach((t, i) => {
          const a = analytic[i];
          if (a !== null && t.grad !== null) a.set(t.grad.data, j * t.size);
        });
      }
    }
  } finally {
    inputs.forEach((t, i) => {
      t.grad = savedGrads[i];
    });
  }

  const evaluate = (): Float64Array => {
    const y = fn(...inputs);
    if (!(y instanceof Tensor) || y.size !== m || y.dtype !== 'float64') {
      throw new ValueError(
        `gradcheck: fn must return the same shape and dtype every call; first [${outShape.join(', ')}] float64, then ${y instanceof Tensor ? `[${y.shape.join(', ')}] ${y.dtype}` : typeof y}`,
        'INVALID_INPUT',
      );
    }
    return y.data as Float64Array;
  };

  let worst: Worst | null = null;
  noGrad(() => {
    for (let i = 0; i < inputs.length; i++) {
      const a = analytic[i];
      if (a === null) continue;
      const x = inputs[i].data;
      const n = x.length;
      for (let k = 0; k < n; k++) {
        const orig = x[k];
        let fPlus: Float64Array;
        let fMinus: Float64Array;
        try {
          x[k] = orig + eps;
          fPlus = evaluate().slice();
          x[k] = orig - eps;
          fMinus = evaluate();
        } finally {
          x[k] = orig; // the caller's input is left as it was even when fn throws
        }
        for (let j = 0; j < m; j++) {
          const numeric = (fPlus[j] - fMinus[j]) / (2 * eps);
          const an = a[j * n + k];
          const diff = Math.abs(an - numeric);
          const excess = Number.isNaN(diff)
            ? Number.POSITIVE_INFINITY
            : diff - (atol + rtol * Math.abs(numeric));
          if (excess > 0 && (worst === null || excess > worst.excess)) {
            worst = { excess, input: i, index: k, output: j, a: an, n: numeric };
          }
        }
      }
    }
  });
  if (worst !== null) {
    const { input, index, output, a, n } = worst as Worst;
    throw new GradcheckError(
      `gradcheck failed: input ${input}, flat index ${index} (shape [${inputs[input].shape.join(', ')}]), output flat index ${output} (shape [${outShape.join(', ')}]): analytic ${a} vs numeric ${n} (|diff| ${Math.abs(a - n)} > atol ${atol} + rtol ${rtol}·|numeric|)`,
      input,
      index,
      a,
      n,
      output,
    );
  }
}

interface Worst {
  excess: number;
  input: number;
  index: number;
  output: number;
  a: number;
  n: number;
}

export {
  type ConformanceAssertion,
  type ConformanceTestApi,
  kernelConformanceTests,
} from './kernels/conformance';
