import { defineOp } from '../define-op';
import { allocateLike, type FloatArray } from '../dtype';
import { ValueError } from '../errors';
import { broadcastShapes, shapeSize } from '../shape-utils';
import { Tensor } from '../tensor';
import { type BinaryOpCode, binaryBroadcast, OP_ADD, OP_DIV, OP_MUL, OP_SUB, sumToShape } from './broadcast';
import { checkTensor } from './check';

function checkSameDType(a: Tensor, b: Tensor, opName: string): void {
  if (a.dtype !== b.dtype) {
    throw new ValueError(
      `${opName}: operands must have the same dtype, got ${a.dtype} and ${b.dtype} (convert one first)`,
      'DTYPE_MISMATCH',
    );
  }
}

function binaryForward(op: BinaryOpCode, a: Tensor, b: Tensor, opName: string): Tensor {
  const outShape = broadcastShapes(a.shape, b.shape, opName);
  const out = allocateLike(a.data, shapeSize(outShape));
  binaryBroadcast(op, a.data, a.shape, b.data, b.shape, out, outShape);
  return new Tensor(out, outShape);
}

/** g (op) t broadcast into g's shape (g has the output shape). */
function withOperand(op: BinaryOpCode, g: Tensor, t: Tensor): FloatArray {
  const out = allocateLike(g.data, g.size);
  binaryBroadcast(op, g.data, g.shape, t.data, t.shape, out, g.shape);
  return out;
}

function negated(x: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) x[i] = -x[i];
  return x;
}

function reduced(g: FloatArray, gShape: readonly number[], target: Tensor): Tensor {
  return new Tensor(sumToShape(g, gShape, target.shape), target.shape);
}

// out = a + b;  ∂a = Σ_broadcast g,  ∂b = Σ_broadcast g
const addOp = defineOp({
  name: 'add',
  forward(ctx, [a, b]) {
    ctx.save(a.shape, b.shape);
    return binaryForward(OP_ADD, a, b, 'add');
  },
  backward(ctx, g) {
    const [aShape, bShape] = ctx.saved as [readonly number[], readonly number[]];
    return [
      ctx.needsInputGrad[0] ? new Tensor(sumToShape(g.data, g.shape, aShape), aShape) : null,
      ctx.needsInputGrad[1] ? new Tensor(sumToShape(g.data, g.shape, bShape), bShape) : null,
    ];
  },
});

// out = a - b;  ∂a = Σ g,  ∂b = -Σ g
const subOp = defineOp({
  name: 'sub',
  forward(ctx, [a, b]) {
    ctx.save(a.shape, b.shape);
    return binaryForward(OP_SUB, a, b, 'sub');
  },
  backward(ctx, g) {
    const [aShape, bShape] = ctx.saved as [readonly number[], readonly number[]];
    let gb: Tensor | null = null;
    if (ctx.needsInputGrad[1]) {
      const s = sumToShape(g.data, g.shape, bShape);
      gb = new Tensor(negated(s === g.data ? s.slice() : s), bShape);
    }
    return [ctx.needsInputGrad[0] ? new Tensor(sumToShape(g.data, g.shape, aShape), aShape) : null, gb];
  },
});

// out = a · b;  ∂a = Σ g·b,  ∂b = Σ g·a
const mulOp = defineOp({
  name: 'mul',
  forward(ctx, [a, b]) {
    if (ctx.needsInputGrad[0] || ctx.needsInputGrad[1]) ctx.save(a, b);
    return binaryForward(OP_MUL, a, b, 'mul');
  },
  backward(ctx, g) {
    const [a, b] = ctx.saved as [Tensor, Tensor];
    return [
      ctx.needsInputGrad[0] ? reduced(withOperand(OP_MUL, g, b), g.shape, a) : null,
      ctx.needsInputGrad[1] ? reduced(withOperand(OP_MUL, g, a), g.shape, b) : null,
    ];
  },
});

// out = a / b;  ∂a = Σ g/b,  ∂b = -Σ g·out/b
const divOp = defineOp({
  name: 'div',
  forward(ctx, [a, b]) {
    const out = binaryForward(OP_DIV, a, b, 'div');
    if (ctx.needsInputGrad[0] || ctx.needsInputGrad[1]) ctx.save(a, b, out);
    return out;
  },
  backward(ctx, g) {
    const [a, b, out] = ctx.saved as [Tensor, Tensor, Tensor];
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (ctx.needsInputGrad[0]) ga = reduced(withOperand(OP_DIV, g, b), g.shape, a);
    if (ctx.needsInputGrad[1]) {
      const gy = allocateLike(g.data, g.size);
      const gd = g.data;
      const od = out.data;
      for (let i = 0; i < gy.length; i++) gy[i] = gd[i] * od[i];
      const t = withOperand(OP_DIV, new Tensor(gy, g.shape), b);
      gb = new Tensor(negated(sumToShape(t, g.shape, b.shape)), b.shape);
    }
    return [ga, gb];
  },
});

// out = op(a, s) for a number s;  ∂a = g (add, sub), g·s (mul), g/s (div)
const scalarOp = defineOp<[BinaryOpCode, number]>({
  name: 'scalar',
  forward(ctx, [a], op, s) {
    ctx.save(op, s);
    const out = allocateLike(a.data, a.size);
    const d = a.data;
    switch (op) {
      case OP_ADD:
        for (let i = 0; i < d.length; i++) out[i] = d[i] + s;
        break;
      case OP_SUB:
        for (let i = 0; i < d.length; i++) out[i] = d[i] - s;
        break;
      case OP_MUL:
        for (let i = 0; i < d.length; i++) out[i] = d[i] * s;
        break;
      case OP_DIV:
        for (let i = 0; i < d.length; i++) out[i] = d[i] / s;
        break;
    }
    return new Tensor(out, a.shape);
  },
  backward(ctx, g) {
    const [op, s] = ctx.saved as [BinaryOpCode, number];
    if (op === OP_ADD || op === OP_SUB) return [g];
    const out = allocateLike(g.data, g.size);
    const d = g.data;
    if (op === OP_MUL) for (let i = 0; i < d.length; i++) out[i] = d[i] * s;
    else for (let i = 0; i < d.length; i++) out[i] = d[i] / s;
    return [new Tensor(out, g.shape)];
  },
});

function binary(op: BinaryOpCode, opName: string, a: Tensor, b: Tensor | number): Tensor {
  checkTensor(a, opName, 'a');
  if (typeof b === 'number') return scalarOp([a], op, b);
  checkTensor(b, opName, 'b');
  checkSameDType(a, b, opName);
  switch (op) {
    case OP_ADD:
      return addOp([a, b]);
    case OP_SUB:
      return subOp([a, b]);
    case OP_MUL:
      return mulOp([a, b]);
    default:
      return divOp([a, b]);
  }
}

/** a + b with broadcasting; b may be a number. */
export function add(a: Tensor, b: Tensor | number): Tensor {
  return binary(OP_ADD, 'add', a, b);
}

/** a - b with broadcasting; b may be a number. */
export function sub(a: Tensor, b: Tensor | number): Tensor {
  return binary(OP_SUB, 'sub', a, b);
}

/** a · b elementwise with broadcasting; b may be a number. */
export function mul(a: Tensor, b: Tensor | number): Tensor {
  return binary(OP_MUL, 'mul', a, b);
}

/** a / b elementwise with broadcasting; b may be a number. */
export function div(a: Tensor, b: Tensor | number): Tensor {
  return binary(OP_DIV, 'div', a, b);
}
