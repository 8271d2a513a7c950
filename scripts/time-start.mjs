// `node scripts/time-start.mjs [--rebuild]`: how long `npm start` takes to a ready server (its
// readiness probe answering 200), twice: a first start on a new DATA_DIR (the embedded PostgreSQL
// is created), then a restart on it. Each runs on a free port and is stopped once ready, so it
// disturbs nothing. --rebuild removes the build stamps first, so that the first start builds both
// packages as the first `npm start` of a fresh clone does (after `npm ci`, which is not timed).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = join(import.meta.dirname, '..');

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

const rebuild = process.argv.includes('--rebuild');
if (rebuild) {
  for (const dir of ['packages/client', 'packages/server']) {
    rmSync(join(ROOT, dir, 'dist/.build-inputs'), { force: true });
  }
}
const dataDir = mkdtempSync(join(tmpdir(), 'scoreboard-start-'));

/** Runs `npm start` until its readiness probe answers 200, stops it, answers the seconds taken. */
async function timeStart() {
  const port = await freePort();
  const started = performance.now();
  // Its own process group, so that the whole tree (npm, node, PostgreSQL) is stopped at the end.
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let ready = false;
  while (!ready) {
    if (child.exitCode !== null) throw new Error(`npm start exited with code ${child.exitCode}`);
    ready = await fetch(`http://127.0.0.1:${port}/api/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (!ready) await sleep(50);
  }
  const seconds = (performance.now() - started) / 1000;
  process.kill(-child.pid, 'SIGTERM');
  await exited;
  return seconds;
}

try {
  const first = await timeStart();
  const again = await timeStart();
  console.log(
    `npm start: first start ready in ${first.toFixed(1)} s ` +
      `(${rebuild ? 'builds both packages, ' : ''}creates the database); ` +
      `restart of the unchanged tree ready in ${again.toFixed(1)} s`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
