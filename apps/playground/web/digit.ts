/**
 * MNIST-style preprocessing of a drawn digit: grey levels → bounding box of the ink → scaled (keeping the
 * aspect ratio) so the longer side is 20 px → placed in a 28×28 frame with its centre of mass at the centre,
 * as in the original MNIST preparation. Pure function, no DOM.
 */
export function preprocessDigit(gray: Float32Array, width: number, height: number): Float32Array {
  if (gray.length !== width * height)
    throw new RangeError(`gray has ${gray.length} values, expected ${width}×${height}`);
  const out = new Float32Array(28 * 28);
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x] > 0.05) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return out;
  const boxW = x1 - x0 + 1;
  const boxH = y1 - y0 + 1;
  const scale = 20 / Math.max(boxW, boxH);
  const w = Math.max(1, Math.round(boxW * scale));
  const h = Math.max(1, Math.round(boxH * scale));
  // Area-average the box down to w×h.
  const small = new Float32Array(w * h);
  for (let sy = 0; sy < h; sy++) {
    const ya = y0 + (sy * boxH) / h;
    const yb = y0 + ((sy + 1) * boxH) / h;
    for (let sx = 0; sx < w; sx++) {
      const xa = x0 + (sx * boxW) / w;
      const xb = x0 + ((sx + 1) * boxW) / w;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(ya); y < Math.ceil(yb); y++) {
        const wy = Math.min(yb, y + 1) - Math.max(ya, y);
        for (let x = Math.floor(xa); x < Math.ceil(xb); x++) {
          const wx = Math.min(xb, x + 1) - Math.max(xa, x);
          sum += gray[y * width + x] * wx * wy;
          area += wx * wy;
        }
      }
      small[sy * w + sx] = area > 0 ? sum / area : 0;
    }
  }
  // Centre of mass of the small image → centre (14, 14) of the frame.
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = small[y * w + x];
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  const ox = Math.round(14 - (mass > 0 ? cx / mass : w / 2));
  const oy = Math.round(14 - (mass > 0 ? cy / mass : h / 2));
  for (let y = 0; y < h; y++) {
    const ty = y + oy;
    if (ty < 0 || ty >= 28) continue;
    for (let x = 0; x < w; x++) {
      const tx = x + ox;
      if (tx < 0 || tx >= 28) continue;
      out[ty * 28 + tx] = Math.min(1, small[y * w + x]);
    }
  }
  return out;
}
