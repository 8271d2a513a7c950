// The built Scoreboard server (packages/server/dist/main.js) as a real process over a fresh
// scoreboard_test_* database on the machine's PostgreSQL, without Redis: for the integration tests
// and for generating the API types from the document it serves.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { URL } from 'node:url';
import pg from 'pg';

const ADMIN_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SERVER_DIST = join(import.meta.dirname, '..', '..', 'server', 'dist');

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts the server and waits until it is ready (polling its readiness, failing at once if it
 * exits). `sql` runs against its database; `cli` runs its command-line tool; `stop` ends it and
 * drops the database.
 * @param {Record<string, string>} [env]
 */
export async function startServer(env = {}) {
  const name = `scoreboard_test_sdk_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'scoreboard-sdk-'));
  const port = await freePort();
  const serverEnv = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: url.toString(),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SIGNUP_MAX_PER_HOUR: '0',
    ...env,
  };
  const child = spawn(process.execPath, [join(SERVER_DIST, 'main.js')], {
    env: { ...serverEnv, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  /** @type {Promise<number | null>} */
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const ready = await fetch(`${baseUrl}/api/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode})`);
    if (Date.now() > deadline) throw new Error('the server did not become ready in 90 s');
    await delay(100);
  }
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  return {
    baseUrl,
    /**
     * @param {string} query
     * @param {unknown[]} [params]
     * @returns {Promise<any[]>}
     */
    sql: async (query, params) => (await db.query(query, params)).rows,
    /** @param {string[]} args */
    cli(args) {
      const run = spawn(process.execPath, [join(SERVER_DIST, 'cli.js'), ...args], {
        env: serverEnv,
        stdio: 'ignore',
      });
      return new Promise((resolve) => run.once('exit', resolve));
    },
    async stop() {
      await db.end();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
      const cleanup = new pg.Client({ connectionString: ADMIN_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
