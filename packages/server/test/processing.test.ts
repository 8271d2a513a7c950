import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessingRepository } from '../src/processing/processing.repository';
import { Reconciler } from '../src/processing/reconciler';
import { ScoreProcessor } from '../src/processing/score-processor';
import { ApiClient } from './support/api-client';
import { runNode } from './support/processes';
import { startTestApp, type TestApp } from './support/test-app';
import { GLOBAL_PERIOD } from './support/test-database';
import { waitFor, waitForProgress } from './support/wait-for';

/**
 * The default run: no Redis, the in-process transport, API and worker in one process. Each test
 * stands on its own: it makes the scores (and counts) it asserts on.
 */
let app: TestApp;
let api: ApiClient;
/** The waits below last as long as scores keep being applied: the per-test limit is a backstop. */
const TEST_TIMEOUT_MS = 5 * 60_000;

beforeAll(async () => {
  app = await startTestApp('processing', {
    WORKER_MAX_ATTEMPTS: '3',
    WORKER_RETRY_BASE_MS: '50',
    WORKER_RETRY_MAX_MS: '200',
    SWEEP_DELAY_MS: '500',
    SWEEP_INTERVAL_MS: '100',
  });
  api = new ApiClient(app.baseUrl);
});
afterAll(() => app.close());

const stats = async (token: string) => (await api.request('GET', '/api/me/stats', { token })).body;
/** The caller's stats once none of its scores is pending, waiting as long as they get applied. */
async function settled(token: string) {
  await waitForProgress(
    async () => {
      const current = await stats(token);
      return {
        done: current.pending_scores === 0,
        count: current.total_scores,
        detail: `${current.pending_scores} pending`,
      };
    },
    { what: 'no pending scores', counter: 'applied scores' },
  );
  return stats(token);
}

describe('applying scores', { timeout: TEST_TIMEOUT_MS }, () => {
  it('answers zeros before any score', async () => {
    const { token, user } = await api.signup();
    expect((await api.request('GET', '/api/me/high-score', { token })).body).toEqual({
      user_id: user.id,
      value: 0,
      updated_at: null,
    });
    expect(await stats(token)).toEqual({
      user_id: user.id,
      total_scores: 0,
      average: 0,
      high_score: 0,
      pending_scores: 0,
      updated_at: null,
    });
  });

  it('applies each accepted score to the high score, count and exact average', async () => {
    const { token, user } = await api.signup();
    for (const value of [10, 35, 20]) await api.submitScore(token, value);
    expect(await settled(token)).toEqual({
      user_id: user.id,
      total_scores: 3,
      average: 65 / 3,
      high_score: 35,
      pending_scores: 0,
      updated_at: expect.any(String),
    });
    const high = await api.request('GET', '/api/me/high-score', { token });
    expect(high.body).toEqual({ user_id: user.id, value: 35, updated_at: expect.any(String) });
    const page = await api.request('GET', '/api/me/scores', { token });
    expect(page.body.items.map((s: { status: string }) => s.status)).toEqual([
      'processed',
      'processed',
      'processed',
    ]);
  });

  it('counts 50 concurrent first scores of a new user exactly', async () => {
    const { token } = await api.signup();
    const values = Array.from({ length: 50 }, (_, i) => (i * 37) % 101);
    const responses = await Promise.all(values.map((value) => api.submitScore(token, value)));
    expect(responses.every((r) => r.status === 201)).toBe(true);
    const result = await settled(token);
    expect(result.total_scores).toBe(50);
    expect(result.high_score).toBe(Math.max(...values));
    expect(result.average).toBe(values.reduce((a, b) => a + b, 0) / 50);
  });

  it('counts a score once however often its event is delivered', async () => {
    const { token, user } = await api.signup();
    const submitted = await api.submitScore(token, 60);
    const processor = app.app.get(ScoreProcessor);
    await Promise.all(
      Array.from({ length: 20 }, () => processor.process([submitted.body.id, submitted.body.id])),
    );
    await processor.process([submitted.body.id]);
    const [row] = await app.sql(
      'SELECT total_scores, sum_scores FROM user_stats WHERE user_id = $1',
      [user.id],
    );
    expect(row).toEqual({ total_scores: '1', sum_scores: '60' });
  });

  it('applies a score whose event was never published (the API died after the commit)', async () => {
    const { token, user } = await api.signup();
    // Exactly what such a crash leaves behind: the committed row, and no event anywhere.
    await app.sql(
      `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, retry_at)
       VALUES ($1, 'orphaned', 42, 'global', ${GLOBAL_PERIOD}, now() + interval '500 milliseconds')`,
      [user.id],
    );
    const result = await settled(token);
    expect(result).toMatchObject({ total_scores: 1, high_score: 42 });
  });

  it('ranks the high score by the first time it was reached', async () => {
    const { token, user } = await api.signup();
    const first = await api.submitScore(token, 90);
    await api.submitScore(token, 90);
    await settled(token);
    const [row] = await app.sql<{ achieved_at: Date }>(
      'SELECT achieved_at FROM user_high_scores WHERE user_id = $1',
      [user.id],
    );
    expect(row!.achieved_at.toISOString()).toBe(first.body.created_at);
  });
});

