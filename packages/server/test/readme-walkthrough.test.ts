import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { startTestApp, type TestApp } from './support/test-app';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(__dirname, '..', 'dist', 'cli.js');

/** The `sh` blocks of the README's "Using the API" section and its subsections, in order. */
function walkthrough(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Using the API\n');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/**
 * What the blocks run in: a bash that stops at the first failing command, where `curl` records
 * each answer's status (and the body of any that is not 2xx) and `npm run scoreboard --` is the
 * built command-line tool over the test's database.
 */
const PRELUDE = `set -euo pipefail
curl() {
  local body status request
  body=$(mktemp)
  status=$(command curl -o "$body" -w '%{http_code} %{method} %{url}' "$@")
  cat "$body"
  case "\${status%% *}" in
    2??) request=$status ;;
    *) request="$status => $(tr '\\n' ' ' <"$body")" ;;
  esac
  printf '%s\\n' "$request" >>"$WALKTHROUGH_LOG"
  rm -f "$body"
}
npm() {
  [ "$1 $2 $3" = "run scoreboard --" ] || { echo "not in the walkthrough: npm $*" >&2; return 1; }
  shift 3
  node "$SCOREBOARD_CLI" "$@"
}
`;

function runBash(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [script], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** A newcomer's first hour: `npm start`, `npm run scoreboard -- demo`, then the README's API tour. */
describe("the README's API walkthrough", () => {
  let app: TestApp;
  let dir: string;
  beforeAll(async () => {
    app = await startTestApp('readme_walkthrough');
    dir = mkdtempSync(join(tmpdir(), 'readme-walkthrough-'));
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs top to bottom after the demo, every request answered 2xx', async () => {
    const demo = await runCli(app, ['demo']);
    expect(demo.code, demo.output).toBe(0);

    const blocks = walkthrough();
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const commands = blocks.join('\n');
    expect(commands).not.toMatch(/\/(42|1001|1)\b/); // ids come from earlier answers
    const script = join(dir, 'walkthrough.sh');
    const log = join(dir, 'statuses.log');
    writeFileSync(log, '');
    const { port } = new URL(app.baseUrl);
    writeFileSync(
      script,
      `${PRELUDE}\n${commands.replaceAll('localhost:3000', `127.0.0.1:${port}`)}\necho WALKTHROUGH-DONE\n`,
    );

    const run = await runBash(script, {
      WALKTHROUGH_LOG: log,
      SCOREBOARD_CLI: CLI,
      DATABASE_URL: app.config.databaseUrl!,
      DATA_DIR: app.config.dataDir,
      LOG_LEVEL: 'warn',
    });
    const statuses = readFileSync(log, 'utf8').trim().split('\n');
    expect(run.code, `${run.output}\n${statuses.join('\n')}`).toBe(0);
    expect(run.output).toContain('WALKTHROUGH-DONE');
    // Every curl of the walkthrough ran (none was skipped) and was answered 2xx.
    expect(statuses, statuses.join('\n')).toHaveLength(commands.match(/\bcurl -s/g)!.length);
    expect(statuses.filter((line) => !/^2\d\d /.test(line))).toEqual([]);

    // It did what it says: the game server's score was removed, mallory banned.
    const [removed] = await app.sql<{ n: string }>(
      `SELECT count(*) AS n FROM scores WHERE removed_at IS NOT NULL`,
    );
    expect(Number(removed!.n)).toBe(1);
    const [banned] = await app.sql<{ email: string }>(
      `SELECT email FROM users WHERE banned_at IS NOT NULL`,
    );
    expect(banned?.email).toBe('mallory@example.com');
  });
});
