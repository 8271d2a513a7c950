import { decodeMember } from '../src/leaderboard/redis-leaderboard.store';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventShard, eventStreamName } from '../src/events/event-shards';
import { Reconciler } from '../src/processing/reconciler';
import { ApiClient } from './support/api-client';
import type { NodeProcess } from './support/processes';
import {
  REDIS_TOPOLOGIES,
  startTestRedis,
  type RedisTopology,
  type TestRedis,
} from './support/redis-cluster';
import {
  allScoresApplied,
  globalLeaderboardKeys,
  startTestApp,
  startWorkerProcess,
  type TestApp,
  type WorkerProcess,
} from './support/test-app';
import { waitFor, waitForProgress } from './support/wait-for';
import { DataSource } from 'typeorm';

/**
 * The distributed run: an API (in this process) and separate worker processes over one
 * PostgreSQL database and a private Redis that these tests stop, flush and restart: one Redis
 * server, then a three-master Redis Cluster.
 *
 * Nothing here waits a fixed time: work is awaited for as long as it makes progress (a busy
 * machine is slow, a stuck pipeline stalls), so the per-test limit is only a backstop.
 */
const TEST_TIMEOUT_MS = 15 * 60_000;
/** A worker process's start (Node.js, Nest, migrations) has no counter to watch; it gets this long. */
const WORKER_START_TIMEOUT_MS = 3 * 60_000;
let redis: TestRedis;
let app: TestApp;
let api: ApiClient;
const workers: NodeProcess[] = [];

const PIPELINE_ENV = {
  SWEEP_DELAY_MS: '1500',
  SWEEP_INTERVAL_MS: '200',
  WORKER_RETRY_BASE_MS: '50',
};

type Worker = WorkerProcess;

async function startWorker(env: Record<string, string> = {}): Promise<Worker> {
  const worker = await startWorkerProcess(
    app,
    { ...PIPELINE_ENV, ...env },
    { timeoutMs: WORKER_START_TIMEOUT_MS },
  );
  workers.push(worker);
  return worker;
}

/** The worker's counters, read from its GET /metrics. */
async function workerMetrics(worker: Worker): Promise<{ value(name: string): number }> {
  const response = await fetch(worker.metricsUrl);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}: ${text}`);
  return {
    value(name) {
      const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
      if (!match) throw new Error(`No ${name} in the worker's metrics`);
      return Number(match[1]);
    },
  };
}

type Player = { token: string; id: string; submitted: number[] };

/** Signs up `count` players, a few at a time (fixtures: no need to crowd the API's pool). */
async function players(count: number): Promise<Player[]> {
  const all: Player[] = [];
  while (all.length < count) {
    const batch = Math.min(8, count - all.length);
    const signed = await Promise.all(Array.from({ length: batch }, () => api.signup()));
    all.push(...signed.map(({ token, user }) => ({ token, id: user.id as string, submitted: [] })));
  }
  return all;
}

/**
 * Submits `total` scores spread over the players, `concurrency` at a time; records what was
 * accepted. Eight at a time keep the API and the workers busy on a 2-core machine without taking
 * more of PostgreSQL's connections than that.
 */
