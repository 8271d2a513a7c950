// `node scripts/build.mjs [--if-changed] [--quiet] [server|client|sdk]...`: builds the packages (all
// when none is named), the client before the server since the server serves it.
//
// With --if-changed, a package is built only when its inputs differ from those of its last build:
// each build leaves the SHA-256 of its inputs (sources, configs, the lockfile) in its dist/, so an
// unchanged tree starts at once, and a checkout, a pull or an edit rebuilds what it touched. The
// fingerprint is of contents, not times, so a fresh clone or a `touch` rebuilds nothing it need not.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

const PACKAGES = {
  client: {
    dir: 'packages/client',
    inputs: ['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json', 'package.json'],
    outputs: ['dist/index.html'],
  },
  server: {
    dir: 'packages/server',
    inputs: ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'],
    outputs: ['dist/main.js', 'dist/cli.js'],
  },
  sdk: {
    dir: 'packages/sdk',
    inputs: ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'],
    outputs: ['dist/index.js', 'dist/file-store.js'],
  },
};
/** Inputs of every package: a dependency or a compiler option can change any output. */
const SHARED_INPUTS = ['package-lock.json', 'tsconfig.base.json'];
const STAMP = 'dist/.build-inputs';

/** Every file under `path` (or `path` itself), sorted, skipping what does not exist. */
function files(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => files(join(path, entry.name)));
}

function fingerprint({ dir, inputs }) {
  const hash = createHash('sha256');
  const paths = [
    ...SHARED_INPUTS.map((path) => join(ROOT, path)),
    ...inputs.map((path) => join(ROOT, dir, path)),
  ];
  for (const file of paths.flatMap(files)) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function upToDate(pkg, inputs) {
  const stamp = join(ROOT, pkg.dir, STAMP);
  return (
    pkg.outputs.every((output) => existsSync(join(ROOT, pkg.dir, output))) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === inputs
  );
}

const args = process.argv.slice(2);
const ifChanged = args.includes('--if-changed');
const quiet = args.includes('--quiet'); // says nothing about what is up to date
const named = args.filter((arg) => !arg.startsWith('--'));
for (const name of named) {
  if (!(name in PACKAGES)) {
    console.error(`build: no package "${name}" (${Object.keys(PACKAGES).join(', ')})`);
    process.exit(2);
  }
}

for (const [name, pkg] of Object.entries(PACKAGES)) {
  if (named.length > 0 && !named.includes(name)) continue;
  const inputs = fingerprint(pkg);
  if (ifChanged && upToDate(pkg, inputs)) {
    if (!quiet) console.log(`${name}: up to date (nothing changed since its last build)`);
    continue;
  }
  const started = Date.now();
  console.log(`${name}: building...`);
  const build = spawnSync('npm', ['run', 'build', '--silent', '--workspace', pkg.dir], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
  writeFileSync(join(ROOT, pkg.dir, STAMP), `${inputs}\n`);
  console.log(`${name}: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
