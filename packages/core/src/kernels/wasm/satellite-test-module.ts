/**
 * Test helper (not exported by the package): a satellite module compiled with asc at test time, as a package's build
 * script would: it imports the kernel set's memory and writes only where it is told.
 */
import asc from 'assemblyscript/asc';
import type { WasmSatelliteBuilds } from './satellite';

/** `mark(p, n, v)` stores the i32 v + i at p + 4i; `sum(p, n, out)` stores Σ p[i] (f64). */
export const SOURCE = `
export function mark(p: usize, n: i32, v: i32): void {
  for (let i = 0; i < n; i++) store<i32>(p + ((<usize>i) << 2), v + i);
}
export function sum(p: usize, n: i32, out: usize): void {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += <f64>load<i32>(p + ((<usize>i) << 2));
  store<f64>(out, s);
}
`;
// Unfit: a string constant is a data segment written at instantiation (over core's static data).
export const WITH_DATA = `
const text = 'a satellite must not own data';
export function length(): i32 { return text.length; }
`;

async function compile(source: string, shared: boolean, importMemory = true): Promise<string> {
  const outputs: Record<string, Uint8Array | string> = {};
  const { error, stderr } = await asc.main(
    [
      'satellite.ts',
      '-O3',
      '--runtime',
      'stub',
      '--noAssert',
      '--use',
      'abort=',
      '--initialMemory',
      '1',
      ...(importMemory ? ['--importMemory'] : []),
      ...(shared ? ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '16384'] : []),
      '--outFile',
      'satellite.wasm',
    ],
    {
      readFile: (name: string) => (name === 'satellite.ts' ? source : null),
      writeFile: (name: string, contents: Uint8Array | string) => {
        outputs[name] = contents;
      },
    },
  );
  if (error) throw new Error(`${error.message}\n${stderr.toString()}`);
  return Buffer.from(outputs['satellite.wasm']).toString('base64');
}

export async function satelliteBuilds(source: string, importMemory = true): Promise<WasmSatelliteBuilds> {
  const unshared = await compile(source, false, importMemory);
  const shared = await compile(source, true, importMemory);
  return {
    unshared: { simd: unshared, relaxedSimd: unshared },
    shared: { simd: shared, relaxedSimd: shared },
  };
}

export interface MarkExports {
  mark(p: number, n: number, v: number): void;
  sum(p: number, n: number, out: number): void;
}
