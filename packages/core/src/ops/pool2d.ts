import { type Padding, poolGeometry } from '@hw3/shape';
import { defineOp } from '../define-op';
import { allocateIndices, allocateLike, allocateOutputLike } from '../dtype';
import { describeValue, ValueError } from '../errors';
import { getKernels } from '../kernels/index';
import type { Pool2dGeometry } from '../kernels/kernels';
import { shapeError, withOpName } from '../shape-error';
import { fmtShape } from '../shape-utils';
import { Tensor } from '../tensor';
import { checkTensor } from './check';
import type { Pair } from './conv2d';
import { memoGeometry } from './geometry-memo';

/** Options shared by `maxPool2d` and `avgPool2d` on NHWC tensors (PyTorch names and defaults). */
export interface Pool2dOptions {
  /** Window size; a pair is [kH, kW]. */
  kernelSize: Pair;
  /** Default: kernelSize. */
  stride?: Pair;
  /** Default 0; at most half the (dilated) kernel per side, as in PyTorch. */
  padding?: Padding;
  /** Default 1. */
  dilation?: Pair;
  /** PyTorch ceil_mode. Default false. */
  ceilMode?: boolean;
}

/** Options of `maxPool2d` / `MaxPool2d`: the window geometry plus PyTorch's return_indices. */
export interface MaxPool2dOptions extends Pool2dOptions {
  /**
   * PyTorch's return_indices. Default false: `maxPool2d` returns the pooled tensor. true: it returns
   * `{ output, indices }` (see MaxPool2dWithIndices).
   */
  returnIndices?: boolean;
}

/**
 * Max pooling's output with the position of each maximum, as PyTorch's `return_indices=True`.
 * `indices[i]` belongs to `output.data[i]` (same NHWC order, length output.size) and is the maximum's
 * position inside its own (n, c) plane: `h·W + w` with W the input width — the value PyTorch's
 * `MaxPool2d(return_indices=True)` gives for the same data in NCHW. Int32 (PyTorch: int64); −1 only for a
 * window with no tap inside the input, which valid padding (≤ half the kernel) never produces.
 */
export interface MaxPool2dWithIndices {
  output: Tensor;
  indices: Int32Array;
}

/** Options of `avgPool2d` (PyTorch `F.avg_pool2d` arguments). */
export interface AvgPool2dOptions extends Pool2dOptions {
  /**
   * Default true (PyTorch's count_include_pad): the divisor counts padding taps inside the padded input;
   * false divides by the number of taps inside the real input only.
   */
  countIncludePad?: boolean;
  /**
   * PyTorch's divisor_override: every window's sum is divided by this integer (>= 1) instead of its tap
   * count; countIncludePad then has no effect. Default: none.
   */
  divisorOverride?: number;
}

interface PoolPlan {
  g: Pool2dGeometry;
  padBottom: number;
  padRight: number;
}

/** Resolved pooling geometries by input shape and option values (geometry-memo.ts); max and avg pooling alike. */
const poolMemo = new Map<string, ReturnType<typeof poolGeometry>>();

function poolGeo(x: Tensor, options: Pool2dOptions, opName: string): PoolPlan {
  checkTensor(x, opName);
  if (options === null || typeof options !== 'object' || options.kernelSize === undefined) {
    throw new ValueError(
      `${opName}: options.kernelSize (a number or [kH, kW]) is required, got options ${describeValue(options)}${options !== null && typeof options === 'object' ? ' without kernelSize' : ''}`,
      'INVALID_OPTIONS',
    );
  }
  if (x.ndim !== 4) {
    throw shapeError('rank-mismatch', `${opName}: x must be [N, H, W, C] (NHWC), got ${fmtShape(x.shape)}`, {
      rank: x.ndim,
      expectedRank: 4,
    });
  }
  const { kernelSize, stride, padding, dilation, ceilMode } = options;
  const geo = memoGeometry(poolMemo, x.shape, [kernelSize, stride, padding, dilation, ceilMode], () =>
    withOpName(opName, () =>
      poolGeometry(x.shape, {
        kernelSize,
        stride,
        padding: padding ?? 0,
        dilation: dilation ?? 1,
        ceilMode: ceilMode ?? false,
      }),
    ),
  );
  const g: Pool2dGeometry = {
    batch: x.shape[0],
    inH: x.shape[1],
    inW: x.shape[2],
    channels: x.shape[3],
    outH: geo.outputSize[0],
    outW: geo.outputSize[1],
    kH: geo.kernelSize[0],
    kW: geo.kernelSize[1],
    strideH: geo.stride[0],
    strideW: geo.stride[1],
    padTop: geo.padding[0][0],
    padLeft: geo.padding[1][0],
    dilationH: geo.dilation[0],
    dilationW: geo.dilation[1],
  };
  return { g, padBottom: geo.padding[0][1], padRight: geo.padding[1][1] };
}

