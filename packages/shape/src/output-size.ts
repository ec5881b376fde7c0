import { formatValue, type Padding1d, samePaddingAt } from './padding.js';
import { checkInteger, type ErrorContext, fail } from './shape-error.js';

/** Options of `convOutputSize`, the output length of one convolution dimension. */
export interface ConvOutputSizeOptions {
  /** Step between window starts. Default 1. */
  readonly stride?: number;
  /** Symmetric number, `[before, after]`, `'valid'` (0) or `'same'` (TensorFlow rule). Default 0. */
  readonly padding?: Padding1d;
  /** Spacing between kernel taps. Default 1. */
  readonly dilation?: number;
}

/** Options of `poolOutputSize`, the output length of one pooling dimension. */
export interface PoolOutputSizeOptions {
  /** Default: kernelSize (PyTorch and Keras default). */
  readonly stride?: number;
  /** At most floor(effectiveKernel / 2) on each side. Default 0. */
  readonly padding?: Padding1d;
  readonly dilation?: number;
  /** Round the window count up (PyTorch `ceil_mode`); the last window must start inside the input or the left padding. */
  readonly ceilMode?: boolean;
}

/** Options of `convTransposeOutputSize`, the output length of one transposed-convolution dimension. */
export interface ConvTransposeOutputSizeOptions {
  readonly stride?: number;
  /** Symmetric number, `[before, after]` or `'valid'`; removed from the full output. Default 0. */
  readonly padding?: number | readonly [number, number] | 'valid';
  readonly dilation?: number;
  /** Extra size added on the after side; must be smaller than stride or dilation. Default 0. */
  readonly outputPadding?: number;
}

/** The options argument of a 1-d size function must be an object or undefined (else a ShapeError, not a TypeError). */
function checkSizeOptions(what: string, options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail(
      'invalid-layer',
      `${what}: options must be an object such as { stride, padding }, got ${formatValue(options)}`,
      {},
    );
  }
}

/** Resolves 1-d padding to [before, after]. 'same' needs the geometry. */
export function resolvePadding1d(
  padding: Padding1d,
  inputSize: number,
  kernelSize: number,
  stride: number,
  dilation: number,
  context: ErrorContext,
): [number, number] {
  if (padding === 'valid') return [0, 0];
  if (padding === 'same') return samePaddingAt(inputSize, kernelSize, stride, dilation, context);
  if (typeof padding === 'number') {
    checkInteger('padding', padding, 0, 'invalid-padding', context);
    return [padding, padding];
  }
  if (Array.isArray(padding) && padding.length === 2) {
    checkInteger('paddingBefore', padding[0], 0, 'invalid-padding', context);
    checkInteger('paddingAfter', padding[1], 0, 'invalid-padding', context);
    return [padding[0], padding[1]];
  }
  return fail(
    'invalid-padding',
    `padding must be an integer >= 0, a [before, after] pair, 'same' or 'valid', got ${formatValue(padding)}`,
    {},
    context,
  );
}

function checkGeometry(
  inputSize: number,
  kernelSize: number,
  stride: number,
  dilation: number,
  context: ErrorContext,
): void {
  checkInteger('inputSize', inputSize, 1, 'invalid-size', context);
  checkInteger('kernelSize', kernelSize, 1, 'invalid-size', context);
  checkInteger('stride', stride, 1, 'invalid-stride', context);
  checkInteger('dilation', dilation, 1, 'invalid-dilation', context);
}

/** {@link checkGeometry} plus already-resolved padding (integers >= 0). */
function checkResolved(
  inputSize: number,
  kernelSize: number,
  stride: number,
  dilation: number,
  before: number,
  after: number,
  context: ErrorContext,
): void {
  checkGeometry(inputSize, kernelSize, stride, dilation, context);
  checkInteger('paddingBefore', before, 0, 'invalid-padding', context);
  checkInteger('paddingAfter', after, 0, 'invalid-padding', context);
}

