export { VERSION as SHAPE_VERSION } from '@hw3/shape';
export const VERSION = '0.1.0';