async function submitLoad(all: Player[], total: number, concurrency = 8): Promise<void> {
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

const allApplied = () => allScoresApplied(app);

async function expectAllAppliedExactlyOnce(all: Player[]): Promise<void> {
  await allApplied();
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
 * The global board's sorted set, once built, ranks every player exactly as PostgreSQL does: best
 * high score first, then who reached it first, then user id.
 */
async function expectRedisLeaderboardEqualsPostgres(): Promise<void> {
  const { zset, ready } = await globalLeaderboardKeys(app);
  await waitFor(() => redis.command((client) => client.exists(ready)), {
    timeoutMs: 60_000,
    what: 'the Redis leaderboard to be built',
  });
  const members = await redis.command((client) => client.zrange(zset, 0, -1));
  const inRedis = members.map((member) => {
    const standing = decodeMember(member);
    return [standing.userId, -Number(standing.rankScore)]; // global: higher is better
  });
  const expected = await app.sql<{ user_id: string; high_score: number }>(
    `SELECT user_id::text, high_score FROM user_high_scores
      ORDER BY high_score DESC, achieved_at, user_id`,
  );
  expect(inRedis).toEqual(expected.map((row) => [row.user_id, row.high_score]));
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
    { timeoutMs: 60_000, what: 'the stream to deliver a new score' },
  );
}

/**
 * The hooks of a describe block: a private Redis of the topology, an API instance over it (the
 * workers are started by the tests, and SIGKILLed after each).
 */
function useApiOver(topology: RedisTopology, label: string, env: Record<string, string> = {}) {
  beforeAll(async () => {
    redis = await startTestRedis(topology);
    app = await startTestApp(label, {
      ROLE: 'api',
      ...redis.env,
      REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
      ...PIPELINE_ENV,
      ...env,
      LOG_LEVEL: 'error',
    });
    api = new ApiClient(app.baseUrl);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGKILL')));
  });
  afterAll(async () => {
    await app.close();
    await redis.destroy();
  });
}

describe.each(REDIS_TOPOLOGIES)(
  'the Redis Streams pipeline on %s',
  { timeout: TEST_TIMEOUT_MS },
  (topology) => {
    useApiOver(topology, 'pipeline_redis');

    it('applies 5,000 events for 100 users with 3 workers at once, exactly as reconcile recomputes', async () => {
      const all = await players(100);
      await Promise.all([startWorker(), startWorker(), startWorker()]);
      await submitLoad(all, 5000);
      await expectAllAppliedExactlyOnce(all);
      const [row] = await app.sql<{ n: string }>('SELECT sum(total_scores) AS n FROM user_stats');
      expect(Number(row!.n)).toBeGreaterThanOrEqual(5000);
      await expectRedisLeaderboardEqualsPostgres();
    });

    it('applies every score exactly once when a worker is SIGKILLed mid-load and started again', async () => {
      const all = await players(20);
      const doomed = await startWorker();
      const load = submitLoad(all, 1500);
      await waitForProgress(
        async () => {
          const [row] = await app.sql<{ n: string }>(
            'SELECT count(*) AS n FROM scores WHERE applied_at IS NOT NULL AND user_id = ANY($1::bigint[])',
            [all.map((p) => p.id)],
          );
          return { done: Number(row!.n) > 300, count: Number(row!.n) };
        },
        { what: 'the first worker to apply 300 scores', counter: 'applied scores' },
      );
      await doomed.stop('SIGKILL');
      await startWorker();
      await load;
      await expectAllAppliedExactlyOnce(all);
    });

    it('applies every score exactly once when Redis loses everything mid-load (FLUSHALL), without restarting the worker', async () => {
      const all = await players(20);
      const worker = await startWorker();
      const load = submitLoad(all, 1500);
      await waitForProgress(
        () => {
          const submitted = all.reduce((n, p) => n + p.submitted.length, 0);
          return { done: submitted > 500, count: submitted };
        },
        { what: '500 scores to be submitted', counter: 'submitted scores' },
      );
      await redis.flushAll();
      await load;
      await expectAllAppliedExactlyOnce(all);
      expect(worker.child.exitCode).toBeNull();
      // The stream and its consumer group were recreated: new events flow again.
      await expectStreamDelivers(all[0]!);
      await expectAllAppliedExactlyOnce(all);
    });

    it('accepts and applies scores while Redis is stopped, and reads the stream again once it is back, without restarting anything', async () => {
      const all = await players(10);
      const worker = await startWorker();
      await submitLoad(all, 200);
      await redis.stop();
      // Accepting scores needs PostgreSQL alone: the API stays ready and reports Redis down.
      const whileDown = await api.request('GET', '/api/health/ready');
      expect(whileDown.status).toBe(200);
      expect(whileDown.body.checks).toEqual({ database: 'up', migrations: 'up', redis: 'down' });
      // Reads that Redis serves fall back to PostgreSQL meanwhile.
      expect((await api.request('GET', '/api/leaderboard')).status).toBe(200);
      expect(
        (await api.request('GET', '/api/leaderboard/me', { token: all[0]!.token })).status,
      ).toBe(200);
      await submitLoad(all, 300);
      // Redis stays down until the scores accepted meanwhile, whose events could not be published,
      // have all been applied from PostgreSQL (the sweeper): longer than SWEEP_DELAY_MS.
      await expectAllAppliedExactlyOnce(all);
      expect((await api.request('GET', '/api/health/ready')).body.checks.redis).toBe('down');
      await redis.start();
      await submitLoad(all, 200);
      await expectAllAppliedExactlyOnce(all);
      expect(worker.child.exitCode).toBeNull();
      await expectStreamDelivers(all[0]!);
      await expectAllAppliedExactlyOnce(all);
      const health = await api.request('GET', '/api/health/ready');
      expect(health.status).toBe(200);
      expect(health.body.checks.redis).toBe('up');
    });

    it('counts an event delivered many times once, as the worker’s own metrics show', async () => {
      const all = await players(1);
      // One event per read, so that each copy is a delivery of its own (copies read together in one
      // batch are merged before they reach PostgreSQL).
      const worker = await startWorker({ WORKER_BATCH_SIZE: '1' });
      const submitted = await api.submitScore(all[0]!.token, 33, randomUUID());
      all[0]!.submitted.push(33);
      await allApplied();
      await redis.command(async (client) => {
        for (let i = 0; i < 10; i++) {
          await client.xadd(
            `${app.config.redisKeyPrefix}score-events`,
            '*',
            'score_id',
            submitted.body.id,
            'user_id',
            all[0]!.id,
          );
        }
      });
      // Every copy was read and found already applied: the worker counts it as a duplicate.
      await waitForProgress(
        async () => {
          const duplicates = (await workerMetrics(worker)).value(
            'scoreboard_events_duplicate_total',
          );
          return { done: duplicates >= 10, count: duplicates };
        },
        { what: 'the worker to read the 10 copies', counter: 'scoreboard_events_duplicate_total' },
      );
      const metrics = await workerMetrics(worker);
      expect(metrics.value('scoreboard_events_processed_total')).toBe(1);
      expect(metrics.value('scoreboard_pending_scores')).toBe(0);
      await expectAllAppliedExactlyOnce(all);
    });
  },
);

const SHARDS = 3;
/**
 * Sharded runs leave the sweeper out (it would apply, from PostgreSQL, whatever the streams
 * failed to deliver, and hide it): only the streams, and the claiming of a dead worker's events,
 * deliver within the test.
 */
const SHARDED_ENV = {
  EVENT_SHARDS: String(SHARDS),
  SWEEP_DELAY_MS: '600000',
  WORKER_CLAIM_IDLE_MS: '2000',
};

type OrderedPlayer = Player & { scoreIds: string[] };

/**
 * Submits `rounds` scores per player, one round after another: within a round every player sends
 * one score (eight requests at a time), so each player's scores are accepted one after the other,
 * in a known order.
 */
async function submitInRounds(all: OrderedPlayer[], rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < all.length) {
          const index = next++;
          const player = all[index]!;
          const value = (round * 7919 + index * 31) % 101;
          const response = await api.submitScore(player.token, value, randomUUID());
          expect(response.status).toBe(201);
          player.submitted.push(value);
          player.scoreIds.push(String(response.body.id));
        }
      }),
    );
  }
}

