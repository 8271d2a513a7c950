// `npm run scoreboard -- <command>`: the server's command-line tool (migrate, reconcile,
// dead-letters, users), built first when it has not been.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const cli = 'packages/server/dist/cli.js';
if (!existsSync(cli)) {
  execFileSync('npm', ['run', 'build', '-w', 'packages/server', '--silent'], { stdio: 'inherit' });
}
const run = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
