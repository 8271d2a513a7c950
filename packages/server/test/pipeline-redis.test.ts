import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Reconciler } from '../src/processing/reconciler';
import { ApiClient } from './support/api-client';
import { freePort, PrivateRedis, runNode, type NodeProcess } from './support/processes';
import { startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';
import { DataSource } from 'typeorm';

/**
 * The distributed run: an API (in this process) and separate worker processes over one
 * PostgreSQL database and a private Redis that these tests stop, flush and restart.
 */
let redis: PrivateRedis;
let app: TestApp;
let api: ApiClient;
const workers: NodeProcess[] = [];

const PIPELINE_ENV = {
  SWEEP_DELAY_MS: '1500',
  SWEEP_INTERVAL_MS: '200',
  WORKER_RETRY_BASE_MS: '50',
};

beforeAll(async () => {
  redis = await PrivateRedis.start();
  app = await startTestApp('pipeline_redis', {
    ROLE: 'api',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
    ...PIPELINE_ENV,
    LOG_LEVEL: 'error',
  });
  api = new ApiClient(app.baseUrl);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGKILL')));
});
afterAll(async () => {
  await app.close();
  await redis.stop();
});

function startWorker(env: Record<string, string> = {}): NodeProcess {
  const worker = runNode('main.js', {
    ROLE: 'worker',
    DATABASE_URL: app.config.databaseUrl!,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: app.config.redisKeyPrefix,
    DATA_DIR: app.config.dataDir,
    JWT_SECRET: app.config.jwtSecret,
    ...PIPELINE_ENV,
    ...env,
  });
  workers.push(worker);
  return worker;
}

type Player = { token: string; id: string; submitted: number[] };

async function players(count: number): Promise<Player[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const { token, user } = await api.signup();
      return { token, id: user.id as string, submitted: [] };
    }),
  );
}

/** Submits `total` scores spread over the players, `concurrency` at a time; records what was accepted. */
async function submitLoad(all: Player[], total: number, concurrency = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const player = all[i % all.length]!;
        const value = (i * 7919) % 101;
        const response = await api.submitScore(player.token, value, randomUUID());
        expect(response.status).toBe(201);
        player.submitted.push(value);
      }
    }),
  );
}

async function expectAllAppliedExactlyOnce(all: Player[]): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await app.sql<{ n: string }>(
        'SELECT count(*) AS n FROM scores WHERE applied_at IS NULL',
      );
      return row!.n === '0';
    },
    { timeoutMs: 60_000, what: 'every score to be applied' },
  );
  const rows = await app.sql<{
    user_id: string;
    total_scores: string;
    sum_scores: string;
    high_score: number;
  }>(
    `SELECT s.user_id, s.total_scores, s.sum_scores, h.high_score
       FROM user_stats s JOIN user_high_scores h USING (user_id) WHERE s.user_id = ANY($1::bigint[])`,
    [all.map((p) => p.id)],
  );
  const byUser = new Map(rows.map((row) => [row.user_id, row]));
  for (const player of all.filter((p) => p.submitted.length > 0)) {
    expect(byUser.get(player.id)).toEqual({
      user_id: player.id,
      total_scores: String(player.submitted.length),
      sum_scores: String(player.submitted.reduce((a, b) => a + b, 0)),
      high_score: Math.max(...player.submitted),
    });
  }
  expect(await new Reconciler(app.app.get(DataSource)).findDrift()).toEqual([]);
}

/**
 * Submits one score and takes it away from the sweeper at once, so that only the stream can
 * deliver it: proves the worker reads events again.
 */
async function expectStreamDelivers(player: Player): Promise<void> {
  const submitted = await api.submitScore(player.token, 1, randomUUID());
  player.submitted.push(1);
  await app.sql(
    `UPDATE scores SET retry_at = now() + interval '1 hour' WHERE id = $1 AND applied_at IS NULL`,
    [submitted.body.id],
  );
  await waitFor(
    async () =>
      (await app.sql('SELECT applied_at FROM scores WHERE id = $1', [submitted.body.id]))[0]
        ?.applied_at,
    { what: 'the stream to deliver a new score' },
  );
}

