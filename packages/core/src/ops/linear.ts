import { defineOp } from '../define-op';
import { allocateLike, allocateOutputLike } from '../dtype';
import { ValueError } from '../errors';
import { getKernels } from '../kernels/index';
import { shapeError } from '../shape-error';
import { fmtShape } from '../shape-utils';
import { Tensor } from '../tensor';
import { checkOptionalTensor, checkTensor } from './check';

/** Rows of x [..., in]: the product of the leading dims (not x.size / in, which is 0/0 when in = 0). */
function rowsOf(x: Tensor): number {
  let rows = 1;
  for (let i = 0; i < x.ndim - 1; i++) rows *= x.shape[i];
  return rows;
}

// y = x·Wᵀ + b  (x [..., in], W [out, in], b [out]);  ∂x = G·W,  ∂W = Gᵀ·x,  ∂b = Σ_rows G
const linearOp = defineOp({
  name: 'linear',
  forward(ctx, inputs) {
    const [x, w] = inputs;
    const b = inputs.length > 2 ? inputs[2] : null;
    ctx.save(x, w);
    const inF = w.shape[1];
    const outF = w.shape[0];
    const rows = rowsOf(x);
    const out = allocateOutputLike(x.data, rows * outF);
    getKernels().gemm(false, true, rows, outF, inF, x.data, 0, inF, w.data, 0, inF, out, 0, outF, false);
    if (b !== null) {
      const bd = b.data;
      for (let r = 0, o = 0; r < rows; r++) for (let j = 0; j < outF; j++, o++) out[o] += bd[j];
    }
    const shape = x.shape.slice();
    shape[shape.length - 1] = outF;
    return new Tensor(out, shape);
  },
  backward(ctx, g) {
    const [x, w] = ctx.saved as [Tensor, Tensor];
    const inF = w.shape[1];
    const outF = w.shape[0];
    const rows = rowsOf(x);
    const kernels = getKernels();
    const grads: (Tensor | null)[] = [null, null];
    if (ctx.needsInputGrad[0]) {
      const dx = allocateOutputLike(x.data, x.size);
      kernels.gemm(false, false, rows, inF, outF, g.data, 0, outF, w.data, 0, inF, dx, 0, inF, false);
      grads[0] = new Tensor(dx, x.shape);
    }
    if (ctx.needsInputGrad[1]) {
      const dw = allocateOutputLike(w.data, w.size);
      kernels.gemm(true, false, outF, inF, rows, g.data, 0, outF, x.data, 0, inF, dw, 0, inF, false);
      grads[1] = new Tensor(dw, w.shape);
    }
    if (ctx.needsInputGrad.length > 2) {
      if (ctx.needsInputGrad[2]) {
        const db = allocateLike(g.data, outF);
        const gd = g.data;
        for (let r = 0, o = 0; r < rows; r++) for (let j = 0; j < outF; j++, o++) db[j] += gd[o];
        grads.push(new Tensor(db, [outF]));
      } else grads.push(null);
    }
    return grads;
  },
});

/** y = x·Wᵀ + b (PyTorch `F.linear`): x [..., in], weight [out, in], bias [out] or null. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkTensor(x, 'linear', 'x');
  checkTensor(weight, 'linear', 'weight');
  checkOptionalTensor(bias, 'linear', 'bias');
  if (weight.ndim !== 2) {
    throw shapeError(
      'rank-mismatch',
      `linear: weight must be [outFeatures, inFeatures], got ${fmtShape(weight.shape)}`,
      {
        weightRank: weight.ndim,
      },
    );
  }
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw shapeError(
      'channel-mismatch',
      `linear: x's last dim must equal inFeatures = ${weight.shape[1]}, got x ${fmtShape(x.shape)}`,
      { inFeatures: weight.shape[1], got: x.ndim < 1 ? 0 : x.shape[x.ndim - 1] },
    );
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw shapeError(
      'shape-mismatch',
      `linear: bias must be [outFeatures] = [${weight.shape[0]}], got ${fmtShape(bias.shape)}`,
      { outFeatures: weight.shape[0] },
    );
  }
  for (const t of bias === null ? [weight] : [weight, bias]) {
    if (t.dtype !== x.dtype) {
      throw new ValueError(
        `linear: dtypes differ: x is ${x.dtype}, parameter is ${t.dtype}`,
        'DTYPE_MISMATCH',
      );
    }
  }
  return linearOp(bias === null ? [x, weight] : [x, weight, bias]);
}