function tooSmall(
  what: string,
  inputSize: number,
  kernelSize: number,
  dilation: number,
  before: number,
  after: number,
  maxPad: number,
  context: ErrorContext,
): never {
  const span = inputSize + before + after;
  const effectiveKernel = dilation * (kernelSize - 1) + 1;
  const maxKernel = Math.floor((span - 1) / dilation) + 1;
  const minPad = Math.ceil((effectiveKernel - inputSize) / 2);
  const padHint =
    minPad <= maxPad
      ? ` or padding >= ${minPad} on each side`
      : ` (no padding fits: ${what} padding is at most ${maxPad} per side)`;
  return fail(
    'output-too-small',
    `${what} output would be smaller than 1: inputSize ${inputSize} + padding ${before}+${after} = ${span} is ` +
      `shorter than the effective kernel ${effectiveKernel} = dilation ${dilation}·(kernelSize ${kernelSize} − 1) + 1; ` +
      `valid: kernelSize <= ${maxKernel} with this padding and dilation${padHint}`,
    { inputSize, kernelSize, dilation, paddingBefore: before, paddingAfter: after, effectiveKernel },
    context,
  );
}

/** Convolution size for already-resolved padding. */
export function convSize(
  inputSize: number,
  kernelSize: number,
  stride: number,
  dilation: number,
  before: number,
  after: number,
  context: ErrorContext = {},
): number {
  checkResolved(inputSize, kernelSize, stride, dilation, before, after, context);
  const effectiveKernel = dilation * (kernelSize - 1) + 1;
  const span = inputSize + before + after;
  if (span < effectiveKernel) {
    tooSmall(
      'convolution',
      inputSize,
      kernelSize,
      dilation,
      before,
      after,
      Number.POSITIVE_INFINITY,
      context,
    );
  }
  return Math.floor((span - effectiveKernel) / stride) + 1;
}

