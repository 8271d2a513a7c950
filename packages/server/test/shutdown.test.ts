import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { EventStreamClient } from './support/event-stream';
import { freePort, runNode, type NodeProcess } from './support/processes';
import { createTestDatabase, GLOBAL_PERIOD, type TestDatabase } from './support/test-database';
import { waitFor, waitForProcess } from './support/wait-for';

/** Shutting down the server process: live clients cannot hold it up, and nothing can for long. */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(
  env: Record<string, string> = {},
): Promise<{ server: NodeProcess; api: ApiClient; database: TestDatabase }> {
  const database = await createTestDatabase('shutdown');
  const dataDir = mkdtempSync(join(tmpdir(), 'scoreboard-shutdown-'));
  const port = await freePort();
  const server = runNode('main.js', {
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'info',
    ...env,
  });
  cleanups.push(async () => {
    await server.stop('SIGKILL');
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const api = new ApiClient(`http://127.0.0.1:${port}`);
  await waitForProcess(server, `${api.baseUrl}/api/health/ready`, { what: 'the server to start' });
  return { server, api, database };
}

describe('shutdown', () => {
  it('closes open streams at once, refuses new ones with 503 while it drains, and exits cleanly', async () => {
    const { server, api, database } = await startServer({
      DB_STATEMENT_TIMEOUT_MS: '30000',
      DB_LOCK_TIMEOUT_MS: '20000',
    });
    const { token, user } = await api.signup();
    expect((await api.submitScore(token, 1)).status).toBe(201);
    await waitFor(
      async () => (await api.request('GET', '/api/me/stats', { token })).body.total_scores === 1,
      { what: 'the first score to be applied' },
    );
    const stream = await EventStreamClient.open(api.baseUrl, token);
    await stream.next('stats');
    // The worker's next apply waits on this lock, so the drain lasts until it is released.
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM user_stats WHERE user_id = $1 FOR UPDATE', [user.id]);
    expect((await api.submitScore(token, 2)).status).toBe(201);
    await waitFor(async () => {
      const { rows } = await holder.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`,
      );
      return rows[0].n > 0;
    });

    server.child.kill('SIGTERM');
    await expect(stream.next('never sent', () => false)).rejects.toThrow(
      /before the server closed the stream/,
    );
    // The browser's reconnection, during the drain: refused, not left open.
    const again = await fetch(`${api.baseUrl}/api/stream`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(again.status).toBe(503);
    expect(again.headers.get('retry-after')).toBe('1');
    expect(await again.json()).toMatchObject({
      statusCode: 503,
      message: 'The server is shutting down; reconnect shortly',
    });
    await holder.query('ROLLBACK');
    expect(await server.exited).toBe(0);
  });

  it('exits after SHUTDOWN_TIMEOUT_MS when something still holds it up', async () => {
    const { server, api, database } = await startServer({
      SHUTDOWN_TIMEOUT_MS: '1000',
      DB_STATEMENT_TIMEOUT_MS: '60000',
      DB_LOCK_TIMEOUT_MS: '60000',
    });
    const { token, user } = await api.signup();
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('BEGIN');
    await holder.query(
      `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id)
       VALUES ($1, 'held', 1, 'global', ${GLOBAL_PERIOD})`,
      [user.id],
    );
    const inFlight = api.submitScore(token, 5, 'held').catch(() => undefined);
    await waitFor(async () => {
      const { rows } = await holder.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`,
      );
      return rows[0].n > 0;
    });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('Shutdown took too long: exiting');
    await inFlight;
  });
});
