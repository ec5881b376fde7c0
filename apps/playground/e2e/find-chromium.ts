/**
 * Which Chromium the browser test drives, so that `npm ci && npm test` works on a fresh machine:
 *
 * 1. `HW3_CHROMIUM=/path/to/chrome` uses that binary (it must exist); `HW3_CHROMIUM=system` or `=bundled`
 *    forces one of the two choices below.
 * 2. Otherwise a system Chromium on PATH (Debian's `chromium`, `chromium-browser`, `google-chrome`), when it is a
 *    real executable file.
 * 3. Otherwise the chrome-headless-shell that the devDependency `@sparticuz/chromium` carries inside its npm
 *    tarball (brotli-compressed, linux-x64). It is unpacked once into `node_modules/.cache/hw3-chromium/<version>`
 *    (about 2 s, 210 MB); nothing is downloaded. Its few shared libraries (NSS, NSPR, expat) come from the system
 *    when present, else from the copies the package ships.
 *
 * When none of these gives a browser it throws, saying how to get one: the browser test never skips silently.
 */
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';

export interface ChromiumChoice {
  /** The binary to pass to playwright's `executablePath`. */
  executablePath: string;
  /** Where it came from, for the test log. */
  source: 'HW3_CHROMIUM' | 'system' | 'bundled';
  /** Extra environment for the browser process (LD_LIBRARY_PATH for the bundled libraries), or undefined. */
  env: Record<string, string> | undefined;
}

const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];
const BUNDLED = '@sparticuz/chromium';

export const HOW_TO_GET_ONE =
  'The browser test needs Chromium. Any one of these works: run `npm ci` (installs the devDependency ' +
  `${BUNDLED}, a headless Chromium for linux-x64 inside its npm package); install a system one ` +
  '(Debian/Ubuntu: `sudo apt-get install -y chromium`); or point HW3_CHROMIUM at a Chrome/Chromium binary.';

