/** Helpers shared by the kernel tests (not part of the package API). */
import type { Conv2dGeometry, FloatArray, Pool2dGeometry } from './kernels';

/** mulberry32: small seeded PRNG so the random geometries are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

export function randomArray(ctor: FloatCtor, size: number, rand: () => number): FloatArray {
  const out = new ctor(size);
  for (let i = 0; i < size; i++) out[i] = rand() * 2 - 1;
  return out;
}

export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** A 3×3 'same' convolution (stride 1, padding 1, no dilation, one group) of an n × size × size × inC input. */
export function sameConv3x3(batch: number, size: number, inC: number, outC: number): Conv2dGeometry {
  return {
    batch,
    inH: size,
    inW: size,
    inC,
    outH: size,
    outW: size,
    outC,
    kH: 3,
    kW: 3,
    strideH: 1,
    strideW: 1,
    padTop: 1,
    padLeft: 1,
    dilationH: 1,
    dilationW: 1,
    groups: 1,
  };
}

/** Output size of a convolution / pooling axis (floor mode). */
export function outSize(
  inSize: number,
  k: number,
  stride: number,
  padTotal: number,
  dilation: number,
): number {
  return Math.floor((inSize + padTotal - dilation * (k - 1) - 1) / stride) + 1;
}

/**
 * Largest |actual − expected| beyond tolerance `atol + rtol·|expected|`, as a message, or '' when all close.
 * Also fails when one is NaN and the other is not.
 */
export function mismatch(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
): string {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(a) || Number.isNaN(e)) {
      if (Number.isNaN(a) !== Number.isNaN(e)) return `index ${i}: actual ${a}, expected ${e}`;
      continue;
    }
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (excess > worstExcess || (a !== e && !Number.isFinite(excess))) {
      worstExcess = excess;
      worst = i;
    }
  }
  return worst < 0 ? '' : `index ${worst}: actual ${actual[worst]}, expected ${expected[worst]}`;
}

/** A random conv geometry with small sizes (optionally grouped, strided, dilated, padded). */
export function randomConvGeometry(rand: () => number): Conv2dGeometry {
  const groups = rand() < 0.3 ? randInt(rand, 2, 3) : 1;
  const inC = groups * randInt(rand, 1, 5);
  const outC = groups * randInt(rand, 1, 5);
  const kH = randInt(rand, 1, 4);
  const kW = randInt(rand, 1, 4);
  const strideH = randInt(rand, 1, 3);
  const strideW = randInt(rand, 1, 3);
  const dilationH = randInt(rand, 1, 2);
  const dilationW = randInt(rand, 1, 2);
  const padTop = randInt(rand, 0, kH);
  const padLeft = randInt(rand, 0, kW);
  const padBottom = randInt(rand, 0, kH);
  const padRight = randInt(rand, 0, kW);
  const inH = randInt(rand, dilationH * (kH - 1) + 1, 10);
  const inW = randInt(rand, dilationW * (kW - 1) + 1, 10);
  return {
    batch: randInt(rand, 1, 3),
    inH,
    inW,
    inC,
    outH: outSize(inH, kH, strideH, padTop + padBottom, dilationH),
    outW: outSize(inW, kW, strideW, padLeft + padRight, dilationW),
    outC,
    kH,
    kW,
    strideH,
    strideW,
    padTop,
    padLeft,
    dilationH,
    dilationW,
    groups,
  };
}

/** A random pooling geometry with padding ≤ kernel/2 (as PyTorch requires). */
export function randomPoolGeometry(rand: () => number): Pool2dGeometry {
  const kH = randInt(rand, 1, 4);
  const kW = randInt(rand, 1, 4);
  const strideH = randInt(rand, 1, 3);
  const strideW = randInt(rand, 1, 3);
  const dilationH = randInt(rand, 1, 2);
  const dilationW = randInt(rand, 1, 2);
  const padTop = randInt(rand, 0, Math.floor(kH / 2));
  const padLeft = randInt(rand, 0, Math.floor(kW / 2));
  const inH = randInt(rand, dilationH * (kH - 1) + 1, 9);
  const inW = randInt(rand, dilationW * (kW - 1) + 1, 9);
  return {
    batch: randInt(rand, 1, 3),
    inH,
    inW,
    channels: randInt(rand, 1, 6),
    outH: outSize(inH, kH, strideH, 2 * padTop, dilationH),
    outW: outSize(inW, kW, strideW, 2 * padLeft, dilationW),
    kH,
    kW,
    strideH,
    strideW,
    padTop,
    padLeft,
    dilationH,
    dilationW,
  };
}

export function describeGeometry(g: object): string {
  return JSON.stringify(g);
}

/** A square-window pooling geometry: k×k window, stride, padding and dilation the same along H and W. */
export function poolGeometry(
  batch: number,
  inH: number,
  inW: number,
  channels: number,
  k: number,
  stride: number,
  pad: number,
  dilation: number,
): Pool2dGeometry {
  return {
    batch,
    inH,
    inW,
    channels,
    outH: outSize(inH, k, stride, 2 * pad, dilation),
    outW: outSize(inW, k, stride, 2 * pad, dilation),
    kH: k,
    kW: k,
    strideH: stride,
    strideW: stride,
    padTop: pad,
    padLeft: pad,
    dilationH: dilation,
    dilationW: dilation,
  };
}

/** The bit patterns of a float array (so +0 / −0 and NaN payloads compare exactly), as 32-bit words. */
export function bitsOf(a: FloatArray): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.byteLength / 4));
}
