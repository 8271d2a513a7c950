import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../src/config/app-config';

/**
 * The README's configuration table is the one list of environment variables: it must name every
 * variable the product's configuration reads and every one its tests, scripts and benchmarks read
 * from the environment, and nothing that nothing reads.
 */
const ROOT = join(__dirname, '..', '..', '..');
const SOURCES = [
  'packages/server/src',
  'packages/server/test',
  'packages/server/bench',
  'packages/server/chaos',
  'packages/client/src',
  'packages/client/e2e',
  'scripts',
];
/** The shell's own, passed on to child processes. */
const NOT_OURS = new Set(['PATH', 'HOME', 'INIT_CWD']);

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return /\.(ts|mts|mjs|sh)$/.test(path) ? [path] : [];
  return readdirSync(path).flatMap((name) => files(join(path, name)));
}

/** The variables in the first column of the README's configuration table. */
function documented(): Set<string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'));
  const table = section.slice(0, section.search(/\n#{2,3} /));
  const names = table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*\*?)`/g)])
    .map((match) => match[1]!);
  return new Set(names);
}

/** Variables read with `process.env.NAME`, `const { NAME, ... } = process.env` or `${NAME:-...}`. */
function readByTheCode(): Set<string> {
  const names = new Set<string>();
  const sources = SOURCES.flatMap((dir) => files(join(ROOT, dir)));
  for (const file of sources.filter((path) => path !== __filename)) {
    const text = readFileSync(file, 'utf8');
    for (const [, name] of text.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(name!);
    for (const [, fields] of text.matchAll(/const \{([^}]*)\}\s*=\s*process\.env/g)) {
      // A key, not the local name it is renamed to (`KEY: local = default`).
      const keys = fields!.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const [, name] of `,${keys}`.matchAll(/,\s*([A-Z][A-Z0-9_]*)\s*(?=[:=,]|$)/g)) {
        names.add(name!);
      }
    }
    for (const [, name] of text.matchAll(/\$\{([A-Z][A-Z0-9_]*):-/g)) names.add(name!);
  }
  return new Set([...names].filter((name) => !NOT_OURS.has(name)));
}

const covered = (table: Set<string>, name: string) =>
  table.has(name) ||
  [...table].some((entry) => entry.endsWith('*') && name.startsWith(entry.slice(0, -1)));

describe("the README's configuration table", () => {
  it('names every variable the configuration reads', () => {
    const table = documented();
    expect(CONFIG_VARIABLES.filter((name) => !table.has(name))).toEqual([]);
  });

  it('names every variable the tests, scripts and benchmarks read', () => {
    const table = documented();
    const read = readByTheCode();
    expect(read.size).toBeGreaterThan(5); // the scan itself works
    expect([...read].filter((name) => !covered(table, name)).sort()).toEqual([]);
  });

  it('names nothing that nothing reads', () => {
    const read = new Set([...readByTheCode(), ...CONFIG_VARIABLES]);
    const stale = [...documented()].filter(
      (name) =>
        !(name.endsWith('*') ? [...read].some((r) => covered(new Set([name]), r)) : read.has(name)),
    );
    expect(stale).toEqual([]);
  });
});
