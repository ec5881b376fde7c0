/** Convolution geometry, set once per call by setConvGeometry (keeps the exported signatures short); pooling uses it too. */

export let gBatch: i32 = 0;
export let gInH: i32 = 0;
export let gInW: i32 = 0;
export let gInC: i32 = 0;
export let gOutH: i32 = 0;
export let gOutW: i32 = 0;
export let gOutC: i32 = 0;
export let gKH: i32 = 0;
export let gKW: i32 = 0;
export let gSH: i32 = 0;
export let gSW: i32 = 0;
export let gPT: i32 = 0;
export let gPL: i32 = 0;
export let gDH: i32 = 0;
export let gDW: i32 = 0;
export let gGroups: i32 = 1;

export function setConvGeometry(
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  kH: i32,
  kW: i32,
  strideH: i32,
  strideW: i32,
  padTop: i32,
  padLeft: i32,
  dilationH: i32,
  dilationW: i32,
  groups: i32,
): void {
  gBatch = batch;
  gInH = inH;
  gInW = inW;
  gInC = inC;
  gOutH = outH;
  gOutW = outW;
  gOutC = outC;
  gKH = kH;
  gKW = kW;
  gSH = strideH;
  gSW = strideW;
  gPT = padTop;
  gPL = padLeft;
  gDH = dilationH;
  gDW = dilationW;
  gGroups = groups;
}

/** True when the convolution is a plain per-pixel matrix product (1×1, stride 1, no padding, one group). */
export function isPointwise(): bool {
  return (
    gKH === 1 &&
    gKW === 1 &&
    gSH === 1 &&
    gSW === 1 &&
    gPT === 0 &&
    gPL === 0 &&
    gGroups === 1 &&
    gOutH === gInH &&
    gOutW === gInW
  );
}
