import { spawnSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const appRoot = dirname(fileURLToPath(import.meta.url));
const dataFile = join(appRoot, 'public', 'data', 'mnist-10k.bin');

/** Makes the compact MNIST binary (gitignored) before a build or dev server, so dist/ ships it. */
function mnistData(): Plugin {
  return {
    name: 'hw3-mnist-data',
    buildStart() {
      if (existsSync(dataFile)) return;
      const r = spawnSync(process.execPath, [join(appRoot, 'scripts', 'convert-mnist.mjs'), dataFile], {
        stdio: 'inherit',
      });
      if (r.status !== 0) throw new Error(`could not make ${dataFile}`);
    },
  };
}

/** The API reference that the root's `npm run docs` (TypeDoc) writes; the page links to it as ./api/. */
const apiDir = join(appRoot, '..', '..', 'docs', 'api');

/**
 * Puts the API reference at dist/api/ (built, or a page that says how to build it: the link is never dead) and
 * serves it at /api/ in the dev server.
 */
function apiReference(): Plugin {
  return {
    name: 'hw3-api-reference',
    writeBundle(options) {
      const target = join(options.dir ?? join(appRoot, 'dist'), 'api');
      if (existsSync(join(apiDir, 'index.html'))) {
        cpSync(apiDir, target, { recursive: true });
        return;
      }
      mkdirSync(target, { recursive: true });
      writeFileSync(
        join(target, 'index.html'),
        '<!doctype html><meta charset="utf-8"><title>hw3 API reference</title>' +
          '<p>The API reference of the hw3 packages is generated from their doc comments: run ' +
          '<code>npm run docs</code> at the repository root, then build the playground again.</p>\n',
      );
    },
    configureServer(server) {
      const types: Record<string, string> = {
        '.html': 'text/html',
        '.js': 'text/javascript',
        '.css': 'text/css',
      };
      server.middlewares.use('/api', (req, res, next) => {
        const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
        let file = normalize(join(apiDir, path));
        if (!file.startsWith(apiDir + sep) && file !== apiDir) return next();
        if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
        if (!existsSync(file)) return next();
        res.setHeader('content-type', types[extname(file)] ?? 'application/octet-stream');
        createReadStream(file).pipe(res);
      });
    },
  };
}

/**
 * Cross-origin isolation: with these two headers the page gets SharedArrayBuffer and the training worker runs the
 * kernels on two threads (a nested worker sharing the WebAssembly memory); without them, one thread.
 */
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  root: join(appRoot, 'web'),
  base: './',
  publicDir: join(appRoot, 'public'),
  // Read the @hw3 packages from source (no stale build in between).
  resolve: { conditions: ['@hw3/source', 'module', 'browser', 'import', 'default'] },
  worker: { format: 'es' },
  plugins: [mnistData(), apiReference()],
  build: {
    outDir: join(appRoot, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1000,
  },
});
