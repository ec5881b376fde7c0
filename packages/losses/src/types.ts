export type FloatArray = Float32Array | Float64Array;

/** How per-element losses are combined, as in PyTorch. */
export type Reduction = 'mean' | 'sum' | 'none';
