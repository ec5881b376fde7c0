import type { Conv2dGeometry, FloatArray } from './kernels';

/**
 * Direct NHWC convolution, weights OHWI:
 * out[n,oh,ow,oc] = bias[oc] + Σ_{kh,kw,ic} x[n, oh·sH−pT+kh·dH, ow·sW−pL+kw·dW, grp·icpg+ic]·w[oc,kh,kw,ic].
 */
export function conv2dForward(
  g: Conv2dGeometry,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  out: FloatArray,
): void {
  const { inH, inW, inC, outH, outW, outC, kH, kW } = g;
  const icpg = inC / g.groups;
  const ocpg = outC / g.groups;
  for (let n = 0; n < g.batch; n++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++) {
        const o = ((n * outH + oh) * outW + ow) * outC;
        for (let oc = 0; oc < outC; oc++) out[o + oc] = bias ? bias[oc] : 0;
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * g.strideH - g.padTop + kh * g.dilationH;
          if (ih < 0 || ih >= inH) continue;
          for (let kw = 0; kw < kW; kw++) {
            const iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
            if (iw < 0 || iw >= inW) continue;
            const xi = ((n * inH + ih) * inW + iw) * inC;
            for (let oc = 0; oc < outC; oc++) {
              const xg = xi + Math.floor(oc / ocpg) * icpg;
              const wi = ((oc * kH + kh) * kW + kw) * icpg;
              let s = 0;
              for (let ic = 0; ic < icpg; ic++) s += x[xg + ic] * w[wi + ic];
              out[o + oc] += s;
            }
          }
        }
      }
}

/** dx[n,ih,iw,grp·icpg+ic] = Σ dOut[n,oh,ow,oc]·w[oc,kh,kw,ic] over taps landing on (ih,iw) (scatter form). */
export function conv2dBackwardInput(
  g: Conv2dGeometry,
  dOut: FloatArray,
  w: FloatArray,
  dx: FloatArray,
): void {
  const { inH, inW, inC, outH, outW, outC, kH, kW } = g;
  const icpg = inC / g.groups;
  const ocpg = outC / g.groups;
  dx.fill(0, 0, g.batch * inH * inW * inC);
  for (let n = 0; n < g.batch; n++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++) {
        const o = ((n * outH + oh) * outW + ow) * outC;
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * g.strideH - g.padTop + kh * g.dilationH;
          if (ih < 0 || ih >= inH) continue;
          for (let kw = 0; kw < kW; kw++) {
            const iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
            if (iw < 0 || iw >= inW) continue;
            const xi = ((n * inH + ih) * inW + iw) * inC;
            for (let oc = 0; oc < outC; oc++) {
              const d = dOut[o + oc];
              const xg = xi + Math.floor(oc / ocpg) * icpg;
              const wi = ((oc * kH + kh) * kW + kw) * icpg;
              for (let ic = 0; ic < icpg; ic++) dx[xg + ic] += d * w[wi + ic];
            }
          }
        }
      }
}

/** dw[oc,kh,kw,ic] = Σ_{n,oh,ow} dOut[n,oh,ow,oc]·x[n, oh·sH−pT+kh·dH, ow·sW−pL+kw·dW, grp·icpg+ic]. */
export function conv2dBackwardWeight(
  g: Conv2dGeometry,
  x: FloatArray,
  dOut: FloatArray,
  dw: FloatArray,
): void {
  const { inH, inW, inC, outH, outW, outC, kH, kW } = g;
  const icpg = inC / g.groups;
  const ocpg = outC / g.groups;
  dw.fill(0, 0, outC * kH * kW * icpg);
  for (let n = 0; n < g.batch; n++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++) {
        const o = ((n * outH + oh) * outW + ow) * outC;
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * g.strideH - g.padTop + kh * g.dilationH;
          if (ih < 0 || ih >= inH) continue;
          for (let kw = 0; kw < kW; kw++) {
            const iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
            if (iw < 0 || iw >= inW) continue;
            const xi = ((n * inH + ih) * inW + iw) * inC;
            for (let oc = 0; oc < outC; oc++) {
              const d = dOut[o + oc];
              const xg = xi + Math.floor(oc / ocpg) * icpg;
              const wi = ((oc * kH + kh) * kW + kw) * icpg;
              for (let ic = 0; ic < icpg; ic++) dw[wi + ic] += d * x[xg + ic];
            }
          }
        }
      }
}
