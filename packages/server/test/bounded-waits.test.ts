import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';
import { GLOBAL_PERIOD } from './support/test-database';

/**
 * Nothing waits on PostgreSQL without end: a request stuck behind a lock, or waiting for a pooled
 * connection, turns into a 503; the worker meets the same lock as a transient failure, retries
 * it, and spends no attempt.
 */
let app: TestApp;
let api: ApiClient;

beforeAll(async () => {
  app = await startTestApp('bounded_waits', {
    DB_POOL_SIZE: '1',
    DB_BACKGROUND_POOL_SIZE: '2',
    DB_POOL_ACQUIRE_TIMEOUT_MS: '300',
    DB_STATEMENT_TIMEOUT_MS: '2000',
    DB_LOCK_TIMEOUT_MS: '1500',
    // Any attempt spent on a transient failure would dead-letter the score at once.
    WORKER_MAX_ATTEMPTS: '1',
    WORKER_RETRY_BASE_MS: '50',
    SWEEP_DELAY_MS: '300',
    SWEEP_INTERVAL_MS: '100',
  });
  api = new ApiClient(app.baseUrl);
});
afterAll(() => app.close());

/** A connection of the test's own that holds a transaction open (and its locks) until released. */
async function holdTransaction(statement: string, params: unknown[]): Promise<() => Promise<void>> {
  const client = new Client({ connectionString: app.config.databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(statement, params);
  return async () => {
    await client.query('ROLLBACK');
    await client.end();
  };
}

/** How many statements of the app wait on a lock (read outside the app's own pools). */
async function waitingOnLocks(): Promise<number> {
  const client = new Client({ connectionString: app.config.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return rows[0].n;
  } finally {
    await client.end();
  }
}

const metric = async (pattern: RegExp) => {
  const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
};

describe('bounded waits', () => {
  it('answers 503 when a statement waits on a lock past the lock timeout, and while the pool has no free connection', async () => {
    const { token, user } = await api.signup();
    // An uncommitted score under the same key: the API's insert must wait for it to end.
    const release = await holdTransaction(
      `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id)
       VALUES ($1, 'held', 1, 'global', ${GLOBAL_PERIOD})`,
      [user.id],
    );
    try {
      const stuck = api.submitScore(token, 5, 'held');
      await waitFor(async () => (await waitingOnLocks()) > 0, { what: 'the insert to wait' });
      // Meanwhile the only pooled connection is taken: the next request cannot get one.
      const starved = await api.request('GET', '/api/me/stats', { token });
      expect(starved.status).toBe(503);
      expect(starved.headers.get('retry-after')).toBe('2');

      const timedOut = await stuck;
      expect(timedOut.status).toBe(503);
      expect(timedOut.body.message).toBe(
        'The database is unavailable or too slow; try again shortly',
      );
    } finally {
      await release();
    }
    const accepted = await api.submitScore(token, 5, 'held');
    expect(accepted.status).toBe(201);
    expect(accepted.body.message).toBe('Score submitted successfully');
  });

  it('retries a score whose aggregate row is locked past the lock timeout without spending an attempt, and applies it once the lock is gone', async () => {
    const { token, user } = await api.signup();
    expect((await api.submitScore(token, 7)).status).toBe(201);
    await waitFor(
      async () => (await api.request('GET', '/api/me/stats', { token })).body.total_scores === 1,
      { what: 'the first score to be applied' },
    );
    const lockTimeouts = () => metric(/^scoreboard_retries_total\{class="lock_timeout"\} (\d+)/m);
    const before = await lockTimeouts();
    const release = await holdTransaction(
      'SELECT 1 FROM user_stats WHERE user_id = $1 FOR UPDATE',
      [user.id],
    );
    let second: { body: { id: string } };
    try {
      second = await api.submitScore(token, 9);
      await waitFor(async () => (await lockTimeouts()) >= before + 2, {
        timeoutMs: 30_000,
        what: 'the worker to meet the lock timeout twice',
      });
      const [row] = await app.sql<{ attempts: number; applied: boolean; dead: boolean }>(
        `SELECT attempts, applied_at IS NOT NULL AS applied, dead_at IS NOT NULL AS dead
           FROM scores WHERE id = $1`,
        [second.body.id],
      );
      expect(row).toEqual({ attempts: 0, applied: false, dead: false });
    } finally {
      await release();
    }
    const stats = await waitFor(
      async () => {
        const body = (await api.request('GET', '/api/me/stats', { token })).body;
        return body.total_scores === 2 ? body : undefined;
      },
      { what: 'the retried score to be applied' },
    );
    expect(stats).toMatchObject({ total_scores: 2, high_score: 9, pending_scores: 0 });
    const [row] = await app.sql('SELECT attempts, dead_at FROM scores WHERE id = $1', [
      second.body.id,
    ]);
    expect(row).toEqual({ attempts: 0, dead_at: null });
  });
});
