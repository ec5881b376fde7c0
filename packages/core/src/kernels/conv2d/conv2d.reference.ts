/** Naive reference conv2d passes, written straight from the definition; used only by tests (conformance). */
import type { Conv2dGeometry, FloatArray } from '../types';

/** Input row/column of output position o and kernel tap t, or -1 when it falls in the padding. */
export function inputIndex(
  o: number,
  t: number,
  stride: number,
  pad: number,
  dilation: number,
  size: number,
): number {
  const i = o * stride - pad + t * dilation;
  return i >= 0 && i < size ? i : -1;
}

/** out[n,oh,ow,oc] = bias[oc] + Σ_{kh,kw,ic} x[n, oh·sH−pT+kh·dH, ow·sW−pL+kw·dW, g·icpg+ic] · w[oc,kh,kw,ic]. */
export function referenceConv2dForward(
  g: Conv2dGeometry,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  out: FloatArray,
): void {
  const icpg = g.inC / g.groups;
  const ocpg = g.outC / g.groups;
  for (let n = 0; n < g.batch; n++)
    for (let oh = 0; oh < g.outH; oh++)
      for (let ow = 0; ow < g.outW; ow++)
        for (let oc = 0; oc < g.outC; oc++) {
          const grp = Math.floor(oc / ocpg);
          let s = bias ? bias[oc] : 0;
          for (let kh = 0; kh < g.kH; kh++) {
            const ih = inputIndex(oh, kh, g.strideH, g.padTop, g.dilationH, g.inH);
            if (ih < 0) continue;
            for (let kw = 0; kw < g.kW; kw++) {
              const iw = inputIndex(ow, kw, g.strideW, g.padLeft, g.dilationW, g.inW);
              if (iw < 0) continue;
              for (let ic = 0; ic < icpg; ic++) {
                const xv = x[((n * g.inH + ih) * g.inW + iw) * g.inC + grp * icpg + ic];
                const wv = w[((oc * g.kH + kh) * g.kW + kw) * icpg + ic];
                s += xv * wv;
              }
            }
          }
          out[((n * g.outH + oh) * g.outW + ow) * g.outC + oc] = s;
        }
}

/** dx[n,ih,iw,c] = Σ over every (oh,ow,oc,kh,kw) whose tap lands on (ih,iw,c) of dOut[n,oh,ow,oc]·w[oc,kh,kw,ic]. */
export function referenceConv2dBackwardInput(
  g: Conv2dGeometry,
  dOut: FloatArray,
  w: FloatArray,
  dx: FloatArray,
): void {
  const icpg = g.inC / g.groups;
  const ocpg = g.outC / g.groups;
  // Gather form (independent of the scatter form a fast kernel would use): for each input element,
  // find the output positions oh with oh·sH − pT + kh·dH = ih.
  for (let n = 0; n < g.batch; n++)
    for (let ih = 0; ih < g.inH; ih++)
      for (let iw = 0; iw < g.inW; iw++)
        for (let c = 0; c < g.inC; c++) {
          const grp = Math.floor(c / icpg);
          const ic = c - grp * icpg;
          let s = 0;
          for (let kh = 0; kh < g.kH; kh++) {
            const th = ih + g.padTop - kh * g.dilationH;
            if (th < 0 || th % g.strideH !== 0) continue;
            const oh = th / g.strideH;
            if (oh >= g.outH) continue;
            for (let kw = 0; kw < g.kW; kw++) {
              const tw = iw + g.padLeft - kw * g.dilationW;
              if (tw < 0 || tw % g.strideW !== 0) continue;
              const ow = tw / g.strideW;
              if (ow >= g.outW) continue;
              for (let j = 0; j < ocpg; j++) {
                const oc = grp * ocpg + j;
                s +=
                  dOut[((n * g.outH + oh) * g.outW + ow) * g.outC + oc] *
                  w[((oc * g.kH + kh) * g.kW + kw) * icpg + ic];
              }
            }
          }
          dx[((n * g.inH + ih) * g.inW + iw) * g.inC + c] = s;
        }
}

/** dw[oc,kh,kw,ic] = Σ_{n,oh,ow} dOut[n,oh,ow,oc] · x[n, oh·sH−pT+kh·dH, ow·sW−pL+kw·dW, g·icpg+ic]. */
export function referenceConv2dBackwardWeight(
  g: Conv2dGeometry,
  x: FloatArray,
  dOut: FloatArray,
  dw: FloatArray,
): void {
  const icpg = g.inC / g.groups;
  const ocpg = g.outC / g.groups;
  for (let oc = 0; oc < g.outC; oc++) {
    const grp = Math.floor(oc / ocpg);
    for (let kh = 0; kh < g.kH; kh++)
      for (let kw = 0; kw < g.kW; kw++)
        for (let ic = 0; ic < icpg; ic++) {
          let s = 0;
          for (let n = 0; n < g.batch; n++)
            for (let oh = 0; oh < g.outH; oh++) {
              const ih = inputIndex(oh, kh, g.strideH, g.padTop, g.dilationH, g.inH);
              if (ih < 0) continue;
              for (let ow = 0; ow < g.outW; ow++) {
                const iw = inputIndex(ow, kw, g.strideW, g.padLeft, g.dilationW, g.inW);
                if (iw < 0) continue;
                s +=
                  dOut[((n * g.outH + oh) * g.outW + ow) * g.outC + oc] *
                  x[((n * g.inH + ih) * g.inW + iw) * g.inC + grp * icpg + ic];
              }
            }
          dw[((oc * g.kH + kh) * g.kW + kw) * icpg + ic] = s;
        }
  }
}
