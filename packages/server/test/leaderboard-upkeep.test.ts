import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/app-config';
import { PostgresLeaderboardStore } from '../src/leaderboard/postgres-leaderboard.store';
import { RedisLeaderboardStore } from '../src/leaderboard/redis-leaderboard.store';
import { STALE_CHANGE_MS } from '../src/processing/leaderboard-maintainer';
import { RedisClients } from '../src/redis/redis-clients';
import { ApiClient } from './support/api-client';
import type { NodeProcess } from './support/processes';
import { REDIS_TOPOLOGIES, startTestRedis, type TestRedis } from './support/redis-cluster';
import {
  globalLeaderboardKeys,
  startTestApp,
  startWorkerProcess,
  type TestApp,
} from './support/test-app';
import { waitFor } from './support/wait-for';

/**
 * Keeping the Redis leaderboard equal to PostgreSQL when the worker that should record a standing
 * cannot (Redis refuses writes) and then dies: the standing's outbox row outlives it. Over one
 * Redis server, then a three-master Redis Cluster.
 */
let redis: TestRedis;
let app: TestApp;
let api: ApiClient;
const workers: NodeProcess[] = [];

async function startWorker(): Promise<NodeProcess> {
  const worker = await startWorkerProcess(app, { SWEEP_DELAY_MS: '500', SWEEP_INTERVAL_MS: '200' });
  workers.push(worker);
  return worker;
}

/** The player's high score as the Redis leaderboard answers it (null before it holds one). */
async function highScoreInRedis(userId: string): Promise<number | null> {
  const keys = await globalLeaderboardKeys(app);
  const ready = await redis.command((client) => client.exists(keys.ready));
  if (!ready) return null;
  const page = await api.request('GET', '/api/leaderboard?limit=100');
  return page.body.items.find((item: any) => item.user_id === userId)?.high_score ?? null;
}

describe.each(REDIS_TOPOLOGIES)('the leaderboard upkeep over %s', (topology) => {
  beforeAll(async () => {
    redis = await startTestRedis(topology);
    app = await startTestApp('leaderboard_upkeep', {
      ROLE: 'api',
      ...redis.env,
      REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
      SWEEP_DELAY_MS: '500',
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

  describe('the leaderboard outbox', () => {
    it('brings Redis up to date after a worker committed a standing, failed to record it and died', async () => {
      const worker = await startWorker();
      const { token, user } = await api.signup();
      expect((await api.submitScore(token, 40)).status).toBe(201);
      await waitFor(async () => (await highScoreInRedis(user.id)) === 40, {
        what: 'the first standing in Redis',
      });
      expect((await app.sql('SELECT id FROM leaderboard_changes')).length).toBe(0);

      // Redis takes no writes for a while: the worker commits the new standing, cannot record it...
      await redis.onEveryNode((client) => client.call('CLIENT', 'PAUSE', '15000', 'WRITE'));
      try {
        expect((await api.submitScore(token, 90)).status).toBe(201);
        await waitFor(
          async () =>
            (
              await app.sql<{ n: number }>(
                `SELECT count(*)::int AS n FROM leaderboard_changes c
                 JOIN user_stats s USING (user_id) WHERE s.user_id = $1 AND s.high_score = 90`,
                [user.id],
              )
            )[0]!.n === 1,
          { what: 'the new standing and its outbox row to be committed' },
        );
        // ...and dies before anything retried it.
        await worker.stop('SIGKILL');
      } finally {
        await redis.onEveryNode((client) => client.call('CLIENT', 'UNPAUSE'));
      }
      expect(await highScoreInRedis(user.id)).toBe(40);

      // Any worker's upkeep records outbox rows older than STALE_CHANGE_MS, every second.
      await startWorker();
      await waitFor(async () => (await highScoreInRedis(user.id)) === 90, {
        timeoutMs: STALE_CHANGE_MS + 60_000,
        what: 'the Redis leaderboard to learn the standing the dead worker left behind',
      });
      await waitFor(
        async () => (await app.sql('SELECT id FROM leaderboard_changes')).length === 0,
        {
          what: 'the outbox to be emptied',
        },
      );
    });
  });

  describe('the Redis store', () => {
    const period = { boardId: 'test', periodId: '1' };
    const store = async () => {
      const config = loadConfig({
        DATABASE_URL: app.config.databaseUrl!,
        ...redis.env,
        REDIS_KEY_PREFIX: `store-${randomUUID()}:`,
        DATA_DIR: app.config.dataDir,
      });
      const clients = new RedisClients(config);
      await clients.onModuleInit();
      const dataSource = app.app.get(DataSource);
      return {
        clients,
        store: new RedisLeaderboardStore(clients, new PostgresLeaderboardStore(dataSource)),
      };
    };

    it('releases the rebuild lock when a rebuild fails, so the next one can run', async () => {
      const { clients, store: leaderboard } = await store();
      try {
        await expect(
          leaderboard.rebuild(
            period,
            async () => {
              throw new Error('PostgreSQL went away');
            },
            null,
          ),
        ).rejects.toThrow('PostgreSQL went away');
        const lock = clients.key('{board:test}:period:1:standings:rebuild:lock');
        expect(await clients.commands.exists(lock)).toBe(0);
        const standing = {
          ...period,
          userId: '7',
          rankScore: '-12',
          achievedAtMicros: '1000',
          version: '1',
          ranked: true,
        };
        const rebuilt = await leaderboard.rebuild(
          period,
          async (after) => (after === '0' ? [standing] : []),
          null,
        );
        expect(rebuilt).toBe(true);
        expect(await leaderboard.status(period)).toEqual({ ready: true, size: 1 });
      } finally {
        await clients.onApplicationShutdown();
      }
    });

    it('sends each script whole once and calls it by its SHA from then on', async () => {
      const { clients, store: leaderboard } = await store();
      try {
        await redis.onEveryNode((client) => client.config('RESETSTAT'));
        for (let i = 1; i <= 20; i++) {
          await leaderboard.record([
            {
              ...period,
              userId: String(i),
              rankScore: String(-i),
              achievedAtMicros: '1000',
              version: '1',
              ranked: true,
            },
          ]);
        }
        // On a cluster, summed over the masters (this period's keys all live on one of them).
        const stats = await redis.onEveryNode((client) => client.info('commandstats'));
        const calls = (command: string) =>
          stats
            .map((info) => new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0)
            .reduce((sum: number, n) => sum + Number(n), 0);
        // ioredis may send the script whole on its first use on a connection, never again.
        expect(calls('eval')).toBeLessThanOrEqual(1);
        expect(calls('evalsha') + calls('eval')).toBeGreaterThanOrEqual(20);
      } finally {
        await clients.onApplicationShutdown();
      }
    });
  });
});
