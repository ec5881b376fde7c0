/** The typed arrays the array functions take and return: float32 or float64. */
export type FloatArray = Float32Array | Float64Array;

/** How per-element losses are combined, as in PyTorch. */
export type Reduction = 'mean' | 'sum' | 'none';
