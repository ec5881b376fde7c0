import { convGeometry, type Padding } from '@hw3/shape';
import { defineOp } from '../define-op';
import { allocateLike, allocateOutputLike } from '../dtype';
import { describeValue, ValueError } from '../errors';
import { getKernels } from '../kernels/index';
import type { Conv2dGeometry } from '../kernels/kernels';
import { shapeError, withOpName } from '../shape-error';
import { fmtShape } from '../shape-utils';
import { Tensor } from '../tensor';
import { checkOptionalTensor, checkTensor } from './check';
import { memoGeometry } from './geometry-memo';

/** One number for both spatial dimensions, or a pair [H, W]. */
export type Pair = number | readonly [number, number];

/** Options of `conv2d` on NHWC tensors (PyTorch `F.conv2d` arguments). */
export interface Conv2dOptions {
  /** Default 1; a pair is [strideH, strideW]. */
  stride?: Pair;
  /** Default 0: a number, [padH, padW], [[top, bottom], [left, right]], 'same' (TensorFlow rule) or 'valid'. */
  padding?: Padding;
  /** Default 1; a pair is [dilationH, dilationW]. */
  dilation?: Pair;
  /** Default 1; inChannels and outChannels must both be divisible by it (groups = inChannels: depthwise). */
  groups?: number;
}

/** Resolved conv geometries by input shape and option values (geometry-memo.ts). */
const convMemo = new Map<string, ReturnType<typeof convGeometry>>();

/**
 * Validates the operands and resolves the geometry (output size and padding) with @hw3/shape (once per input shape
 * and option values: the operand checks run on every call).
 */
function conv2dGeometry(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  options: Conv2dOptions,
): Conv2dGeometry {
  checkTensor(x, 'conv2d', 'x');
  checkTensor(weight, 'conv2d', 'weight');
  checkOptionalTensor(bias, 'conv2d', 'bias');
  if (x.ndim !== 4) {
    throw shapeError('rank-mismatch', `conv2d: x must be [N, H, W, C] (NHWC), got ${fmtShape(x.shape)}`, {
      rank: x.ndim,
      expectedRank: 4,
    });
  }
  if (weight.ndim !== 4) {
    throw shapeError(
      'rank-mismatch',
      `conv2d: weight must be [outC, kH, kW, inC / groups] (OHWI), got ${fmtShape(weight.shape)}`,
      { rank: weight.ndim, expectedRank: 4 },
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new ValueError(
      `conv2d: options must be an object { stride?, padding?, dilation?, groups? }, got ${describeValue(options)}`,
      'INVALID_OPTIONS',
    );
  }
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) {
    throw shapeError('invalid-groups', `conv2d: groups must be an integer >= 1, got ${groups}`, { groups });
  }
  const [outC, kH, kW, icpg] = weight.shape;
  const inC = x.shape[3];
  if (icpg * groups !== inC) {
    throw shapeError(
      'channel-mismatch',
      `conv2d: weight ${fmtShape(weight.shape)} with groups ${groups} expects ${icpg * groups} input channels (weight.shape[3]·groups), but x ${fmtShape(x.shape)} has ${inC}`,
      { inChannels: inC, weightInChannels: icpg, groups },
    );
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outC)) {
    throw shapeError(
      'shape-mismatch',
      `conv2d: bias must be [outC] = [${outC}], got ${fmtShape(bias.shape)}`,
      {
        outChannels: outC,
      },
    );
  }
  for (const t of bias === null ? [weight] : [weight, bias]) {
    if (t.dtype !== x.dtype) {
      throw new ValueError(
        `conv2d: dtypes differ: x is ${x.dtype}, parameter is ${t.dtype}`,
        'DTYPE_MISMATCH',
      );
    }
  }
  const { stride, padding, dilation } = options;
  const geo = memoGeometry(convMemo, x.shape, [kH, kW, outC, stride, padding, dilation, groups], () =>
    withOpName('conv2d', () =>
      convGeometry(x.shape, {
        kernelSize: [kH, kW],
        outChannels: outC,
        stride: stride ?? 1,
        padding: padding ?? 0,
        dilation: dilation ?? 1,
        groups,
      }),
    ),
  );
  return {
    batch: x.shape[0],
    inH: x.shape[1],
    inW: x.shape[2],
    inC,
    outH: geo.outputSize[0],
    outW: geo.outputSize[1],
    outC,
    kH,
    kW,
    strideH: geo.stride[0],
    strideW: geo.stride[1],
    padTop: geo.padding[0][0],
    padLeft: geo.padding[1][0],
    dilationH: geo.dilation[0],
    dilationW: geo.dilation[1],
    groups,
  };
}

// y[n,oh,ow,o] = b[o] + Σ_{kh,kw,i} x[n, oh·sH − pT + kh·dH, ow·sW − pL + kw·dW, g·icpg + i] · w[o,kh,kw,i]
// ∂x = conv2dBackwardInput(G, w) (transposed conv),  ∂w = conv2dBackwardWeight(x, G),  ∂b = Σ_{n,oh,ow} G
const conv2dOp = defineOp<[Conv2dGeometry]>({
  name: 'conv2d',
  forward(ctx, inputs, g) {
    const [x, w] = inputs;
    const b = inputs.length > 2 ? inputs[2] : null;
    ctx.save(x, w, g);
    const out = allocateOutputLike(x.data, g.batch * g.outH * g.outW * g.outC);
    getKernels().conv2dForward(g, x.data, w.data, b === null ? null : b.data, out);
    return new Tensor(out, [g.batch, g.outH, g.outW, g.outC]);
  },
  backward(ctx, gradOut) {
    const [x, w, g] = ctx.saved as [Tensor, Tensor, Conv2dGeometry];
    const kernels = getKernels();
    const grads: (Tensor | null)[] = [null, null];
    if (ctx.needsInputGrad[0]) {
      const dx = allocateOutputLike(x.data, x.size);
      kernels.conv2dBackwardInput(g, gradOut.data, w.data, dx);
      grads[0] = new Tensor(dx, x.shape);
    }
    if (ctx.needsInputGrad[1]) {
      const dw = allocateOutputLike(w.data, w.size);
      kernels.conv2dBackwardWeight(g, x.data, gradOut.data, dw);
      grads[1] = new Tensor(dw, w.shape);
    }
    if (ctx.needsInputGrad.length > 2) {
      if (ctx.needsInputGrad[2]) {
        const db = allocateLike(gradOut.data, g.outC);
        kernels.channelSum(gradOut.data, g.batch * g.outH * g.outW, g.outC, db);
        grads.push(new Tensor(db, [g.outC]));
      } else grads.push(null);
    }
    return grads;
  },
});

/**
 * 2-d convolution (cross-correlation, like PyTorch), channels-last: x [N, H, W, C_in], weight
 * [outC, kH, kW, C_in / groups] (OHWI), bias [outC] or null → [N, outH, outW, outC] with
 * out = floor((n + padBefore + padAfter − dilation·(k − 1) − 1) / stride) + 1 per spatial dim.
 */
export function conv2d(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  options: Conv2dOptions = {},
): Tensor {
  const g = conv2dGeometry(x, weight, bias, options);
  return conv2dOp(bias === null ? [x, weight] : [x, weight, bias], g);
}
