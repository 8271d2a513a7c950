import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAcknowledgedScoresApplied } from './support/acknowledged-scores';
import { ApiClient } from './support/api-client';
import { PrivatePostgres } from './support/private-postgres';
import { freePort, runNode, type NodeProcess } from './support/processes';
import { waitFor, waitForProcess } from './support/wait-for';

/**
 * The server process over a PostgreSQL cluster of the test's own, which the test stops, crashes
 * and restarts: the process answers 503 meanwhile, keeps running, and loses nothing.
 */
let postgres: PrivatePostgres;
let server: NodeProcess;
let api: ApiClient;
let dataDir: string;

beforeAll(async () => {
  postgres = await PrivatePostgres.start();
  dataDir = mkdtempSync(join(tmpdir(), 'scoreboard-outage-'));
  const port = await freePort();
  server = runNode('main.js', {
    DATABASE_URL: postgres.url,
    DATA_DIR: dataDir,
    PORT: String(port),
    SWEEP_DELAY_MS: '1000',
    SWEEP_INTERVAL_MS: '200',
    // Any attempt spent on a transient failure would dead-letter the score at once.
    WORKER_MAX_ATTEMPTS: '1',
    DB_POOL_ACQUIRE_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'error',
  });
  api = new ApiClient(`http://127.0.0.1:${port}`);
  await waitUntilReady();
});
afterAll(async () => {
  await server?.stop();
  await postgres?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

const waitUntilReady = () =>
  waitForProcess(server, `${api.baseUrl}/api/health/ready`, { what: 'the server to be ready' });

describe('while PostgreSQL is down', () => {
  it('answers 503 with Retry-After where the database is needed, stays live, and serves again once it is back', async () => {
    const { token } = await api.signup();
    expect((await api.submitScore(token, 10)).status).toBe(201);

    await postgres.stop();
    try {
      for (const response of [
        await api.submitScore(token, 20),
        await api.request('GET', '/api/me/stats', { token }),
        await api.request('GET', '/api/leaderboard'),
      ]) {
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('2');
        expect(response.body).toEqual({
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'The database is unavailable or too slow; try again shortly',
        });
      }
      const ready = await api.request('GET', '/api/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.message).toBe('Not ready: database, migrations down');
      expect((await api.request('GET', '/api/health/live')).status).toBe(200);
    } finally {
      await postgres.start();
    }

    await waitUntilReady();
    expect((await api.submitScore(token, 30)).status).toBe(201);
    const stats = await waitFor(
      async () => {
        const body = (await api.request('GET', '/api/me/stats', { token })).body;
        return body.pending_scores === 0 && body.total_scores === 2 ? body : undefined;
      },
      { timeoutMs: 30_000, what: 'both accepted scores to be applied' },
    );
    expect(stats).toMatchObject({ total_scores: 2, high_score: 30, average: 20 });
  });

  it('loses and dead-letters nothing across restarts and crashes under load, and the process keeps running', async () => {
    const players = await Promise.all(Array.from({ length: 8 }, () => api.signup()));
    const acknowledged = new Map<string, number>();
    let stop = false;
    // Clients retry what they could not get acknowledged with the same key, as the dashboard does.
    const clients = players.map(async ({ token }) => {
      while (!stop) {
        const key = randomUUID();
        const value = acknowledged.size % 101;
        const response = await waitFor(
          async () => {
            const answer = await api.submitScore(token, value, key).catch(() => undefined);
            return answer?.status === 201 ? answer : undefined;
          },
          { timeoutMs: 60_000, what: 'a submission to be acknowledged' },
        );
        acknowledged.set(response.body.id, response.body.value);
      }
    });
    for (const mode of ['fast', 'immediate', 'fast', 'immediate', 'fast', 'immediate'] as const) {
      const before = acknowledged.size;
      await waitFor(() => acknowledged.size >= before + 50, {
        timeoutMs: 60_000,
        what: 'submissions to go on',
      });
      await postgres.restart({ mode, downMs: 500 });
    }
    const afterRestarts = acknowledged.size;
    await waitFor(() => acknowledged.size >= afterRestarts + 50, {
      timeoutMs: 60_000,
      what: 'submissions after the last restart',
    });
    stop = true;
    await Promise.all(clients);

    expect(server.child.exitCode).toBeNull();
    await expectAcknowledgedScoresApplied(postgres, acknowledged);
  });
});
