// The AssemblyScript build of a satellite module of @hw3/core's kernel sets (see @hw3/core's loadWasmSatellite):
// imported memory (env.memory), stub runtime, no assertions, no abort import. Used by scripts/build-wasm.mjs (the
// package's module) and by src/wasm/batch-norm-loops.test.ts (the reference loops it compares with).
import asc from 'assemblyscript/asc';

/**
 * Compiles AssemblyScript `source` (text) and returns the wasm bytes. `features`: --enable flags (e.g. ['simd']);
 * `shared`: import a shared memory with core's maximum (16384 pages); `debug`: keep the name section; `fileName`:
 * the source's name (it prefixes the function names in the name section).
 */
export async function compileSatellite(
  source,
  { features = ['simd'], shared = false, debug = false, fileName = 'satellite.ts' } = {},
) {
  const outputs = {};
  const args = [
    fileName,
    '-O3',
    '--runtime',
    'stub',
    '--noAssert',
    '--use',
    'abort=',
    ...(debug ? ['--debug'] : []), // keep the name section (function names in CPU profiles)
    '--initialMemory',
    '1',
    '--importMemory',
    '--outFile',
    'satellite.wasm',
    ...features.flatMap((f) => ['--enable', f]),
    // Must accept core's shared memory (maximum 16384 pages, scripts/build-wasm.mjs of @hw3/core).
    ...(shared ? ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '16384'] : []),
  ];
  const { error, stderr } = await asc.main(args, {
    readFile: (name) => (name === fileName ? source : null),
    writeFile(name, contents) {
      outputs[name] = contents;
    },
  });
  if (error) throw new Error(`asc failed (${features.join(', ')}): ${error.message}\n${stderr.toString()}`);
  const wasm = outputs['satellite.wasm'];
  if (!(wasm instanceof Uint8Array)) throw new Error('asc produced no satellite.wasm');
  return wasm;
}
