#!/usr/bin/env node
// The release flow of CONTRIBUTING.md, for real but on a scratch copy (the repository itself is never touched):
//
//  1. clone the repository (plus uncommitted changes) into a temp folder, on a scratch branch;
//  2. `changeset version` with the pending changesets; check versions, per-package CHANGELOG.md files and every
//     internal dependency range against an independent computation of what changesets should do;
//  3. a second round: a bump of the package at the bottom of the graph that its dependents' ranges reject, and a
//     patch two levels up: dependents must get patch releases, `^new` ranges and their updated dependencies listed
//     in the changelog (updateInternalDependencies: "patch");
//  4. `npm install --package-lock-only` keeps the lockfile in sync (else `npm ci` fails after a release);
//  5. build, `npm pack` each public package, `npm publish --dry-run` each tarball;
//  6. install all tarballs together in an empty folder, offline with an empty npm cache (so npm cannot take a
//     same-named @hw3 package from the registry or a cache), and import every export path with `import` and
//     `require`.
//
// Usage: node scripts/release-dry-run.mjs [--keep]   (--keep leaves the temp folder for inspection)
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'hw3-release-'));
const repo = join(work, 'repo');
const started = Date.now();
const DEP_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];

const log = (line) => console.log(`release-dry-run: ${line}`);
const fail = (message) => {
  throw new Error(message);
};

