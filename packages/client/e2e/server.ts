import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/** The machine's PostgreSQL (SPEC section 4); TEST_DATABASE_SERVER_URL points elsewhere. */
const { TEST_DATABASE_SERVER_URL: ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test' } =
  process.env;
const SERVER_MAIN = join(__dirname, '..', '..', 'server', 'dist', 'main.js');
const SERVER_CLI = join(__dirname, '..', '..', 'server', 'dist', 'cli.js');

export type RunningServer = {
  baseUrl: string;
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
  /**
   * Makes the user an admin the only way there is, the command-line tool, against this server's
   * database. The server reads the role on every request: the user's token stays valid.
   */
  makeAdmin(email: string): Promise<void>;
  /** `npm run scoreboard -- demo` against this server's database: its players, boards, scores. */
  demo(): Promise<void>;
  /** Sends the signal a terminal's Ctrl-C sends; resolves with the exit code once it exited. */
  interrupt(): Promise<number | null>;
  stop(): Promise<void>;
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The built server (which serves the built client at /) as a real process, over a fresh
 * scoreboard_test_* database on the machine's PostgreSQL, without Redis (the default run).
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const name = `scoreboard_test_e2e_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const port = await freePort();
  const serverEnv = {
    PATH: process.env.PATH,
    DATABASE_URL: url.toString(),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'scoreboard-e2e-')),
    LOG_LEVEL: 'warn',
    ...env,
  };
  const child: ChildProcess = spawn(process.execPath, [SERVER_MAIN], {
    env: { ...serverEnv, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (
    !(await fetch(`${baseUrl}/api/health/ready`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('server did not start');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  return {
    baseUrl,
    sql: async (query, params) => (await db.query(query, params)).rows,
    async makeAdmin(email) {
      await promisify(execFile)(
        process.execPath,
        [SERVER_CLI, 'users', 'set-role', email, 'admin'],
        { env: serverEnv },
      );
      // Its exit code alone proves nothing (it also answers 0 for an email nobody has).
      const { rows } = await db.query<{ role: string }>(
        'SELECT role FROM users WHERE lower(email) = lower($1)',
        [email],
      );
      if (rows[0]?.role !== 'admin') throw new Error(`${email} did not become an admin`);
    },
    async demo() {
      await promisify(execFile)(process.execPath, [SERVER_CLI, 'demo'], { env: serverEnv });
    },
    interrupt() {
      child.kill('SIGINT');
      return exited;
    },
    async stop() {
      await db.end();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      const cleanup = new pg.Client({ connectionString: ADMIN_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
