import type { Tensor } from '@hw3/core';

/** The typed arrays the array functions take and return: float32 or float64. */
export type FloatArray = Float32Array | Float64Array;

/** How per-element losses are combined, as in PyTorch. */
export type Reduction = 'mean' | 'sum' | 'none';

/** A weight option: values, a Tensor (its data is read, never differentiated), or none. */
export type WeightOption = FloatArray | readonly number[] | Tensor | null | undefined;
