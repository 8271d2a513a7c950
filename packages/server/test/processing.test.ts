import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessingRepository } from '../src/processing/processing.repository';
import { Reconciler } from '../src/processing/reconciler';
import { ScoreProcessor } from '../src/processing/score-processor';
import { ApiClient } from './support/api-client';
import { runNode } from './support/processes';
import { startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

/** The default run: no Redis, the in-process transport, API and worker in one process. */
let app: TestApp;
let api: ApiClient;

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
const settled = (token: string) =>
  waitFor(async () => ((await stats(token)).pending_scores === 0 ? stats(token) : undefined), {
    what: 'no pending scores',
  });

describe('applying scores', () => {
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
      `INSERT INTO scores (user_id, idempotency_key, value, retry_at)
       VALUES ($1, 'orphaned', 42, now() + interval '500 milliseconds')`,
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

describe('failures', () => {
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

      const dead = await waitFor(
        async () => {
          const item = (
            await api.request('GET', `/api/me/scores/${poison.body.id}`, { token: poisoned.token })
          ).body;
          return item.status === 'dead' ? item : undefined;
        },
        { what: 'the poison score to be dead-lettered' },
      );
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

describe('reconcile', () => {
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

describe('GET /metrics', () => {
  it('exposes the pipeline and HTTP metrics in Prometheus text format', async () => {
    const response = await fetch(`${app.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    for (const name of [
      'scoreboard_http_request_duration_seconds_count{method="POST",route="/api/scores",status="201"}',
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
      expect(text).toContain(name);
    }
    expect(text).toMatch(/scoreboard_events_dead_lettered_total 1\b/);
  });
});
