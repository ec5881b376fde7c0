import { describe, expect, it } from 'vitest';
import {
  referenceConv2dBackwardInput,
  referenceConv2dBackwardWeight,
  referenceConv2dForward,
} from './conv2d/conv2d.reference';
import { referenceGemm } from './gemm/gemm.reference';
import type { Conv2dGeometry } from './kernels';
import { referenceMaxPool2dForward } from './pool/max-pool2d.reference';
import { randomArray, randomConvGeometry, seededRandom } from './test-helpers';

// The reference kernels are themselves checked: against hand-computed values, and against each other
// through the adjoint identity ⟨conv(x, w), dy⟩ = ⟨x, convBackwardInput(dy, w)⟩ = ⟨w, convBackwardWeight(x, dy)⟩,
// which holds exactly (up to rounding) only when the three are consistent derivatives of one linear map.

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe('reference kernels', () => {
  it('gemm matches a hand-computed 2×3·3×2 product, for each transpose layout', () => {
    // A = [[1,2,3],[4,5,6]], B = [[7,8],[9,10],[11,12]], A·B = [[58,64],[139,154]].
    const a = new Float64Array([1, 2, 3, 4, 5, 6]);
    const aT = new Float64Array([1, 4, 2, 5, 3, 6]);
    const b = new Float64Array([7, 8, 9, 10, 11, 12]);
    const bT = new Float64Array([7, 9, 11, 8, 10, 12]);
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const c = new Float64Array([1, 1, 1, 1]);
      referenceGemm(tA, tB, 2, 2, 3, tA ? aT : a, 0, tA ? 2 : 3, tB ? bT : b, 0, tB ? 3 : 2, c, 0, 2, false);
      expect(Array.from(c)).toEqual([58, 64, 139, 154]);
      referenceGemm(tA, tB, 2, 2, 3, tA ? aT : a, 0, tA ? 2 : 3, tB ? bT : b, 0, tB ? 3 : 2, c, 0, 2, true);
      expect(Array.from(c)).toEqual([116, 128, 278, 308]);
    }
  });

  it('conv2d forward matches a hand-computed 3×3 input, 2×2 kernel, padding 1, stride 2 example', () => {
    // x (1 channel): [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]], bias 10, pad top/left 1, stride 2.
    // Output positions (oh,ow) ∈ {0,1}² read input rows oh·2−1+kh, cols ow·2−1+kw.
    // (0,0): only tap (1,1) in bounds → 4·1 = 4;  (0,1): taps (1,0),(1,1) → 3·2 + 4·3 = 18
    // (1,0): taps (0,1),(1,1) → 2·4 + 4·7 = 36;   (1,1): all → 1·5 + 2·6 + 3·8 + 4·9 = 77.
    const g: Conv2dGeometry = {
      batch: 1,
      inH: 3,
      inW: 3,
      inC: 1,
      outH: 2,
      outW: 2,
      outC: 1,
      kH: 2,
      kW: 2,
      strideH: 2,
      strideW: 2,
      padTop: 1,
      padLeft: 1,
      dilationH: 1,
      dilationW: 1,
      groups: 1,
    };
    const out = new Float64Array(4);
    referenceConv2dForward(
      g,
      new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9]),
      new Float64Array([1, 2, 3, 4]),
      new Float64Array([10]),
      out,
    );
    expect(Array.from(out)).toEqual([14, 28, 46, 87]);
  });

  it('conv2d groups: each output channel sees only its own group of input channels', () => {
    // 1×1 conv, inC 2, outC 2, groups 2, weights [2], [3]: out = [2·x0, 3·x1].
    const g: Conv2dGeometry = {
      batch: 1,
      inH: 1,
      inW: 1,
      inC: 2,
      outH: 1,
      outW: 1,
      outC: 2,
      kH: 1,
      kW: 1,
      strideH: 1,
      strideW: 1,
      padTop: 0,
      padLeft: 0,
      dilationH: 1,
      dilationW: 1,
      groups: 2,
    };
    const out = new Float64Array(2);
    referenceConv2dForward(g, new Float64Array([5, 7]), new Float64Array([2, 3]), null, out);
    expect(Array.from(out)).toEqual([10, 21]);
  });

  it('conv2d backward input / weight are the adjoints of forward (random geometries, float64)', () => {
    const rand = seededRandom(11);
    for (let t = 0; t < 200; t++) {
      const g = randomConvGeometry(rand);
      const x = randomArray(Float64Array, g.batch * g.inH * g.inW * g.inC, rand);
      const w = randomArray(Float64Array, g.outC * g.kH * g.kW * (g.inC / g.groups), rand);
      const dy = randomArray(Float64Array, g.batch * g.outH * g.outW * g.outC, rand);
      const y = new Float64Array(dy.length);
      const dx = new Float64Array(x.length);
      const dw = new Float64Array(w.length);
      referenceConv2dForward(g, x, w, null, y);
      referenceConv2dBackwardInput(g, dy, w, dx);
      referenceConv2dBackwardWeight(g, x, dy, dw);
      const lhs = dot(y, dy);
      expect(dot(x, dx)).toBeCloseTo(lhs, 10);
      expect(dot(w, dw)).toBeCloseTo(lhs, 10);
    }
  });

  it('maxPool2d picks the window maximum and its flat input index; an all-padding window gives −∞ / −1', () => {
    // x 2×2×2 (H, W, C): channel 0 = [[1,5],[3,2]], channel 1 = [[−1,−2],[−3,−4]]; 2×2 window, stride 2.
    const x = new Float64Array([1, -1, 5, -2, 3, -3, 2, -4]);
    const g = {
      batch: 1,
      inH: 2,
      inW: 2,
      channels: 2,
      outH: 1,
      outW: 1,
      kH: 2,
      kW: 2,
      strideH: 2,
      strideW: 2,
      padTop: 0,
      padLeft: 0,
      dilationH: 1,
      dilationW: 1,
    };
    const out = new Float64Array(2);
    const arg = new Int32Array(2);
    referenceMaxPool2dForward(g, x, out, arg);
    expect(Array.from(out)).toEqual([5, -1]);
    expect(Array.from(arg)).toEqual([2, 1]);
    const gEmpty = {
      ...g,
      inH: 1,
      inW: 1,
      channels: 1,
      kH: 1,
      kW: 1,
      strideH: 1,
      strideW: 1,
      outH: 2,
      outW: 1,
      padTop: 1,
    };
    const out2 = new Float64Array(2);
    const arg2 = new Int32Array(2);
    referenceMaxPool2dForward(gEmpty, new Float64Array([9]), out2, arg2);
    expect(Array.from(out2)).toEqual([Number.NEGATIVE_INFINITY, 9]);
    expect(Array.from(arg2)).toEqual([-1, 0]);
  });
});