/** Each shard's stream, as score ids by user in stream order. */
async function shardContents(): Promise<Array<Map<string, string[]>>> {
  return Promise.all(
    Array.from({ length: SHARDS }, async (_, shard) => {
      const entries = await redis.command((client) =>
        client.xrange(app.config.redisKeyPrefix + eventStreamName(shard, SHARDS), '-', '+'),
      );
      const byUser = new Map<string, string[]>();
      for (const [, fields] of entries) {
        const value = (name: string) => fields[fields.indexOf(name) + 1]!;
        byUser.set(value('user_id'), [...(byUser.get(value('user_id')) ?? []), value('score_id')]);
      }
      return byUser;
    }),
  );
}

/**
 * Every player's events went to the player's shard alone, each once, in the order the player's
 * scores were accepted; and every shard got some.
 */
async function expectEachUserInOneShardInOrder(all: OrderedPlayer[]): Promise<void> {
  const shards = await shardContents();
  for (const player of all) {
    const home = eventShard(player.id, SHARDS);
    shards.forEach((byUser, shard) =>
      expect(byUser.get(player.id) ?? []).toEqual(shard === home ? player.scoreIds : []),
    );
  }
  for (const byUser of shards) {
    expect(all.filter((player) => byUser.has(player.id)).length).toBeGreaterThan(0);
  }
}

