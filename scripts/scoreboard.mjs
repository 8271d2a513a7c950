// `npm run scoreboard -- <command>`: the server's command-line tool (migrate, reconcile,
// dead-letters, users, demo), with the server rebuilt first when its sources changed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const build = spawnSync(
  process.execPath,
  [join(ROOT, 'scripts/build.mjs'), '--if-changed', '--quiet', 'server'],
  { stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(
  process.execPath,
  [join(ROOT, 'packages/server/dist/cli.js'), ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: join(ROOT, 'packages/server') },
);
process.exit(run.status ?? 1);