function checkBool(value: unknown, name: string, opName: string): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new ValueError(
      `${opName}: options.${name} must be a boolean, got ${describeValue(value)}`,
      'INVALID_OPTIONS',
    );
  }
}

// y[n,oh,ow,c] = max over the window of x;  ∂x[argmax] += G[n,oh,ow,c] (ties: the first maximum)
const maxPoolOp = defineOp<[Pool2dGeometry, Int32Array[]]>({
  name: 'maxPool2d',
  forward(ctx, [x], g, argmaxOut) {
    const size = g.batch * g.outH * g.outW * g.channels;
    const out = allocateOutputLike(x.data, size);
    const argmax = allocateIndices(size);
    getKernels().maxPool2dForward(g, x.data, out, argmax);
    ctx.save(x.shape, argmax, g);
    argmaxOut.push(argmax);
    return new Tensor(out, [g.batch, g.outH, g.outW, g.channels]);
  },
  backward(ctx, gradOut) {
    const [shape, argmax, g] = ctx.saved as [readonly number[], Int32Array, Pool2dGeometry];
    const dx = allocateOutputLike(gradOut.data, shape[0] * shape[1] * shape[2] * shape[3]);
    getKernels().maxPool2dBackward(argmax, gradOut.data, dx, g);
    return [new Tensor(dx, shape)];
  },
});

/**
 * Max pooling over H, W of an NHWC tensor (PyTorch semantics: padding is −∞, NaN propagates, ties pick the
 * first maximum in row-major window order). With `returnIndices: true` returns `{ output, indices }`.
 */
export function maxPool2d(
  x: Tensor,
  options: MaxPool2dOptions & { returnIndices: true },
): MaxPool2dWithIndices;
/** Max pooling over H, W of an NHWC tensor (see above); without `returnIndices`, the pooled tensor. */
export function maxPool2d(x: Tensor, options: MaxPool2dOptions & { returnIndices?: false }): Tensor;
/** Max pooling over H, W of an NHWC tensor (see above), when `returnIndices` is only known at run time. */
export function maxPool2d(x: Tensor, options: MaxPool2dOptions): Tensor | MaxPool2dWithIndices;
export function maxPool2d(x: Tensor, options: MaxPool2dOptions): Tensor | MaxPool2dWithIndices {
  const { g } = poolGeo(x, options, 'maxPool2d');
  checkBool(options.returnIndices, 'returnIndices', 'maxPool2d');
  const argmax: Int32Array[] = [];
  const output = maxPoolOp([x], g, argmax);
  if (options.returnIndices !== true) return output;
  return { output, indices: planeIndices(argmax[0], g) };
}

/**
 * The window geometry `maxPool2d(x, options)` pools with, after the same validation and with the same errors: for
 * code that calls the max-pool kernels itself (`getKernels().maxPool2dForward(geometry, …)`), e.g. @hw3/batchnorm's
 * batch norm with a fused max pool. Rejects `returnIndices`, which such callers do not return.
 */
export function maxPool2dGeometry(x: Tensor, options: Pool2dOptions): Pool2dGeometry {
  const { g } = poolGeo(x, options, 'maxPool2d');
  const indices = (options as MaxPool2dOptions).returnIndices;
  if (indices !== undefined && indices !== false) {
    throw new ValueError(
      `maxPool2d: options.returnIndices is not supported here (the pooled tensor is returned), got ${describeValue(indices)}`,
      'INVALID_OPTIONS',
    );
  }
  return g;
}

/**
 * The kernel's argmax (flat NHWC index into x: ((n·H + h)·W + w)·C + c) as PyTorch's per-plane index h·W + w.
 */
function planeIndices(argmax: Int32Array, g: Pool2dGeometry): Int32Array {
  const C = g.channels;
  const plane = g.inH * g.inW;
  const out = new Int32Array(argmax.length);
  for (let i = 0; i < argmax.length; i++) {
    const a = argmax[i];
    out[i] = a < 0 ? -1 : Math.floor(a / C) % plane;
  }
  return out;
}