async function orderedPlayers(count: number): Promise<OrderedPlayer[]> {
  return (await players(count)).map((player) => ({ ...player, scoreIds: [] }));
}

describe.each(REDIS_TOPOLOGIES)(
  'score events over %s split into three shards (EVENT_SHARDS=3)',
  { timeout: TEST_TIMEOUT_MS },
  (topology) => {
    const startShardedWorker = () => startWorker(SHARDED_ENV);

    useApiOver(topology, 'pipeline_shards', SHARDED_ENV);

    it('applies 5,000 events for 100 users with 3 workers, each user’s events in one shard, in order', async () => {
      const all = await orderedPlayers(100);
      // Read before any worker runs: a processed event is deleted from its stream. (So the
      // sweeper may take the scores that came due meanwhile: no count of sweeps is expected.)
      await submitInRounds(all, 50);
      await expectEachUserInOneShardInOrder(all);
      await Promise.all([startShardedWorker(), startShardedWorker(), startShardedWorker()]);
      await expectAllAppliedExactlyOnce(all);
      await waitFor(async () => (await shardContents()).every((byUser) => byUser.size === 0), {
        what: 'every processed event to be deleted from its stream',
      });
      await expectRedisLeaderboardEqualsPostgres();
    });

    it('keeps each shard in a stream of its own, on a cluster each on a master of its own', async () => {
      const streams = Array.from(
        { length: SHARDS },
        (_, shard) => app.config.redisKeyPrefix + eventStreamName(shard, SHARDS),
      );
      for (const stream of streams) {
        expect(await redis.command((client) => client.exists(stream))).toBe(1);
      }
      if (topology !== 'cluster') return;
      const masters = await redis.command(async (client) => {
        const ranges = (await client.call('CLUSTER', 'SLOTS')) as Array<
          [from: number, to: number, master: [host: string, port: number]]
        >;
        return Promise.all(
          streams.map(async (stream) => {
            const slot = Number(await client.call('CLUSTER', 'KEYSLOT', stream));
            const [, , [host, port]] = ranges.find(([from, to]) => slot >= from && slot <= to)!;
            return `${host}:${port}`;
          }),
        );
      });
      expect(new Set(masters).size).toBe(SHARDS);
    });

    it('applies every score exactly once when a worker is SIGKILLed mid-load, its events claimed on every shard', async () => {
      const all = await orderedPlayers(30);
      const doomed = await startShardedWorker();
      const survivor = await startShardedWorker();
      const load = submitInRounds(all, 50);
      await waitForProgress(
        async () => {
          const [row] = await app.sql<{ n: string }>(
            'SELECT count(*) AS n FROM scores WHERE applied_at IS NOT NULL AND user_id = ANY($1::bigint[])',
            [all.map((p) => p.id)],
          );
          return { done: Number(row!.n) > 300, count: Number(row!.n) };
        },
        { what: 'the workers to apply 300 scores', counter: 'applied scores' },
      );
      await doomed.stop('SIGKILL');
      await load;
      await expectAllAppliedExactlyOnce(all);
      // The dead worker's events were claimed, applied and deleted: the shards end empty (their
      // order is checked in the test above, read before any worker runs).
      await waitFor(async () => (await shardContents()).every((byUser) => byUser.size === 0), {
        what: 'every processed event to leave the shards',
      });
      expect((await workerMetrics(survivor)).value('scoreboard_events_swept_total')).toBe(0);
    });

    it('applies from PostgreSQL the scores whose events sit in shards no worker reads (EVENT_SHARDS changed)', async () => {
      const all = await orderedPlayers(10);
      // A worker still at one shard reads only the single stream: the shards' events stay unread.
      const worker = await startWorker({ EVENT_SHARDS: '1' });
      await submitInRounds(all, 20);
      const ids = all.flatMap((player) => player.scoreIds);
      // Their sweep delay (the API's SWEEP_DELAY_MS) runs out now.
      await app.sql('UPDATE scores SET retry_at = now() WHERE id = ANY($1::bigint[])', [ids]);
      await expectAllAppliedExactlyOnce(all);
      await expectEachUserInOneShardInOrder(all);
      expect(
        (await workerMetrics(worker)).value('scoreboard_events_swept_total'),
      ).toBeGreaterThanOrEqual(ids.length);
    });
  },
);