describe('the Redis Streams pipeline', () => {
  it('applies 5,000 events for 100 users with 3 workers at once, exactly as reconcile recomputes', async () => {
    const all = await players(100);
    startWorker();
    startWorker();
    startWorker();
    await submitLoad(all, 5000, 24);
    await expectAllAppliedExactlyOnce(all);
    const [row] = await app.sql<{ n: string }>('SELECT sum(total_scores) AS n FROM user_stats');
    expect(Number(row!.n)).toBeGreaterThanOrEqual(5000);
  }, 120_000);

  it('applies every score exactly once when a worker is SIGKILLed mid-load and started again', async () => {
    const all = await players(20);
    const doomed = startWorker();
    const load = submitLoad(all, 1500, 8);
    await waitFor(async () => {
      const [row] = await app.sql<{ n: string }>(
        'SELECT count(*) AS n FROM scores WHERE applied_at IS NOT NULL AND user_id = ANY($1::bigint[])',
        [all.map((p) => p.id)],
      );
      return Number(row!.n) > 300;
    });
    await doomed.stop('SIGKILL');
    startWorker();
    await load;
    await expectAllAppliedExactlyOnce(all);
  });

  it('applies every score exactly once when Redis loses everything mid-load (FLUSHALL), without restarting the worker', async () => {
    const all = await players(20);
    const worker = startWorker();
    const load = submitLoad(all, 1500, 8);
    await waitFor(() => all.reduce((n, p) => n + p.submitted.length, 0) > 500);
    await redis.command((client) => client.flushall());
    await load;
    await expectAllAppliedExactlyOnce(all);
    expect(worker.child.exitCode).toBeNull();
    // The stream and its consumer group were recreated: new events flow again.
    await expectStreamDelivers(all[0]!);
    await expectAllAppliedExactlyOnce(all);
  });

  it('accepts scores while Redis is stopped for several seconds and applies them all once it is back, without restarting anything', async () => {
    const all = await players(10);
    const worker = startWorker();
    await submitLoad(all, 200, 8);
    await redis.stop();
    const whileDown = Date.now();
    const unready = await api.request('GET', '/api/health/ready');
    expect(unready.status).toBe(503);
    expect(unready.body.message).toBe('Not ready: redis down');
    // Reads that Redis serves fall back to PostgreSQL meanwhile.
    expect((await api.request('GET', '/api/leaderboard')).status).toBe(200);
    expect((await api.request('GET', '/api/leaderboard/me', { token: all[0]!.token })).status).toBe(
      200,
    );
    await submitLoad(all, 300, 8);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, 3000 - (Date.now() - whileDown))),
    );
    await redis.start();
    await submitLoad(all, 200, 8);
    await expectAllAppliedExactlyOnce(all);
    expect(worker.child.exitCode).toBeNull();
    await expectStreamDelivers(all[0]!);
    await expectAllAppliedExactlyOnce(all);
    const health = await api.request('GET', '/api/health/ready');
    expect(health.status).toBe(200);
  });

  it('counts an event delivered many times once, as the worker’s own metrics show', async () => {
    const all = await players(1);
    const metricsPort = await freePort();
    startWorker({ METRICS_PORT: String(metricsPort) });
    const submitted = await api.submitScore(all[0]!.token, 33, randomUUID());
    all[0]!.submitted.push(33);
    for (let i = 0; i < 10; i++) {
      await redis.command((client) =>
        client.xadd(
          `${app.config.redisKeyPrefix}score-events`,
          '*',
          'score_id',
          submitted.body.id,
          'user_id',
          all[0]!.id,
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expectAllAppliedExactlyOnce(all);
    const metrics = await waitFor(async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return /^scoreboard_events_processed_total 1$/m.test(text) ? text : undefined;
    });
    expect(metrics).toMatch(/^scoreboard_pending_scores 0$/m);
  });
});