function isExecutableFile(path: string): boolean {
  try {
    // A bind mount of /dev/null over the path (a machine "without Chromium" in tests) is not a regular file.
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first system Chromium on PATH, or null. */
export function findSystemChromium(path = process.env.PATH ?? ''): string | null {
  for (const name of SYSTEM_NAMES) {
    for (const dir of path.split(delimiter)) {
      if (dir === '') continue;
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

/** The folder of the installed @sparticuz/chromium package, or null when it is not installed. */
function bundledPackageDir(): string | null {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(BUNDLED);
  } catch {
    return null;
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === BUNDLED) return dir;
  }
  return null;
}

async function unbrotli(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createBrotliDecompress(), createWriteStream(to, { mode: 0o755 }));
}

/** Unpacks `<name>.tar.br` into `dir` with the system tar (always present on Linux). */
async function untarBrotli(from: string, dir: string): Promise<void> {
  const tar = join(dir, '.unpack.tar');
  await unbrotli(from, tar);
  const run = spawnSync('tar', ['-xf', tar, '-C', dir, '--no-same-owner'], { encoding: 'utf8' });
  rmSync(tar, { force: true });
  if (run.status !== 0) throw new Error(`tar failed on ${from}: ${run.stderr || run.error?.message}`);
}

/**
 * What keeps `binary` from loading with the given LD_LIBRARY_PATH, per `ldd`: the libraries it cannot find (or
 * ldd's error when one is there but broken); [] when all load, null when there is no ldd to ask.
 */
function libraryProblems(binary: string, libraryPath: string | undefined): string[] | null {
  const env = { ...process.env };
  if (libraryPath !== undefined) env.LD_LIBRARY_PATH = libraryPath;
  const run = spawnSync('ldd', [binary], { encoding: 'utf8', env });
  if (run.error !== undefined) return null;
  const missing = [...run.stdout.matchAll(/^\s*(\S+) => not found/gm)].map((m) => m[1]!);
  if (missing.length === 0 && run.status !== 0)
    missing.push(run.stderr.trim() || `ldd exited with ${run.status}`);
  return missing;
}

/** Unpacks the bundled headless Chromium on first use and returns how to start it, or null if not installed. */
export async function bundledChromium(): Promise<ChromiumChoice | null> {
  const pkg = bundledPackageDir();
  if (pkg === null) return null;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `${BUNDLED} ships Chromium for linux-x64 only (this is ${process.platform}-${process.arch}). ${HOW_TO_GET_ONE}`,
    );
  }
  const version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version as string;
  const cache = join(dirname(dirname(pkg)), '.cache', 'hw3-chromium', version);
  const binary = join(cache, 'chromium');
  if (!existsSync(binary)) {
    // Unpack into a private folder, then rename it into place: parallel test runs never see half a binary.
    const staging = `${cache}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const bin = join(pkg, 'bin');
    await unbrotli(join(bin, 'chromium.br'), join(staging, 'chromium'));
    await untarBrotli(join(bin, 'swiftshader.tar.br'), staging); // libGLESv2/libEGL the shell loads
    await untarBrotli(join(bin, 'fonts.tar.br'), staging);
    mkdirSync(join(staging, 'al2023'));
    await untarBrotli(join(bin, 'al2023.tar.br'), join(staging, 'al2023')); // lib/: NSS, NSPR, expat
    try {
      renameSync(staging, cache);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(binary)) throw error; // nobody else unpacked it either
    }
  }
  const missing = libraryProblems(binary, process.env.LD_LIBRARY_PATH);
  if (missing === null || missing.length === 0)
    return { executablePath: binary, source: 'bundled', env: undefined };
  // The system lacks some of them (a slim image without NSS): use the copies shipped in the package.
  const shipped = [join(cache, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(delimiter);
  const stillMissing = libraryProblems(binary, shipped);
  if (stillMissing !== null && stillMissing.length > 0) {
    throw new Error(
      `The bundled Chromium (${binary}) cannot load its shared libraries: ${stillMissing.join('; ')}. ` +
        `Install them (Debian/Ubuntu: \`sudo apt-get install -y libnss3\`) or a system Chromium. ${HOW_TO_GET_ONE}`,
    );
  }
  return { executablePath: binary, source: 'bundled', env: { LD_LIBRARY_PATH: shipped } };
}

/** Picks the browser for the e2e test (see the file comment), or throws with how to get one. */
export async function findChromium(override = process.env.HW3_CHROMIUM): Promise<ChromiumChoice> {
  if (override !== undefined && override !== '' && override !== 'system' && override !== 'bundled') {
    if (!isExecutableFile(override)) {
      throw new Error(`HW3_CHROMIUM=${override} is not an executable file. ${HOW_TO_GET_ONE}`);
    }
    return { executablePath: override, source: 'HW3_CHROMIUM', env: undefined };
  }
  if (override !== 'bundled') {
    const system = findSystemChromium();
    if (system !== null) return { executablePath: system, source: 'system', env: undefined };
    if (override === 'system')
      throw new Error(`HW3_CHROMIUM=system but no Chromium is on PATH. ${HOW_TO_GET_ONE}`);
  }
  const bundled = await bundledChromium();
  if (bundled !== null) return bundled;
  throw new Error(
    `No Chromium found: none on PATH (${SYSTEM_NAMES.join(', ')}) and ${BUNDLED} is not installed. ${HOW_TO_GET_ONE}`,
  );
}

/** Launch options for playwright's `chromium.launch*` with the chosen browser (the e2e test and its smoke test). */
export function launchOptions(browser: ChromiumChoice) {
  return {
    executablePath: browser.executablePath,
    ...(browser.env === undefined ? {} : { env: { ...process.env, ...browser.env } }),
    headless: true,
    // The page formats numbers for en-US (the summary's "9,146"); the bundled headless shell would otherwise take
    // an invalid ICU default locale ("en-US@posix") from LANG=C.UTF-8, and Intl would throw.
    locale: 'en-US',
    // As root: no sandbox. The network flags keep Chromium from calling out (the machine has no network).
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}