describe('failures', { timeout: TEST_TIMEOUT_MS }, () => {
  it('dead-letters a poison score after the configured attempts while other scores flow, and applies it once when replayed after the fix', async () => {
    const poisoned = await api.signup();
    const healthy = await api.signup();
    // A real fault inside PostgreSQL: every write of this user's stats fails.
    await app.sql(`
      CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'poisoned user %', NEW.user_id; END $$`);
    await app.sql(`
      CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON user_stats
      FOR EACH ROW WHEN (NEW.user_id = ${Number(poisoned.user.id)}) EXECUTE FUNCTION poison()`);
    try {
      const poison = await api.submitScore(poisoned.token, 13);
      await Promise.all(Array.from({ length: 10 }, (_, i) => api.submitScore(healthy.token, i)));
      expect(await settled(healthy.token)).toMatchObject({ total_scores: 10, high_score: 9 });

      // Each attempt is progress; the third one parks it.
      await waitForProgress(
        async () => {
          const [row] = await app.sql<{ attempts: number; dead: boolean }>(
            'SELECT attempts, dead_at IS NOT NULL AS dead FROM scores WHERE id = $1',
            [poison.body.id],
          );
          return { done: row!.dead, count: row!.attempts };
        },
        { what: 'the poison score to be dead-lettered', counter: 'attempts' },
      );
      const dead = (
        await api.request('GET', `/api/me/scores/${poison.body.id}`, { token: poisoned.token })
      ).body;
      expect(dead).toMatchObject({ id: poison.body.id, status: 'dead' });
      const letters = await app.app.get(ProcessingRepository).listDeadLetters();
      expect(letters).toEqual([
        expect.objectContaining({
          id: poison.body.id,
          attempts: 3,
          lastError: expect.stringContaining('poisoned user'),
        }),
      ]);
      expect(await stats(poisoned.token)).toMatchObject({ total_scores: 0, pending_scores: 0 });
    } finally {
      await app.sql('DROP TRIGGER poison ON user_stats');
      await app.sql('DROP FUNCTION poison');
    }

    const replay = runNode(
      'cli.js',
      { DATABASE_URL: app.config.databaseUrl!, DATA_DIR: app.config.dataDir },
      ['dead-letters', 'replay', '--all'],
    );
    expect(await replay.exited).toBe(0);
    expect(await settled(poisoned.token)).toMatchObject({
      total_scores: 1,
      high_score: 13,
      average: 13,
    });
    expect(await app.app.get(ProcessingRepository).listDeadLetters()).toEqual([]);
  });
});

describe('reconcile', { timeout: TEST_TIMEOUT_MS }, () => {
  const cli = (args: string[]) => {
    const run = runNode(
      'cli.js',
      { DATABASE_URL: app.config.databaseUrl!, DATA_DIR: app.config.dataDir },
      args,
    );
    return run.exited.then((code) => ({ code, output: run.output() }));
  };

  it('finds no drift after processing, reports corrupted aggregates with exit 1, and repairs them with --fix', async () => {
    const { token, user } = await api.signup();
    for (const value of [5, 50, 25]) await api.submitScore(token, value, randomUUID());
    await settled(token);
    expect(await new Reconciler(app.app.get(DataSource)).findDrift()).toEqual([]);
    expect(await cli(['reconcile'])).toMatchObject({ code: 0 });

    await app.sql('UPDATE user_stats SET sum_scores = sum_scores + 7 WHERE user_id = $1', [
      user.id,
    ]);
    await app.sql('UPDATE user_high_scores SET high_score = 99 WHERE user_id = $1', [user.id]);
    const report = await cli(['reconcile']);
    expect(report.code).toBe(1);
    expect(report.output).toContain(`user ${user.id}: sum_scores 87 -> 80 high_score 99 -> 50`);

    expect((await cli(['reconcile', '--fix'])).code).toBe(0);
    expect(await cli(['reconcile'])).toMatchObject({ code: 0 });
    expect(await stats(token)).toMatchObject({ total_scores: 3, high_score: 50, average: 80 / 3 });
  });
});

describe('GET /metrics', { timeout: TEST_TIMEOUT_MS }, () => {
  const scrape = async () => {
    const response = await fetch(`${app.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  };
  /** The value of one series ("name" or "name{labels}"); 0 for a labelled series not yet seen. */
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };

  it('exposes the pipeline and HTTP metrics in Prometheus text format, counting what happens', async () => {
    const posted =
      'scoreboard_http_request_duration_seconds_count{method="POST",route="/api/scores",status="201"}';
    const before = await scrape();
    const { token } = await api.signup();
    const key = randomUUID();
    expect((await api.submitScore(token, 42, key)).status).toBe(201);
    expect((await api.submitScore(token, 42, key)).headers.get('idempotent-replayed')).toBe('true');
    await settled(token);
    const after = await waitFor(
      async () => {
        const text = await scrape();
        return value(text, 'scoreboard_events_processed_total') >
          value(before, 'scoreboard_events_processed_total')
          ? text
          : undefined;
      },
      { what: 'the applied score to be counted' },
    );

    for (const name of [
      posted,
      'scoreboard_scores_accepted_total',
      'scoreboard_scores_replayed_total',
      'scoreboard_events_published_total',
      'scoreboard_events_processed_total',
      'scoreboard_events_retried_total',
      'scoreboard_events_dead_lettered_total',
      'scoreboard_processing_lag_seconds_bucket',
      'scoreboard_pending_scores',
      'scoreboard_apply_lock_wait_seconds_bucket',
    ]) {
      expect(after).toContain(name);
    }
    const moved = (series: string) => value(after, series) - value(before, series);
    expect(moved('scoreboard_scores_accepted_total')).toBe(1);
    expect(moved('scoreboard_scores_replayed_total')).toBe(1);
    expect(moved('scoreboard_events_published_total')).toBe(1);
    expect(moved('scoreboard_events_processed_total')).toBe(1);
    expect(moved(posted)).toBe(2);
    expect(moved('scoreboard_processing_lag_seconds_count')).toBe(1);
    expect(value(after, 'scoreboard_pending_scores')).toBe(0);
  });
});
