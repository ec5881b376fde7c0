/** The array and geometry types of the kernel signatures (see kernels.ts for the `Kernels` interface). */

export type FloatArray = Float32Array | Float64Array;

/** Geometry of one 2-d convolution, channels-last (NHWC). Weights are [outC, kH, kW, inC / groups] (OHWI). */
export interface Conv2dGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  /** Padding on the top / left; bottom / right padding is implied by outH / outW. */
  padTop: number;
  padLeft: number;
  dilationH: number;
  dilationW: number;
  groups: number;
}

/** Geometry of one 2-d pooling window pass, channels-last (NHWC). */
export interface Pool2dGeometry {
  batch: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  dilationH: number;
  dilationW: number;
}
