/**
 * Plain float64 reference computations (the oracles): loops written for clarity, straight from the definitions
 * (PyTorch's documented semantics), independent of the kernels under test.
 */

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Broadcast result shape, or null when the shapes do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else return null;
  }
  return out;
}

/** Flat index into a tensor of `shape` broadcast to `outShape`, for the multi-index of flat output index `o`. */
function broadcastIndex(o: number, outShape: readonly number[], shape: readonly number[]): number {
  const outStrides = stridesOf(outShape);
  const strides = stridesOf(shape);
  const off = outShape.length - shape.length;
  let idx = 0;
  for (let d = 0; d < outShape.length; d++) {
    const coord = Math.floor(o / outStrides[d]) % outShape[d];
    if (d >= off && shape[d - off] !== 1) idx += coord * strides[d - off];
  }
  return idx;
}

export function binaryRef(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  f: (x: number, y: number) => number,
): { data: Float64Array; shape: number[] } | null {
  const shape = broadcastShape(aShape, bShape);
  if (shape === null) return null;
  const n = sizeOf(shape);
  const data = new Float64Array(n);
  for (let o = 0; o < n; o++)
    data[o] = f(a[broadcastIndex(o, shape, aShape)], b[broadcastIndex(o, shape, bShape)]);
  return { data, shape };
}

/** [..., m, k] · [..., k, n] with broadcast batch dims; also returns Σ|a||b| per output (the error scale). */
export function matmulRef(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
): { data: Float64Array; scale: Float64Array; shape: number[] } | null {
  if (aShape.length < 2 || bShape.length < 2) return null;
  const m = aShape[aShape.length - 2];
  const k = aShape[aShape.length - 1];
  const k2 = bShape[bShape.length - 2];
  const n = bShape[bShape.length - 1];
  if (k !== k2) return null;
  const batch = broadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
  if (batch === null) return null;
  const batches = sizeOf(batch);
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const data = new Float64Array(batches * m * n);
  const scale = new Float64Array(batches * m * n);
  for (let t = 0; t < batches; t++) {
    const ai = broadcastIndex(t, batch, aBatch) * m * k;
    const bi = broadcastIndex(t, batch, bBatch) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        let abs = 0;
        for (let p = 0; p < k; p++) {
          const v = a[ai + i * k + p] * b[bi + p * n + j];
          s += v;
          abs += Math.abs(v);
        }
        data[t * m * n + i * n + j] = s;
        scale[t * m * n + i * n + j] = abs;
      }
  }
  return { data, scale, shape: [...batch, m, n] };
}

export interface Conv2dRefArgs {
  x: ArrayLike<number>;
  xShape: readonly number[]; // [N, H, W, C]
  w: ArrayLike<number>;
  wShape: readonly number[]; // [O, kH, kW, C/groups]
  bias: ArrayLike<number> | null;
  stride: [number, number];
  pad: [[number, number], [number, number]];
  dilation: [number, number];
  groups: number;
}

/** NHWC convolution with OHWI weights, groups, asymmetric padding, dilation. */
export function conv2dRef(p: Conv2dRefArgs): { data: Float64Array; scale: Float64Array; shape: number[] } {
  const [N, H, W, C] = p.xShape;
  const [O, kH, kW, cpg] = p.wShape;
  const oH = Math.floor((H + p.pad[0][0] + p.pad[0][1] - p.dilation[0] * (kH - 1) - 1) / p.stride[0]) + 1;
  const oW = Math.floor((W + p.pad[1][0] + p.pad[1][1] - p.dilation[1] * (kW - 1) - 1) / p.stride[1]) + 1;
  const opg = O / p.groups;
  const data = new Float64Array(N * oH * oW * O);
  const scale = new Float64Array(N * oH * oW * O);
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < oH; oh++)
      for (let ow = 0; ow < oW; ow++)
        for (let o = 0; o < O; o++) {
          const g = Math.floor(o / opg);
          let s = p.bias === null ? 0 : p.bias[o];
          let abs = Math.abs(s);
          for (let i = 0; i < kH; i++) {
            const h = oh * p.stride[0] - p.pad[0][0] + i * p.dilation[0];
            if (h < 0 || h >= H) continue;
            for (let j = 0; j < kW; j++) {
              const wq = ow * p.stride[1] - p.pad[1][0] + j * p.dilation[1];
              if (wq < 0 || wq >= W) continue;
              for (let c = 0; c < cpg; c++) {
                const v =
                  p.x[((n * H + h) * W + wq) * C + g * cpg + c] * p.w[((o * kH + i) * kW + j) * cpg + c];
                s += v;
                abs += Math.abs(v);
              }
            }
          }
          data[((n * oH + oh) * oW + ow) * O + o] = s;
          scale[((n * oH + oh) * oW + ow) * O + o] = abs;
        }
  return { data, scale, shape: [N, oH, oW, O] };
}

