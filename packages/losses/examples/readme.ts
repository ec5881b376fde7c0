import { Tensor } from '@hw3/core';
import { crossEntropy, crossEntropyArray, softmaxArray } from '@hw3/losses';

// Autograd: logits [N = 2, C = 3], class-index targets.
const logits = new Tensor(Float32Array.from([2, 1, 0.1, 0.5, 2.5, -1]), [2, 3], { requiresGrad: true });
const loss = crossEntropy(logits, [0, 1], { labelSmoothing: 0.1 });
loss.backward();
console.log(loss.item().toFixed(4)); // 0.4251
// (softmax − q) / N with q = 0.9 · onehot + 0.1 / 3:
console.log(Array.from(logits.grad!.data, (g) => g.toFixed(4)).join(' ')); // -0.1372 0.1045 0.0326 0.0414 -0.0377 -0.0037

// Plain typed arrays: loss and ∂loss/∂logits in one fused pass.
const z = Float64Array.from([1e4, -1e4, 0]); // extreme logits are fine
const { loss: l, grad } = crossEntropyArray(z, [1, 3], [1], { reduction: 'sum' });
console.log(l, Array.from(grad)); // 20000 [ 1, -1, 0 ]  = softmax(z) − onehot(1)
console.log(Array.from(softmaxArray(z, [3]))); // [ 1, 0, 0 ]