function run(cmd, args, { cwd = repo, env = {}, input } = {}) {
  const result = spawnSync(cmd, args, {
    cwd,
    input,
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    fail(
      `\`${cmd} ${args.join(' ')}\` in ${cwd} failed (${result.status ?? result.error?.message}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

async function step(name, fn) {
  const t0 = Date.now();
  const result = await fn();
  log(`${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return result;
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** Workspaces of the scratch repo: { name, dir, json } for packages/* and apps/*. */
function workspaces() {
  const list = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(join(repo, group))) {
      const manifest = join(repo, group, entry, 'package.json');
      if (existsSync(manifest))
        list.push({ name: readJson(manifest).name, dir: join(repo, group, entry), json: readJson(manifest) });
    }
  }
  return list;
}

function inc(version, type) {
  const [major, minor, patch] = version.split('.').map(Number);
  if (type === 'major') return `${major + 1}.0.0`;
  if (type === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** Whether a `^x.y.z` range (the repository's convention for internal ranges) accepts `version`. */
function caretAccepts(range, version) {
  const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (m === null) fail(`internal range "${range}" is not of the form ^x.y.z`);
  const [a, b, c] = m.slice(1).map(Number);
  const [x, y, z] = version.split('.').map(Number);
  const atLeast = x > a || (x === a && (y > b || (y === b && z >= c)));
  if (a > 0) return x === a && atLeast;
  if (b > 0) return x === 0 && y === b && atLeast;
  return x === 0 && y === 0 && z === c;
}

/** The pending changesets: [{ id, releases: {name: type}, summary }]. */
function pendingChangesets() {
  const dir = join(repo, '.changeset');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text) ?? fail(`.changeset/${f}: no frontmatter`);
      const releases = {};
      for (const line of m[1].split('\n').filter((l) => l.trim() !== '')) {
        const r =
          /^\s*["']?([^"':]+)["']?\s*:\s*(major|minor|patch)\s*$/.exec(line) ??
          fail(`.changeset/${f}: bad line "${line}"`);
        releases[r[1]] = r[2];
      }
      return { id: f.slice(0, -3), releases, summary: m[2].trim() };
    });
}

/**
 * What `changeset version` must do, computed here independently of changesets: the highest bump each changeset
 * asks for; then, repeated up the graph, a patch bump for every non-ignored package whose `dependencies`
 * range no longer accepts a bumped package's new version. (A range that still accepts it needs no release; a
 * package released anyway gets `^new` ranges on every released dependency: updateInternalDependencies "patch".)
 * Returns Map name -> { from, to, type }.
 */
function expectedPlan(changesets, config) {
  const order = { patch: 1, minor: 2, major: 3 };
  const all = workspaces();
  const byName = new Map(all.map((w) => [w.name, w]));
  for (const w of all) {
    for (const field of ['peerDependencies', 'optionalDependencies']) {
      if (Object.keys(w.json[field] ?? {}).some((d) => byName.has(d))) {
        fail(`${w.name} has an internal ${field} entry: teach expectedPlan changesets' rules for it`);
      }
    }
  }
  const type = new Map();
  for (const cs of changesets) {
    for (const [name, t] of Object.entries(cs.releases)) {
      if (!byName.has(name)) fail(`changeset ${cs.id} names unknown package ${name}`);
      if (config.ignore.includes(name)) fail(`changeset ${cs.id} bumps ignored package ${name}`);
      if (!type.has(name) || order[t] > order[type.get(name)]) type.set(name, t);
    }
  }
  const next = (name) => inc(byName.get(name).json.version, type.get(name));
  for (let changed = true; changed; ) {
    changed = false;
    for (const w of all) {
      // Private packages are versioned like the others unless ignored (changesets' privatePackages.version).
      const versioned = !w.json.private || config.privatePackages?.version !== false;
      if (type.has(w.name) || config.ignore.includes(w.name) || !versioned) continue;
      const outOfRange = Object.entries(w.json.dependencies ?? {}).some(
        ([d, range]) => type.has(d) && !caretAccepts(range, next(d)),
      );
      if (outOfRange) {
        type.set(w.name, 'patch');
        changed = true;
      }
    }
  }
  const plan = new Map();
  for (const name of type.keys())
    plan.set(name, { from: byName.get(name).json.version, to: next(name), type: type.get(name) });
  return plan;
}

/** Runs `changeset version` and checks its result against `expectedPlan`. Returns the plan. */
function versionAndCheck(label, config) {
  const changesets = pendingChangesets();
  if (changesets.length === 0) fail(`${label}: no pending changesets`);
  const plan = expectedPlan(changesets, config);
  const before = new Map(workspaces().map((w) => [w.name, w.json]));
  run('npx', ['changeset', 'version']);
  if (pendingChangesets().length !== 0) fail(`${label}: changeset version left changesets behind`);
  const after = workspaces();
  const version = new Map(after.map((w) => [w.name, w.json.version]));
  for (const w of after) {
    const want = plan.get(w.name)?.to ?? before.get(w.name).version;
    if (w.json.version !== want) fail(`${label}: ${w.name} is ${w.json.version}, expected ${want}`);
    // Every internal range, in every workspace (the private apps too), accepts the new version; in a released
    // package, the range on a released dependency is exactly ^new.
    for (const field of DEP_FIELDS) {
      for (const [dep, range] of Object.entries(w.json[field] ?? {})) {
        if (!version.has(dep)) continue;
        if (!caretAccepts(range, version.get(dep)))
          fail(`${label}: ${w.name} ${field}.${dep} "${range}" rejects ${version.get(dep)}`);
        if (
          plan.has(w.name) &&
          plan.has(dep) &&
          field !== 'devDependencies' &&
          range !== `^${version.get(dep)}`
        ) {
          fail(`${label}: ${w.name} ${field}.${dep} is "${range}", expected "^${version.get(dep)}"`);
        }
      }
    }
    const entry = plan.get(w.name);
    if (entry === undefined) continue;
    const changelog = join(w.dir, 'CHANGELOG.md');
    if (!existsSync(changelog)) fail(`${label}: ${w.name} has no CHANGELOG.md`);
    const text = readFileSync(changelog, 'utf8');
    if (!text.startsWith(`# ${w.name}\n`))
      fail(`${label}: ${w.name}/CHANGELOG.md does not start with "# ${w.name}"`);
    // The newest section is first: ## <to>, then the entries of this release.
    const section = text.split(/^## /m)[1] ?? '';
    if (!section.startsWith(`${entry.to}\n`))
      fail(`${label}: ${w.name}/CHANGELOG.md's first section is not ## ${entry.to}`);
    for (const cs of changesets) {
      if (cs.releases[w.name] === undefined) continue;
      const firstLine = cs.summary.split('\n')[0];
      if (!section.includes(firstLine))
        fail(`${label}: ${w.name}/CHANGELOG.md ## ${entry.to} lacks "${firstLine}"`);
    }
    for (const dep of Object.keys({ ...w.json.dependencies, ...w.json.peerDependencies })) {
      // changesets lists them as "  - dep@version" lines (under "- Updated dependencies [commit]" when the
      // dependency had a changeset of its own).
      if (plan.has(dep) && !section.includes(`\n  - ${dep}@${version.get(dep)}\n`)) {
        fail(
          `${label}: ${w.name}/CHANGELOG.md ## ${entry.to} does not list the updated dependency ${dep}@${version.get(dep)}`,
        );
      }
    }
  }
  return plan;
}

const describePlan = (plan) =>
  [...plan].map(([name, { from, to, type }]) => `${name} ${from} -> ${to} (${type})`).join(', ');

try {
  const status = (args) => run('git', args, { cwd: root });
  await step('scratch clone of the working tree on branch release-dry-run', () => {
    run('git', ['clone', '--quiet', root, repo], { cwd: work });
    run('git', ['checkout', '--quiet', '-b', 'release-dry-run']);
    // Uncommitted changes come along, so that the dry run checks what is in front of the developer.
    const changed = status(['ls-files', '-z', '--modified', '--others', '--exclude-standard'])
      .split('\0')
      .filter(Boolean);
    for (const file of changed) {
      if (existsSync(join(root, file))) {
        mkdirSync(dirname(join(repo, file)), { recursive: true });
        copyFileSync(join(root, file), join(repo, file));
      } else rmSync(join(repo, file), { force: true });
    }
    const git = ['-c', 'user.name=release-dry-run', '-c', 'user.email=release-dry-run@localhost'];
    run('git', ['add', '-A']);
    run('git', [...git, 'commit', '--quiet', '--allow-empty', '-m', 'scratch: working tree']);
    // changesets compares with the base branch "main"; here that is the commit under test.
    run('git', ['branch', '--force', 'main', 'HEAD']);
    // The root's installed tools, without copying them: link every entry of node_modules except the workspace
    // links, which are recreated relative (so @hw3/* resolve to the scratch copy's packages).
    mkdirSync(join(repo, 'node_modules'));
    for (const entry of readdirSync(join(root, 'node_modules'))) {
      if (entry === '@hw3') continue;
      symlinkSync(join(root, 'node_modules', entry), join(repo, 'node_modules', entry));
    }
    mkdirSync(join(repo, 'node_modules', '@hw3'));
    for (const entry of readdirSync(join(root, 'node_modules', '@hw3'))) {
      const target = resolve(
        join(root, 'node_modules', '@hw3'),
        readlinkSync(join(root, 'node_modules', '@hw3', entry)),
      );
      symlinkSync(
        relative(join(repo, 'node_modules', '@hw3'), join(repo, relative(root, target))),
        join(repo, 'node_modules', '@hw3', entry),
      );
    }
  });

  const config = readJson(join(repo, '.changeset', 'config.json'));
  if (config.updateInternalDependencies !== 'patch')
    fail('this check assumes updateInternalDependencies: "patch"');
  const publicPackages = workspaces().filter((w) => !w.json.private);

  if (pendingChangesets().length === 0) {
    // Nothing pending (right after a release): exercise the flow with a patch of every public package.
    const frontmatter = publicPackages.map((w) => `"${w.name}": patch`).join('\n');
    writeFileSync(
      join(repo, '.changeset', 'release-dry-run-all.md'),
      `---\n${frontmatter}\n---\n\nScratch release of every package.\n`,
    );
  }
  const plan1 = await step(
    'changeset version: versions, CHANGELOG.md files and internal ranges as expected',
    () => versionAndCheck('round 1', config),
  );
  log(`  ${describePlan(plan1)}`);
  const commit = (message) => {
    run('git', ['add', '-A']);
    run('git', ['-c', 'user.name=r', '-c', 'user.email=r@localhost', 'commit', '--quiet', '-m', message]);
  };
  commit('scratch: version packages');

  // Round 2, the dependents: a bump of the package at the bottom of the graph that its dependents' ranges reject
  // (minor in 0.x, else major) must give them a patch release with ^new ranges; and a package two levels up,
  // released for its own patch, must move its range onto the dependent's patch too.
  const dependentsOf = (name) =>
    publicPackages.filter((w) => Object.keys(w.json.dependencies ?? {}).includes(name));
  const isLeaf = (w) =>
    Object.keys(w.json.dependencies ?? {}).every((d) => !publicPackages.some((p) => p.name === d));
  const leaf = publicPackages
    .filter(isLeaf)
    .sort((a, b) => dependentsOf(b.name).length - dependentsOf(a.name).length)[0];
  const leafVersion = readJson(join(leaf.dir, 'package.json')).version;
  const breaking = leafVersion.startsWith('0.') ? 'minor' : 'major';
  const upper = dependentsOf(leaf.name)
    .flatMap((d) => dependentsOf(d.name))
    .find((w) => !w.json.dependencies?.[leaf.name]);
  writeFileSync(
    join(repo, '.changeset', 'release-dry-run-leaf.md'),
    `---\n"${leaf.name}": ${breaking}\n---\n\nScratch ${breaking} of ${leaf.name}.\n`,
  );
  if (upper !== undefined) {
    writeFileSync(
      join(repo, '.changeset', 'release-dry-run-upper.md'),
      `---\n"${upper.name}": patch\n---\n\nScratch patch of ${upper.name}.\n`,
    );
  }
  commit('scratch: changesets for round 2'); // committed, as in real use (the changelog names their commit)
  const plan2 = await step(`a ${breaking} of ${leaf.name}: dependents released with ^new ranges`, () =>
    versionAndCheck('round 2', config),
  );
  log(`  ${describePlan(plan2)}`);
  const rippled = dependentsOf(leaf.name).filter((w) => plan2.get(w.name)?.type === 'patch');
  if (rippled.length === 0) fail(`round 2: no dependent of ${leaf.name} was released`);
  commit('scratch: version packages again');

  await step('npm install --package-lock-only: the lockfile follows the new versions', () => {
    run('npm', [
      'install',
      '--package-lock-only',
      '--prefer-offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
    ]);
    const lock = readJson(join(repo, 'package-lock.json'));
    for (const w of workspaces()) {
      const entry = lock.packages[relative(repo, w.dir)];
      if (entry?.version !== w.json.version)
        fail(`package-lock.json has ${w.name} at ${entry?.version}, package.json ${w.json.version}`);
    }
  });

  await step('build the public packages', () => {
    const filters = publicPackages.map((w) => `--filter=${w.name}`);
    run('npx', ['turbo', 'run', 'build', ...filters, '--output-logs=errors-only']);
  });

  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const packed = await step('npm pack each public package, npm publish --dry-run each tarball', () => {
    const files = [];
    for (const w of workspacesSorted(publicPackages)) {
      const version = readJson(join(w.dir, 'package.json')).version;
      const [info] = JSON.parse(
        run('npm', ['pack', '--json', '--pack-destination', tarballs], { cwd: w.dir }),
      );
      const paths = info.files.map((f) => f.path);
      for (const needed of ['package.json', 'README.md', 'LICENSE']) {
        if (!paths.includes(needed)) fail(`${info.filename} lacks ${needed}`);
      }
      if (!paths.some((p) => p.startsWith('dist/'))) fail(`${info.filename} has no dist/`);
      if (paths.some((p) => p.startsWith('src/') || p.endsWith('.test.ts')))
        fail(`${info.filename} ships sources or tests`);
      const tgz = join(tarballs, info.filename);
      // Outside the workspace, so npm publishes the tarball exactly as it would go to the registry.
      // --json: the result does not depend on the log level (`npm run --silent` passes loglevel=silent down).
      const published = JSON.parse(run('npm', ['publish', '--dry-run', '--json', tgz], { cwd: work }))[
        w.name
      ];
      if (info.version !== version || published?.id !== `${w.name}@${version}`) {
        fail(
          `npm publish --dry-run ${info.filename} did not publish ${w.name}@${version}: ${JSON.stringify(published)}`,
        );
      }
      if (published.files.length !== paths.length)
        fail(`npm publish --dry-run ${info.filename}: not the packed files`);
      files.push({ name: w.name, tgz, size: info.size, count: paths.length, version: info.version });
    }
    return files;
  });
  for (const p of packed)
    log(`  ${p.name}@${p.version}: ${p.count} files, ${(p.size / 1024).toFixed(0)} kB packed`);

  const consumer = join(work, 'consumer');
  await step('install all tarballs alone in an empty folder (offline, empty npm cache)', () => {
    mkdirSync(consumer);
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }),
    );
    run(
      'npm',
      [
        'install',
        '--offline',
        '--cache',
        join(work, 'npm-cache'),
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        ...packed.map((p) => p.tgz),
      ],
      { cwd: consumer, env: { npm_config_registry: 'http://127.0.0.1:9/' } },
    );
    const lock = readJson(join(consumer, 'package-lock.json'));
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === '') continue;
      const p = packed.find((q) => path === `node_modules/${q.name}`);
      if (p === undefined)
        fail(`the tarballs pulled in ${path} (library packages have no third-party dependencies)`);
      if (entry.version !== p.version || !String(entry.resolved).startsWith('file:')) {
        fail(`${path} came from ${entry.resolved} at ${entry.version}, not from ${p.tgz}`);
      }
    }
    if (Object.keys(lock.packages).length !== packed.length + 1) fail('not every tarball was installed');
  });

  await step('import every export path with ESM import and CJS require', () => {
    const specifiers = [];
    for (const w of publicPackages) {
      const exportsMap = readJson(join(consumer, 'node_modules', w.name, 'package.json')).exports;
      for (const key of Object.keys(exportsMap)) {
        if (key === './package.json') continue;
        if (key.includes('*')) fail(`${w.name} exports a pattern (${key}); list the subpaths to check here`);
        specifiers.push(key === '.' ? w.name : `${w.name}/${key.slice(2)}`);
      }
    }
    const describe = `(m) => Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort()`;
    const esm = JSON.parse(
      run(
        'node',
        [
          '--input-type=module',
          '-e',
          `const d = ${describe}; const out = {};
for (const s of ${JSON.stringify(specifiers)}) { const m = await import(s); out[s] = d(m); out[s + ' VERSION'] = m.VERSION ?? null;
  for (const k of out[s]) if (m[k] === undefined) throw new Error(s + ': ' + k + ' is undefined'); }
console.log(JSON.stringify(out));`,
        ],
        { cwd: consumer },
      ),
    );
    const cjs = JSON.parse(
      run(
        'node',
        [
          '-e',
          `const d = ${describe}; const out = {};
for (const s of ${JSON.stringify(specifiers)}) { const m = require(s); out[s] = d(m); out[s + ' VERSION'] = m.VERSION ?? null;
  for (const k of out[s]) if (m[k] === undefined) throw new Error(s + ': ' + k + ' is undefined'); }
console.log(JSON.stringify(out));`,
        ],
        { cwd: consumer },
      ),
    );
    for (const s of specifiers) {
      if (esm[s].length === 0) fail(`${s}: no exports under import`);
      if (JSON.stringify(esm[s]) !== JSON.stringify(cjs[s])) {
        fail(`${s}: import and require give different names:\n  import: ${esm[s]}\n  require: ${cjs[s]}`);
      }
      // A VERSION export must be the version that was published (not a constant left behind by a bump).
      const version = packed.find((p) => p.name === s)?.version;
      for (const [how, got] of [
        ['import', esm[`${s} VERSION`]],
        ['require', cjs[`${s} VERSION`]],
      ]) {
        if (got !== null && version !== undefined && got !== version)
          fail(`${s}: VERSION is ${got} under ${how}, the package is ${version}`);
      }
      log(`  ${s}: ${esm[s].length} exports, the same under import and require`);
    }
  });

  log(`ok in ${((Date.now() - started) / 1000).toFixed(1)} s${keep ? ` (kept ${work})` : ''}`);
} catch (error) {
  console.error(`release-dry-run: FAILED: ${error.message}`);
  if (keep) console.error(`release-dry-run: scratch folder kept at ${work}`);
  process.exitCode = 1;
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

/** Public packages in dependency order (leaves first), so logs read bottom-up. */
function workspacesSorted(list) {
  const names = new Set(list.map((w) => w.name));
  const done = new Set();
  const out = [];
  const visit = (w) => {
    if (done.has(w.name)) return;
    done.add(w.name);
    for (const d of Object.keys(w.json.dependencies ?? {}))
      if (names.has(d)) visit(list.find((x) => x.name === d));
    out.push(w);
  };
  for (const w of list) visit(w);
  return out;
}