/** Pooling size for already-resolved padding (PyTorch rules, including ceil mode). */
export function poolSize(
  inputSize: number,
  kernelSize: number,
  stride: number,
  dilation: number,
  before: number,
  after: number,
  ceilMode: boolean,
  context: ErrorContext = {},
): number {
  if (typeof ceilMode !== 'boolean') {
    fail('invalid-layer', `ceilMode must be true or false, got ${formatValue(ceilMode)}`, {}, context);
  }
  checkResolved(inputSize, kernelSize, stride, dilation, before, after, context);
  const effectiveKernel = dilation * (kernelSize - 1) + 1;
  const maxPad = Math.floor(effectiveKernel / 2);
  if (before > maxPad || after > maxPad) {
    fail(
      'pool-padding-too-large',
      `pooling padding ${before}+${after} is larger than half the effective kernel: valid padding is 0..${maxPad} per side ` +
        `(effective kernel ${effectiveKernel} = dilation ${dilation}·(kernelSize ${kernelSize} − 1) + 1)`,
      {
        paddingBefore: before,
        paddingAfter: after,
        kernelSize,
        dilation,
        effectiveKernel,
        maxPadding: maxPad,
      },
      context,
    );
  }
  const span = inputSize + before + after;
  let output = Math.floor((span - effectiveKernel + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (output < 1) tooSmall('pooling', inputSize, kernelSize, dilation, before, after, maxPad, context);
  // PyTorch: in ceil mode the last window must start inside the input or the left padding.
  if (ceilMode && (output - 1) * stride >= inputSize + before) output -= 1;
  return output;
}

/** Transposed-convolution size for already-resolved padding. */
export function convTransposeSize(
  inputSize: number,
  kernelSize: number,
  stride: number,
  dilation: number,
  before: number,
  after: number,
  outputPadding: number,
  context: ErrorContext = {},
): number {
  checkResolved(inputSize, kernelSize, stride, dilation, before, after, context);
  checkInteger('outputPadding', outputPadding, 0, 'invalid-output-padding', context);
  if (outputPadding >= stride && outputPadding >= dilation) {
    fail(
      'invalid-output-padding',
      `outputPadding ${outputPadding} must be smaller than stride ${stride} or dilation ${dilation}: ` +
        `valid: 0..${Math.max(stride, dilation) - 1}`,
      { outputPadding, stride, dilation },
      context,
    );
  }
  const full = (inputSize - 1) * stride + dilation * (kernelSize - 1) + 1;
  const output = full - before - after + outputPadding;
  if (output < 1) {
    fail(
      'output-too-small',
      `transposed convolution output would be ${output} < 1: full size (inputSize ${inputSize} − 1)·stride ${stride} + ` +
        `dilation ${dilation}·(kernelSize ${kernelSize} − 1) + 1 = ${full} minus padding ${before}+${after}` +
        `${outputPadding > 0 ? ` plus outputPadding ${outputPadding}` : ''}; ` +
        `valid: total padding <= ${full + outputPadding - 1}`,
      { inputSize, kernelSize, stride, dilation, paddingBefore: before, paddingAfter: after, outputPadding },
      context,
    );
  }
  return output;
}

/**
 * Output size of a 1-d convolution:
 * floor((inputSize + padBefore + padAfter − dilation·(kernelSize − 1) − 1) / stride) + 1.
 * The handout's W' = floor((W + 2·p − k) / s + 1) is the dilation-1, symmetric-padding case.
 * @throws ShapeError when an argument is invalid or the output would be smaller than 1.
 */
export function convOutputSize(
  inputSize: number,
  kernelSize: number,
  options: ConvOutputSizeOptions = {},
): number {
  checkSizeOptions('convOutputSize', options);
  const { stride = 1, dilation = 1, padding = 0 } = options;
  const context: ErrorContext = {};
  checkGeometry(inputSize, kernelSize, stride, dilation, context);
  const [before, after] = resolvePadding1d(padding, inputSize, kernelSize, stride, dilation, context);
  return convSize(inputSize, kernelSize, stride, dilation, before, after, context);
}

/**
 * Output size of 1-d max/avg pooling (PyTorch's rule). Floor mode equals {@link convOutputSize}; ceil mode
 * rounds the window count up, then drops the last window if it would start past the input and left padding.
 * @throws ShapeError when an argument is invalid, padding > floor(effectiveKernel / 2), or the output < 1.
 */
export function poolOutputSize(
  inputSize: number,
  kernelSize: number,
  options: PoolOutputSizeOptions = {},
): number {
  checkSizeOptions('poolOutputSize', options);
  const { stride = kernelSize, dilation = 1, padding = 0, ceilMode = false } = options;
  const context: ErrorContext = {};
  checkGeometry(inputSize, kernelSize, stride, dilation, context);
  const [before, after] = resolvePadding1d(padding, inputSize, kernelSize, stride, dilation, context);
  return poolSize(inputSize, kernelSize, stride, dilation, before, after, ceilMode, context);
}

/**
 * Output size of a 1-d transposed convolution:
 * (inputSize − 1)·stride − padBefore − padAfter + dilation·(kernelSize − 1) + outputPadding + 1.
 * @throws ShapeError when an argument is invalid, outputPadding >= max(stride, dilation), or the output < 1.
 */
export function convTransposeOutputSize(
  inputSize: number,
  kernelSize: number,
  options: ConvTransposeOutputSizeOptions = {},
): number {
  checkSizeOptions('convTransposeOutputSize', options);
  const { stride = 1, dilation = 1, padding = 0, outputPadding = 0 } = options;
  const context: ErrorContext = {};
  if ((padding as unknown) === 'same') {
    fail(
      'invalid-padding',
      `padding 'same' is not supported for transposed convolution; valid: a number, [before, after] or 'valid'`,
      {},
      context,
    );
  }
  checkGeometry(inputSize, kernelSize, stride, dilation, context);
  const [before, after] = resolvePadding1d(padding, inputSize, kernelSize, stride, dilation, context);
  return convTransposeSize(inputSize, kernelSize, stride, dilation, before, after, outputPadding, context);
}
