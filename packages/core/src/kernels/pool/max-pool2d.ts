import type { FloatArray, Pool2dGeometry } from '../types';

/**
 * Max pooling, NHWC: out[n,oh,ow,c] = max over in-bounds taps x[n, oh·sH−pT+kh·dH, ow·sW−pL+kw·dW, c].
 * Padding taps are skipped (PyTorch pads with −∞). The first maximum wins ties; a NaN wins over numbers
 * (propagates, like PyTorch). A window with no in-bounds tap gives −∞ and argmax −1.
 */
export function maxPool2dForward(
  g: Pool2dGeometry,
  x: FloatArray,
  out: FloatArray,
  argmax: Int32Array,
): void {
  const { inH, inW, channels: C, outH, outW, kH, kW } = g;
  for (let n = 0; n < g.batch; n++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++) {
        const o = ((n * outH + oh) * outW + ow) * C;
        for (let c = 0; c < C; c++) {
          out[o + c] = Number.NEGATIVE_INFINITY;
          argmax[o + c] = -1;
        }
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * g.strideH - g.padTop + kh * g.dilationH;
          if (ih < 0 || ih >= inH) continue;
          for (let kw = 0; kw < kW; kw++) {
            const iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
            if (iw < 0 || iw >= inW) continue;
            const xi = ((n * inH + ih) * inW + iw) * C;
            for (let c = 0; c < C; c++) {
              const v = x[xi + c];
              const best = out[o + c];
              // A NaN replaces a number; once the best is NaN it stays (the first NaN wins).
              if (argmax[o + c] < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
                out[o + c] = v;
                argmax[o + c] = xi + c;
              }
            }
          }
        }
      }
}

/**
 * dx (overwritten, zero first) = Σ over pooled outputs i with argmax[i] ≥ 0 of g[i] at dx[argmax[i]]. `geometry`
 * (the forward's, optional) lets a kernel set use it (the wasm set writes dx window by window); this one scans.
 */
export function maxPool2dBackward(
  argmax: Int32Array,
  g: FloatArray,
  dx: FloatArray,
  _geometry?: Pool2dGeometry,
): void {
  dx.fill(0);
  const m = argmax.length;
  for (let i = 0; i < m; i++) {
    const j = argmax[i];
    if (j >= 0) dx[j] += g[i];
  }
}
