/** Naive reference max pooling, written straight from the definition; used only by tests (conformance). */
import { inputIndex } from '../conv2d/conv2d.reference';
import type { FloatArray, Pool2dGeometry } from '../types';

/** out = max over the in-bounds window taps (padding never wins, like PyTorch's −∞ padding); first max wins ties; NaN propagates. */
export function referenceMaxPool2dForward(
  g: Pool2dGeometry,
  x: FloatArray,
  out: FloatArray,
  argmax: Int32Array,
): void {
  for (let n = 0; n < g.batch; n++)
    for (let oh = 0; oh < g.outH; oh++)
      for (let ow = 0; ow < g.outW; ow++)
        for (let c = 0; c < g.channels; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestIndex = -1;
          for (let kh = 0; kh < g.kH; kh++) {
            const ih = inputIndex(oh, kh, g.strideH, g.padTop, g.dilationH, g.inH);
            if (ih < 0) continue;
            for (let kw = 0; kw < g.kW; kw++) {
              const iw = inputIndex(ow, kw, g.strideW, g.padLeft, g.dilationW, g.inW);
              if (iw < 0) continue;
              const idx = ((n * g.inH + ih) * g.inW + iw) * g.channels + c;
              const v = x[idx];
              if (bestIndex < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
                best = v;
                bestIndex = idx;
              }
            }
          }
          const o = ((n * g.outH + oh) * g.outW + ow) * g.channels + c;
          out[o] = best;
          argmax[o] = bestIndex;
        }
}
