import { getKernels } from '../kernels/index';
import type { Tensor } from '../tensor';
import { checkTensor } from './check';
import { defineUnary } from './define-unary';

// y = -x;  ∂x = -g
const negOp = defineUnary({ name: 'neg', f: (x) => -x, grad: (g) => -g, saves: 'none' });

// y = eˣ;  ∂x = g·y
const expOp = defineUnary({ name: 'exp', f: (x) => Math.exp(x), grad: (g, y) => g * y, saves: 'y' });

// y = ln x (NaN for x < 0, -Infinity at 0, as PyTorch);  ∂x = g / x
const logOp = defineUnary({ name: 'log', f: (x) => Math.log(x), grad: (g, x) => g / x, saves: 'x' });

// y = max(x, 0) (NaN propagates);  ∂x = g·[y > 0] (0 at x = 0, as PyTorch). Loops: kernels reluForward / reluBackward.
const reluOp = defineUnary({
  name: 'relu',
  f: (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0),
  grad: (g, y) => (y > 0 ? g : 0),
  saves: 'y',
  arrays: {
    forward: (x, y) => getKernels().reluForward(x, y),
    backward: (y, g, dx) => getKernels().reluBackward(y, g, dx),
  },
});

// y = 1 / (1 + e^-x) (computed without overflow: e^x / (1 + e^x) for x < 0);  ∂x = g·y·(1 - y)
const sigmoidOp = defineUnary({
  name: 'sigmoid',
  f: (x) => {
    const e = Math.exp(-Math.abs(x));
    return x >= 0 ? 1 / (1 + e) : e / (1 + e);
  },
  grad: (g, y) => g * y * (1 - y),
  saves: 'y',
});

// y = tanh x;  ∂x = g·(1 - y²)
const tanhOp = defineUnary({
  name: 'tanh',
  f: (x) => Math.tanh(x),
  grad: (g, y) => g * (1 - y * y),
  saves: 'y',
});

/** Elementwise −x. */
export function neg(x: Tensor): Tensor {
  return negOp(checkTensor(x, 'neg'));
}
/** Elementwise e^x. */
export function exp(x: Tensor): Tensor {
  return expOp(checkTensor(x, 'exp'));
}
/** Natural logarithm; like PyTorch, gives NaN for negative inputs and -Infinity at 0. */
export function log(x: Tensor): Tensor {
  return logOp(checkTensor(x, 'log'));
}
/** Elementwise max(x, 0); its gradient at 0 is 0, as in PyTorch. */
export function relu(x: Tensor): Tensor {
  return reluOp(checkTensor(x, 'relu'));
}
/** Elementwise 1 / (1 + e^(−x)). */
export function sigmoid(x: Tensor): Tensor {
  return sigmoidOp(checkTensor(x, 'sigmoid'));
}
/** Elementwise tanh(x). */
export function tanh(x: Tensor): Tensor {
  return tanhOp(checkTensor(x, 'tanh'));
}