/**
 * Visits every output of an average pool: for each window, calls the row loops directly (no closures per
 * element). divisor = divisorOverride when > 0, else the taps inside the padded input (countIncludePad) or
 * inside the real input.
 */
function avgPoolPass(
  p: PoolPlan,
  countIncludePad: boolean,
  divisorOverride: number,
  src: Float32Array | Float64Array,
  dst: Float32Array | Float64Array,
  backward: boolean,
): void {
  const g = p.g;
  const { inH, inW, channels: C, outH, outW, kH, kW } = g;
  // The padded input spans [-padTop, inH + padBottom) × [-padLeft, inW + padRight).
  const hEnd = inH + p.padBottom;
  const wEnd = inW + p.padRight;
  for (let n = 0; n < g.batch; n++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++) {
        const o = ((n * outH + oh) * outW + ow) * C;
        let count = divisorOverride;
        if (count === 0)
          for (let kh = 0; kh < kH; kh++) {
            const ih = oh * g.strideH - g.padTop + kh * g.dilationH;
            for (let kw = 0; kw < kW; kw++) {
              const iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
              const inside = ih >= 0 && ih < inH && iw >= 0 && iw < inW;
              if (countIncludePad ? ih < hEnd && iw < wEnd : inside) count++;
            }
          }
        const scale = count > 0 ? 1 / count : 0;
        if (!backward) for (let c = 0; c < C; c++) dst[o + c] = 0;
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * g.strideH - g.padTop + kh * g.dilationH;
          if (ih < 0 || ih >= inH) continue;
          for (let kw = 0; kw < kW; kw++) {
            const iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
            if (iw < 0 || iw >= inW) continue;
            const xi = ((n * inH + ih) * inW + iw) * C;
            if (backward) for (let c = 0; c < C; c++) dst[xi + c] += src[o + c] * scale;
            else for (let c = 0; c < C; c++) dst[o + c] += src[xi + c];
          }
        }
        if (!backward) for (let c = 0; c < C; c++) dst[o + c] *= scale;
      }
}

/** divisorOverride: undefined, or an integer in [1, 2³¹ − 1]; anything else is a ValueError naming `where`. */
export function checkDivisorOverride(d: unknown, where: string): number | undefined {
  if (d !== undefined && (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 2 ** 31 - 1)) {
    throw new ValueError(
      `${where}: options.divisorOverride must be an integer in [1, 2147483647] (PyTorch's divisor_override), got ${describeValue(d)}`,
      'INVALID_OPTIONS',
    );
  }
  return d;
}

// y[n,oh,ow,c] = (1/divisor) Σ_window x;  ∂x[tap] += G[n,oh,ow,c] / divisor for each in-input tap
// (divisor = divisorOverride, or the window's tap count; divisorOverride 0 here means "none")
const avgPoolOp = defineOp<[PoolPlan, boolean, number]>({
  name: 'avgPool2d',
  forward(ctx, [x], p, countIncludePad, divisorOverride) {
    const g = p.g;
    const out = allocateLike(x.data, g.batch * g.outH * g.outW * g.channels);
    avgPoolPass(p, countIncludePad, divisorOverride, x.data, out, false);
    ctx.save(x.shape, p, countIncludePad, divisorOverride);
    return new Tensor(out, [g.batch, g.outH, g.outW, g.channels]);
  },
  backward(ctx, gradOut) {
    const [shape, p, countIncludePad, divisorOverride] = ctx.saved as [
      readonly number[],
      PoolPlan,
      boolean,
      number,
    ];
    const dx = allocateLike(gradOut.data, shape[0] * shape[1] * shape[2] * shape[3]);
    avgPoolPass(p, countIncludePad, divisorOverride, gradOut.data, dx, true);
    return [new Tensor(dx, shape)];
  },
});

/**
 * Average pooling over H, W of an NHWC tensor. Like PyTorch's default (count_include_pad = true), padding
 * zeros count in the divisor; windows that hang past the padded input in ceil mode do not.
 * `divisorOverride` (PyTorch's divisor_override) replaces every window's divisor by one integer >= 1.
 */
export function avgPool2d(x: Tensor, options: AvgPool2dOptions): Tensor {
  const plan = poolGeo(x, options, 'avgPool2d');
  checkBool(options.countIncludePad, 'countIncludePad', 'avgPool2d');
  const d = checkDivisorOverride(options.divisorOverride, 'avgPool2d');
  return avgPoolOp([x], plan, options.countIncludePad ?? true, d ?? 0);
}
