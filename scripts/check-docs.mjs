#!/usr/bin/env node
// Fails when a public export has no doc comment. The public entry points of a package are the "@hw3/source"
// files of its package.json exports (the same files tsup builds); every name they export (directly or re-exported)
// must have a /** doc comment */ on its declaration, as TypeDoc (`npm run docs`) shows it: for a function, on
// each overload signature. Also checks that each package's typedoc.json lists exactly those entry points, so the
// API reference covers every subpath. Uses the TypeScript compiler API: one program, no type checking, a few
// seconds.
//
// Usage: node scripts/check-docs.mjs [package-dir ...]   (default: every packages/*)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dirs =
  process.argv.length > 2
    ? process.argv.slice(2).map((d) => resolve(d))
    : readdirSync(join(root, 'packages'))
        .map((d) => join(root, 'packages', d))
        .filter((d) => existsSync(join(d, 'package.json')));

/** The "@hw3/source" files of an exports map, keyed by subpath ('.', './testing', ...). */
function sourceEntries(exportsMap) {
  const out = [];
  const walk = (subpath, value) => {
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === '@hw3/source' && typeof inner === 'string') out.push({ subpath, file: inner });
      else walk(subpath, inner);
    }
  };
  for (const [subpath, value] of Object.entries(exportsMap ?? {})) walk(subpath, value);
  return out;
}

const problems = [];
const packages = dirs.map((dir) => {
  const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const entries = sourceEntries(json.exports).map((e) => ({ ...e, path: join(dir, e.file) }));
  if (entries.length === 0) problems.push(`${json.name}: no "@hw3/source" entries in package.json exports`);
  const typedocPath = join(dir, 'typedoc.json');
  if (!existsSync(typedocPath))
    problems.push(`${json.name}: no typedoc.json (npm run docs needs its entry points)`);
  else {
    const listed = (JSON.parse(readFileSync(typedocPath, 'utf8')).entryPoints ?? [])
      .map((p) => join(dir, p))
      .sort();
    // threads.browser.ts and threads.node.ts export the same names; documenting one of a pair is enough.
    const wanted = [...new Set(entries.map((e) => e.path.replace(/\.browser\.ts$/, '.node.ts')))].sort();
    if (JSON.stringify(listed) !== JSON.stringify(wanted)) {
      problems.push(
        `${json.name}: typedoc.json entryPoints ${JSON.stringify(listed.map((p) => relative(dir, p)))} ` +
          `should be the exports' sources ${JSON.stringify(wanted.map((p) => relative(dir, p)))}`,
      );
    }
  }
  return { dir, name: json.name, entries };
});

const options = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  customConditions: ['@hw3/source'],
  allowImportingTsExtensions: true,
  noEmit: true,
  skipLibCheck: true,
  noLib: true, // names and comments only: no need to load the DOM and ES libraries
  types: [],
};
const program = ts.createProgram(
  packages.flatMap((p) => p.entries.map((e) => e.path)),
  options,
);
const checker = program.getTypeChecker();

const hasDoc = (node) => ts.getJSDocCommentsAndTags(node).some((d) => ts.isJSDoc(d));

/** Declarations of `symbol` that need their own comment, or [] when it is documented. */
function undocumented(symbol) {
  const decls = symbol.getDeclarations() ?? [];
  const fns = decls.filter((d) => ts.isFunctionDeclaration(d));
  if (fns.length > 1) {
    // Overloads: each signature is shown with its own comment; the implementation is not shown.
    return fns.filter((d) => d.body === undefined && !hasDoc(d));
  }
  if (decls.some((d) => hasDoc(variableStatementOf(d) ?? d))) return [];
  return decls.slice(0, 1);
}

/** For `export const x = ...`, the comment sits on the statement, not on the declarator. */
function variableStatementOf(decl) {
  return ts.isVariableDeclaration(decl) ? decl.parent?.parent : undefined;
}

let total = 0;
const perPackage = [];
for (const pkg of packages) {
  let count = 0;
  const seen = new Set();
  for (const entry of pkg.entries) {
    const source = program.getSourceFile(entry.path);
    if (source === undefined) {
      problems.push(`${pkg.name}: cannot read ${relative(root, entry.path)}`);
      continue;
    }
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) continue; // no exports
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const where = `${pkg.name}${entry.subpath === '.' ? '' : entry.subpath.slice(1)}`;
      const key = `${where}:${exported.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      count++;
      for (const decl of undocumented(symbol)) {
        const file = decl.getSourceFile();
        const { line } = file.getLineAndCharacterOfPosition(decl.getStart());
        problems.push(
          `${where}: ${exported.name} has no doc comment (${relative(root, file.fileName)}:${line + 1})`,
        );
      }
    }
  }
  total += count;
  perPackage.push(`${pkg.name} ${count}`);
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(
    `check-docs: ${problems.length} problem(s). Every public export needs a /** doc comment */ ` +
      '(it becomes its page in the API reference, `npm run docs`).',
  );
  process.exit(1);
}
console.log(`check-docs: all ${total} public exports have doc comments (${perPackage.join(', ')})`);
