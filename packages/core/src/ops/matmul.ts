import { defineOp } from '../define-op';
import { allocateLike } from '../dtype';
import { ValueError } from '../errors';
import { getKernels } from '../kernels/index';
import { shapeError } from '../shape-error';
import { broadcastShapes, fmtShape, shapeSize } from '../shape-utils';
import { Tensor } from '../tensor';
import { checkTensor } from './check';

interface MatmulPlan {
  m: number;
  k: number;
  n: number;
  outShape: number[];
  /** Per output batch: matrix index into a and into b (broadcast batch dims repeat an index). */
  aIndex: Int32Array;
  bIndex: Int32Array;
}

function batchIndices(shape: readonly number[], outShape: readonly number[], count: number): Int32Array {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = i + rank - shape.length;
    strides[o] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  const idx = new Int32Array(count);
  const pos = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < count; i++) {
    idx[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      pos[d]++;
      off += strides[d];
      if (pos[d] < outShape[d]) break;
      off -= strides[d] * outShape[d];
      pos[d] = 0;
    }
  }
  return idx;
}

function plan(a: Tensor, b: Tensor): MatmulPlan {
  if (a.ndim < 2 || b.ndim < 2) {
    throw shapeError(
      'rank-mismatch',
      `matmul: both operands need rank >= 2 ([..., m, k] and [..., k, n]), got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
      { aRank: a.ndim, bRank: b.ndim },
    );
  }
  const m = a.shape[a.ndim - 2];
  const k = a.shape[a.ndim - 1];
  const kb = b.shape[b.ndim - 2];
  const n = b.shape[b.ndim - 1];
  if (k !== kb) {
    throw shapeError(
      'shape-mismatch',
      `matmul: inner dimensions differ: a is ${fmtShape(a.shape)} (k = ${k}), b is ${fmtShape(b.shape)} (k = ${kb})`,
      { aK: k, bK: kb },
    );
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const outBatch = broadcastShapes(aBatch, bBatch, 'matmul (batch dims)');
  const count = shapeSize(outBatch);
  return {
    m,
    k,
    n,
    outShape: [...outBatch, m, n],
    aIndex: batchIndices(aBatch, outBatch, count),
    bIndex: batchIndices(bBatch, outBatch, count),
  };
}

// C = A·B per batch;  ∂A = G·Bᵀ,  ∂B = Aᵀ·G (summed over batch dims that were broadcast)
const matmulOp = defineOp<[MatmulPlan]>({
  name: 'matmul',
  forward(ctx, [a, b], p) {
    if (ctx.needsInputGrad[0] || ctx.needsInputGrad[1]) ctx.save(a, b, p);
    const { m, k, n } = p;
    const out = allocateLike(a.data, shapeSize(p.outShape));
    const kernels = getKernels();
    if (p.aIndex.length === 1 || (b.ndim === 2 && isIdentity(p.aIndex))) {
      // b is shared by every batch and a is contiguous: one (batch·m) × k times k × n product.
      kernels.gemm(false, false, m * p.aIndex.length, n, k, a.data, 0, k, b.data, 0, n, out, 0, n, false);
    } else {
      for (let i = 0; i < p.aIndex.length; i++) {
        kernels.gemm(
          false,
          false,
          m,
          n,
          k,
          a.data,
          p.aIndex[i] * m * k,
          k,
          b.data,
          p.bIndex[i] * k * n,
          n,
          out,
          i * m * n,
          n,
          false,
        );
      }
    }
    return new Tensor(out, p.outShape);
  },
  backward(ctx, g) {
    const [a, b, p] = ctx.saved as [Tensor, Tensor, MatmulPlan];
    const { m, k, n } = p;
    const kernels = getKernels();
    const batches = p.aIndex.length;
    const shared = batches === 1 || (b.ndim === 2 && isIdentity(p.aIndex));
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      const da = allocateLike(a.data, a.size);
      if (shared) kernels.gemm(false, true, m * batches, k, n, g.data, 0, n, b.data, 0, n, da, 0, k, false);
      else {
        for (let i = 0; i < batches; i++) {
          kernels.gemm(
            false,
            true,
            m,
            k,
            n,
            g.data,
            i * m * n,
            n,
            b.data,
            p.bIndex[i] * k * n,
            n,
            da,
            p.aIndex[i] * m * k,
            k,
            true,
          );
        }
      }
      ga = new Tensor(da, a.shape);
    }
    if (ctx.needsInputGrad[1]) {
      const db = allocateLike(b.data, b.size);
      if (shared) kernels.gemm(true, false, k, n, m * batches, a.data, 0, k, g.data, 0, n, db, 0, n, false);
      else {
        for (let i = 0; i < batches; i++) {
          kernels.gemm(
            true,
            false,
            k,
            n,
            m,
            a.data,
            p.aIndex[i] * m * k,
            k,
            g.data,
            i * m * n,
            n,
            db,
            p.bIndex[i] * k * n,
            n,
            true,
          );
        }
      }
      gb = new Tensor(db, b.shape);
    }
    return [ga, gb];
  },
});

function isIdentity(idx: Int32Array): boolean {
  for (let i = 0; i < idx.length; i++) if (idx[i] !== i) return false;
  return true;
}

/**
 * Matrix product of the last two dims: [..., m, k] · [..., k, n] → [..., m, n]. Leading (batch) dims
 * broadcast as in PyTorch. Both operands need rank >= 2.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'matmul', 'a');
  checkTensor(b, 'matmul', 'b');
  if (a.dtype !== b.dtype) {
    throw new ValueError(
      `matmul: operands must have the same dtype, got ${a.dtype} and ${b.dtype}`,
      'DTYPE_MISMATCH',
    );
  }
  return matmulOp([a, b], plan(a, b));
}
