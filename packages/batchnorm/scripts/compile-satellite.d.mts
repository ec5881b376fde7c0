/** See compile-satellite.mjs. */
export function compileSatellite(
  source: string,
  options?: { features?: string[]; shared?: boolean; debug?: boolean; fileName?: string },
): Promise<Uint8Array>;
