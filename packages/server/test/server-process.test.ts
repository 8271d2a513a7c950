import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { EventStreamClient } from './support/event-stream';
import { freePort, runNode, type NodeProcess } from './support/processes';
import { createTestDatabase } from './support/test-database';
import { waitForProcess } from './support/wait-for';

type Server = NodeProcess;
const runServer = (env: Record<string, string>) => runNode('main.js', env);

/** A start (embedded PostgreSQL, Nest) has no counter to watch; it gets this long. */
const START_TIMEOUT_MS = 3 * 60_000;

const waitUntilReady = (baseUrl: string, server: Server) =>
  waitForProcess(server, `${baseUrl}/api/health/ready`, {
    what: 'the server to be ready',
    timeoutMs: START_TIMEOUT_MS,
  });

const dataDirs: string[] = [];
afterAll(() => dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('the server process', { timeout: 3 * START_TIMEOUT_MS }, () => {
  it('stops at start on bad configuration, naming every bad variable in one go', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scoreboard-bad-'));
    dataDirs.push(dataDir);
    const server = runServer({
      DATA_DIR: dataDir,
      SCORE_MAX: 'lots',
      DATABASE_URL: 'http://example.com',
      NODE_ENV: 'production', // without JWT_SECRET
    });
    expect(await server.exited).toBe(1);
    for (const variable of ['SCORE_MAX', 'DATABASE_URL', 'JWT_SECRET']) {
      expect(server.output()).toContain(variable);
    }
  });

  it('runs on an embedded PostgreSQL without DATABASE_URL, keeps data across restarts and stops it on SIGTERM and SIGHUP', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scoreboard-embedded-'));
    dataDirs.push(dataDir);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const api = new ApiClient(baseUrl);

    const first = runServer({ DATA_DIR: dataDir, PORT: String(port) });
    await waitUntilReady(baseUrl, first);
    const { email, password, token } = await api.signup();
    const score = await api.submitScore(token, 64, 'kept-across-restarts');
    expect(score.status).toBe(201);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // The embedded server stopped too: it removes its pid file on a clean shutdown.
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

    const second = runServer({ DATA_DIR: dataDir, PORT: String(port) });
    await waitUntilReady(baseUrl, second);
    // The JWT secret was kept under DATA_DIR too, so the old token still works.
    const page = await api.request('GET', '/api/me/scores', { token });
    expect(page.status).toBe(200);
    expect(page.body.items).toEqual([expect.objectContaining({ id: score.body.id, value: 64 })]);
    const login = await api.request('POST', '/api/auth/login', { body: { email, password } });
    expect(login.status).toBe(200);
    // A closed terminal (SIGHUP) stops it as cleanly: the embedded PostgreSQL is not left running.
    second.child.kill('SIGHUP');
    expect(await second.exited).toBe(0);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('closes open live streams and exits cleanly on SIGTERM', async () => {
    const database = await createTestDatabase('shutdown');
    try {
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const server = runServer({
        DATABASE_URL: database.url,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'scoreboard-shutdown-')),
        PORT: String(port),
      });
      await waitUntilReady(baseUrl, server);
      const { token } = await new ApiClient(baseUrl).signup();
      const stream = await EventStreamClient.open(baseUrl, token);
      await stream.next('stats');
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      await stream.close();
    } finally {
      await database.drop();
    }
  });

  it('names the dashboard’s address in its log: DASHBOARD_URL (npm run dev) or its own', async () => {
    const database = await createTestDatabase('dashboard_url');
    try {
      for (const dashboard of ['http://localhost:5173', undefined]) {
        const port = await freePort();
        const server = runServer({
          DATABASE_URL: database.url,
          DATA_DIR: mkdtempSync(join(tmpdir(), 'scoreboard-dashboard-url-')),
          PORT: String(port),
          LOG_LEVEL: 'info',
          LOG_FORMAT: 'json',
          ...(dashboard ? { DASHBOARD_URL: dashboard } : {}),
        });
        await waitUntilReady(`http://127.0.0.1:${port}`, server);
        server.child.kill('SIGTERM');
        expect(await server.exited).toBe(0);
        const own = `http://localhost:${port}`;
        expect(server.output()).toContain(
          dashboard
            ? `Ready: ${dashboard} (the dashboard; API at ${own}/api`
            : `Ready: ${own} (the dashboard;`,
        );
      }
    } finally {
      await database.drop();
    }
  });

  it('takes over an embedded PostgreSQL left running by a process that was killed outright', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scoreboard-orphan-'));
    dataDirs.push(dataDir);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const first = runServer({ DATA_DIR: dataDir, PORT: String(port) });
    await waitUntilReady(baseUrl, first);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = runServer({ DATA_DIR: dataDir, PORT: String(port) });
    await waitUntilReady(baseUrl, second);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