/** Max / average pooling, NHWC, symmetric padding per dim (PyTorch semantics; −∞ for a window with no input tap). */
export function pool2dRef(
  x: ArrayLike<number>,
  xShape: readonly number[],
  k: [number, number],
  stride: [number, number],
  pad: [number, number],
  dilation: [number, number],
  mode: 'max' | 'avg',
  countIncludePad: boolean,
  /** Output size (ceil mode); default the floor-mode size. Taps past the padded input are not counted. */
  outSize?: [number, number],
): { data: Float64Array; shape: number[] } {
  const [N, H, W, C] = xShape;
  const oH = outSize?.[0] ?? Math.floor((H + 2 * pad[0] - dilation[0] * (k[0] - 1) - 1) / stride[0]) + 1;
  const oW = outSize?.[1] ?? Math.floor((W + 2 * pad[1] - dilation[1] * (k[1] - 1) - 1) / stride[1]) + 1;
  const data = new Float64Array(N * oH * oW * C);
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < oH; oh++)
      for (let ow = 0; ow < oW; ow++)
        for (let c = 0; c < C; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let sum = 0;
          let count = 0;
          let padded = 0;
          for (let i = 0; i < k[0]; i++) {
            const h = oh * stride[0] - pad[0] + i * dilation[0];
            for (let j = 0; j < k[1]; j++) {
              const w = ow * stride[1] - pad[1] + j * dilation[1];
              const inPadded = h >= -pad[0] && h < H + pad[0] && w >= -pad[1] && w < W + pad[1];
              if (inPadded) padded++;
              if (h < 0 || h >= H || w < 0 || w >= W) continue;
              const v = x[((n * H + h) * W + w) * C + c];
              if (Number.isNaN(v) || Number.isNaN(best)) best = Number.NaN;
              else if (v > best) best = v;
              sum += v;
              count++;
            }
          }
          data[((n * oH + oh) * oW + ow) * C + c] =
            mode === 'max'
              ? best
              : (countIncludePad ? padded : count) === 0
                ? 0 // a dilated window with no tap in the input: hw3 gives 0 (no NaN from finite input)
                : sum / (countIncludePad ? padded : count);
        }
  return { data, shape: [N, oH, oW, C] };
}

/** Sum over axes (all when empty), keepDims as PyTorch. */
export function sumRef(
  x: ArrayLike<number>,
  shape: readonly number[],
  axes: readonly number[],
  keepDims: boolean,
): { data: Float64Array; shape: number[]; count: number } {
  const all = axes.length === 0;
  const reduced = shape.map((_, d) => all || axes.includes(d));
  const outShapeKeep = shape.map((s, d) => (reduced[d] ? 1 : s));
  const outShape = keepDims ? outShapeKeep : shape.filter((_, d) => !reduced[d]);
  const data = new Float64Array(sizeOf(outShapeKeep));
  const strides = stridesOf(shape);
  const outStrides = stridesOf(outShapeKeep);
  const n = sizeOf(shape);
  for (let i = 0; i < n; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(i / strides[d]) % shape[d];
      if (!reduced[d]) o += c * outStrides[d];
    }
    data[o] += x[i];
  }
  let count = 1;
  shape.forEach((s, d) => {
    if (reduced[d]) count *= s;
  });
  return { data, shape: outShape, count };
}

export function transposeRef(
  x: ArrayLike<number>,
  shape: readonly number[],
  d0: number,
  d1: number,
): { data: Float64Array; shape: number[] } {
  const outShape = [...shape];
  [outShape[d0], outShape[d1]] = [outShape[d1], outShape[d0]];
  const n = sizeOf(shape);
  const data = new Float64Array(n);
  const inStrides = stridesOf(shape);
  const outStrides = stridesOf(outShape);
  for (let i = 0; i < n; i++) {
    const coords = shape.map((s, d) => Math.floor(i / inStrides[d]) % s);
    [coords[d0], coords[d1]] = [coords[d1], coords[d0]];
    let o = 0;
    for (let d = 0; d < outShape.length; d++) o += coords[d] * outStrides[d];
    data[o] = x[i];
  }
  return { data, shape: outShape };
}
