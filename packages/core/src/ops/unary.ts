import { defineOp } from '../define-op';
import { allocateLike } from '../dtype';
import { getKernels } from '../kernels/index';
import { Tensor } from '../tensor';
import { checkTensor } from './check';

// y = -x;  ∂x = -g
const negOp = defineOp({
  name: 'neg',
  forward(_ctx, [x]) {
    const d = x.data;
    const out = allocateLike(d, d.length);
    for (let i = 0; i < d.length; i++) out[i] = -d[i];
    return new Tensor(out, x.shape);
  },
  backward(_ctx, g) {
    const d = g.data;
    const out = allocateLike(d, d.length);
    for (let i = 0; i < d.length; i++) out[i] = -d[i];
    return [new Tensor(out, g.shape)];
  },
});

// y = eˣ;  ∂x = g·y
const expOp = defineOp({
  name: 'exp',
  forward(ctx, [x]) {
    const d = x.data;
    const out = allocateLike(d, d.length);
    for (let i = 0; i < d.length; i++) out[i] = Math.exp(d[i]);
    ctx.save(out);
    return new Tensor(out, x.shape);
  },
  backward(ctx, g) {
    const y = ctx.saved[0] as Float64Array | Float32Array;
    const gd = g.data;
    const out = allocateLike(gd, gd.length);
    for (let i = 0; i < gd.length; i++) out[i] = gd[i] * y[i];
    return [new Tensor(out, g.shape)];
  },
});

// y = ln x (NaN for x < 0, -Infinity at 0, as PyTorch);  ∂x = g / x
const logOp = defineOp({
  name: 'log',
  forward(ctx, [x]) {
    const d = x.data;
    const out = allocateLike(d, d.length);
    for (let i = 0; i < d.length; i++) out[i] = Math.log(d[i]);
    ctx.save(x);
    return new Tensor(out, x.shape);
  },
  backward(ctx, g) {
    const x = (ctx.saved[0] as Tensor).data;
    const gd = g.data;
    const out = allocateLike(gd, gd.length);
    for (let i = 0; i < gd.length; i++) out[i] = gd[i] / x[i];
    return [new Tensor(out, g.shape)];
  },
});

// y = max(x, 0) (NaN propagates);  ∂x = g·[y > 0] (0 at x = 0, as PyTorch). Loops: kernels reluForward / reluBackward.
const reluOp = defineOp({
  name: 'relu',
  forward(ctx, [x]) {
    const d = x.data;
    const out = allocateLike(d, d.length);
    getKernels().reluForward(d, out);
    ctx.save(out);
    return new Tensor(out, x.shape);
  },
  backward(ctx, g) {
    const y = ctx.saved[0] as Float64Array | Float32Array;
    const gd = g.data;
    const out = allocateLike(gd, gd.length);
    getKernels().reluBackward(y, gd, out);
    return [new Tensor(out, g.shape)];
  },
});

// y = 1 / (1 + e^-x) (computed without overflow);  ∂x = g·y·(1 - y)
const sigmoidOp = defineOp({
  name: 'sigmoid',
  forward(ctx, [x]) {
    const d = x.data;
    const out = allocateLike(d, d.length);
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
      else {
        const e = Math.exp(v);
        out[i] = e / (1 + e);
      }
    }
    ctx.save(out);
    return new Tensor(out, x.shape);
  },
  backward(ctx, g) {
    const y = ctx.saved[0] as Float64Array | Float32Array;
    const gd = g.data;
    const out = allocateLike(gd, gd.length);
    for (let i = 0; i < gd.length; i++) out[i] = gd[i] * y[i] * (1 - y[i]);
    return [new Tensor(out, g.shape)];
  },
});

// y = tanh x;  ∂x = g·(1 - y²)
const tanhOp = defineOp({
  name: 'tanh',
  forward(ctx, [x]) {
    const d = x.data;
    const out = allocateLike(d, d.length);
    for (let i = 0; i < d.length; i++) out[i] = Math.tanh(d[i]);
    ctx.save(out);
    return new Tensor(out, x.shape);
  },
  backward(ctx, g) {
    const y = ctx.saved[0] as Float64Array | Float32Array;
    const gd = g.data;
    const out = allocateLike(gd, gd.length);
    for (let i = 0; i < gd.length; i++) out[i] = gd[i] * (1 - y[i] * y[i]);
    return [new Tensor(out, g.shape)];
  },
});

export function neg(x: Tensor): Tensor {
  return negOp([checkTensor(x, 'neg')]);
}
export function exp(x: Tensor): Tensor {
  return expOp([checkTensor(x, 'exp')]);
}
/** Natural logarithm; like PyTorch, gives NaN for negative inputs and -Infinity at 0. */
export function log(x: Tensor): Tensor {
  return logOp([checkTensor(x, 'log')]);
}
export function relu(x: Tensor): Tensor {
  return reluOp([checkTensor(x, 'relu')]);
}
export function sigmoid(x: Tensor): Tensor {
  return sigmoidOp([checkTensor(x, 'sigmoid')]);
}
export function tanh(x: Tensor): Tensor {
  return tanhOp([checkTensor(x, 'tanh')]);
}
