/**
 * The kernel interface: every heavy numeric loop in @hw3/core goes through one object of this type,
 * so a faster implementation (WebAssembly SIMD, worker threads) can replace the TypeScript one without
 * touching ops, layers or autograd. All arrays are contiguous row-major; all arrays passed to one call
 * have the same element type (Float32Array or Float64Array). Kernels never allocate per call in their
 * hot loops; scratch space comes from `Workspace` buffers that are reused across calls.
 */

export type FloatArray = Float32Array | Float64Array;

/** Geometry of one 2-d convolution, channels-last (NHWC). Weights are [outC, kH, kW, inC / groups] (OHWI). */
export interface Conv2dGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  /** Padding on the top / left; bottom / right padding is implied by outH / outW. */
  padTop: number;
  padLeft: number;
  dilationH: number;
  dilationW: number;
  groups: number;
}

/** Geometry of one 2-d pooling window pass, channels-last (NHWC). */
export interface Pool2dGeometry {
  batch: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  dilationH: number;
  dilationW: number;
}

/**
 * The kernel layer behind tensors and layers: GEMM, convolution, pooling and elementwise loops.
 * Implementations (TypeScript, WebAssembly SIMD, two threads) are swapped with `setKernels` without touching
 * ops or autograd.
 */
export interface Kernels {
  /** A short name for benchmarks and logs: 'ts', 'wasm-simd', 'wasm-relaxed-simd', ... */
  readonly name: string;

  /**
   * C = op(A)·op(B) (+ C when accumulate), row-major. op(A) is m×k, op(B) is k×n, C is m×n.
   * lda/ldb/ldc are the row strides of A, B, C as stored (A stored k×m when transA).
   * C must not overlap A or B. Entries of c outside the m×n window (row padding when ldc > n) are untouched.
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: FloatArray,
    aOffset: number,
    lda: number,
    b: FloatArray,
    bOffset: number,
    ldb: number,
    c: FloatArray,
    cOffset: number,
    ldc: number,
    accumulate: boolean,
  ): void;

  /** out[N, outH, outW, outC] = conv(x[N, inH, inW, inC], w[outC, kH, kW, inC/groups]) + bias[outC]. Overwrites out. */
  conv2dForward(
    g: Conv2dGeometry,
    x: FloatArray,
    w: FloatArray,
    bias: FloatArray | null,
    out: FloatArray,
  ): void;
  /** dx[N, inH, inW, inC] = ∂L/∂x given dOut[N, outH, outW, outC]. Overwrites dx. */
  conv2dBackwardInput(g: Conv2dGeometry, dOut: FloatArray, w: FloatArray, dx: FloatArray): void;
  /** dw[outC, kH, kW, inC/groups] = ∂L/∂w. Overwrites dw. */
  conv2dBackwardWeight(g: Conv2dGeometry, x: FloatArray, dOut: FloatArray, dw: FloatArray): void;

  /**
   * Max pooling forward; argmax[i] = flat index into x of the chosen element (for backward). Overwrites out, argmax.
   * Padding taps are skipped (as if −∞); the first maximum wins ties; NaN propagates (the first NaN wins).
   * A window with no in-bounds tap (impossible when padding ≤ kernel/2) gives −∞ and argmax −1.
   */
  maxPool2dForward(g: Pool2dGeometry, x: FloatArray, out: FloatArray, argmax: Int32Array): void;
  /** dx (overwritten, zero first) = Σ over pooled outputs i with argmax[i] ≥ 0 of g[i] at dx[argmax[i]]. */
  maxPool2dBackward(argmax: Int32Array, g: FloatArray, dx: FloatArray): void;

  /** out[i] = max(x[i], 0) for i < out.length; NaN stays NaN, −0 and −∞ give +0. `out` may be `x`. */
  reluForward(x: FloatArray, out: FloatArray): void;
  /** out[i] = g[i] where y[i] > 0 (y = the ReLU output; NaN fails), else +0 (also for ±∞/NaN g). `out` may be `g`. */
  reluBackward(y: FloatArray, g: FloatArray, out: FloatArray): void;
  /**
   * out[c] = Σ_{r < rows} x[r·channels + c] (e.g. a conv bias gradient over N·H·W), accumulated in float64 in row
   * order and rounded once. Overwrites out[0..channels).
   */
  channelSum(x: FloatArray, rows: number, channels: number, out: FloatArray): void;

  /**
   * Optional batch-norm loops used by @hw3/batchnorm on channels-last x viewed as [rows, channels] (its TypeScript
   * kernels are the reference and the fallback). Each returns false, having written nothing, when it does not handle
   * the call (e.g. float64 data); the caller then runs its own kernels. All arithmetic is float64 (only the final
   * stores round), so results agree with the TypeScript kernels within float64 rounding of the sums.
   *
   * Forward. training: per channel, shift K = x[0, c], s1 = Σ(x − K), s2 = Σ(x − K)², then mean = K + s1/m,
   * variance = max((s2 − s1²/m)/m, 0), invStd = 1/√(variance + eps) are written (m = rows); otherwise mean and
   * invStd are read. Then out = (x − mean)·(γ·invStd) + β (γ = 1, β = 0 when null). `out` may be x.
   */
  batchNormForward?(
    x: FloatArray,
    rows: number,
    channels: number,
    eps: number,
    gamma: FloatArray | null,
    beta: FloatArray | null,
    training: boolean,
    mean: Float64Array,
    variance: Float64Array,
    invStd: Float64Array,
    out: FloatArray,
  ): boolean;
  /**
   * Training-mode backward: sumDy = Σ dy, sumDyXmu = Σ dy·(x − mean) per channel; then, when dx is not null,
   * dx = A·dy + B·(x − mean) + D with A = γ·invStd, B = −A·invStd²·sumDyXmu/m, D = −A·sumDy/m. `dx` may be dy.
   */
  batchNormBackward?(
    dy: FloatArray,
    x: FloatArray,
    rows: number,
    channels: number,
    mean: Float64Array,
    invStd: Float64Array,
    gamma: FloatArray | null,
    sumDy: Float64Array,
    sumDyXmu: Float64Array,
    dx: FloatArray | null,
  ): boolean;
}
