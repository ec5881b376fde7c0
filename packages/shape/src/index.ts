/**
 * `@hw3/shape`: output shapes of convolutions, transposed convolutions and pooling (N-d, any layout), 'same'
 * padding, and the ShapeError they throw. Whole-network summaries are in `@hw3/shape/summary`.
 */
import { version as packageVersion } from '../package.json';

/** The package version (from its package.json, inlined at build time). */
export const VERSION: string = packageVersion;

export {
  type ConvGeometry,
  type ConvShapeOptions,
  conv1dShape,
  conv2dShape,
  conv3dShape,
  convGeometry,
  convShape,
} from './conv-shape.js';
export {
  type ConvTransposeShapeOptions,
  convTranspose1dShape,
  convTranspose2dShape,
  convTranspose3dShape,
  convTransposeShape,
} from './conv-transpose-shape.js';
export type { Layout } from './layout.js';
export {
  type ConvOutputSizeOptions,
  type ConvTransposeOutputSizeOptions,
  convOutputSize,
  convTransposeOutputSize,
  type PoolOutputSizeOptions,
  poolOutputSize,
} from './output-size.js';
export {
  type Padding,
  type Padding1d,
  type PaddingGeometry,
  type PaddingPair,
  resolvePadding,
  samePadding,
} from './padding.js';
export {
  type PoolGeometry,
  type PoolShapeOptions,
  pool1dShape,
  pool2dShape,
  pool3dShape,
  poolGeometry,
  poolShape,
} from './pool-shape.js';
export { ShapeError, type ShapeErrorCode, type ShapeErrorDetails } from './shape-error.js';
