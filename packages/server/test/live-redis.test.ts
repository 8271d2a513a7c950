import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveUpdatesService } from '../src/live/live-updates.service';
import { StreamAdmission } from '../src/live/stream-admission';
import { UpdatesBus, type Update } from '../src/live/updates-bus';
import { ApiClient } from './support/api-client';
import { EventStreamClient } from './support/event-stream';
import type { NodeProcess } from './support/processes';
import { REDIS_TOPOLOGIES, startTestRedis, type TestRedis } from './support/redis-cluster';
import {
  allScoresApplied,
  globalLeaderboardKeys,
  startTestApp,
  startWorkerProcess,
  type TestApp,
} from './support/test-app';
import { waitFor } from './support/wait-for';

/**
 * Two API instances and one worker process over one database and a private Redis, as behind a
 * load balancer: one Redis server, then a three-master Redis Cluster.
 */
let redis: TestRedis;
let first: TestApp;
let second: TestApp;
let worker: NodeProcess;
let api1: ApiClient;
let api2: ApiClient;

/** The waits below last as long as work makes progress: the per-test limit is a backstop. */
const TEST_TIMEOUT_MS = 5 * 60_000;
/** Two apps and a worker process to start on a possibly busy machine. */
const START_TIMEOUT_MS = 4 * 60_000;

const settled = () => allScoresApplied(first);

async function expectLeaderboardMatchesPostgres(api: ApiClient): Promise<void> {
  const expected = await first.sql<{ user_id: string; high_score: number; achieved_at: Date }>(
    `SELECT h.user_id::text, h.high_score, h.achieved_at FROM user_high_scores h
      ORDER BY h.high_score DESC, h.achieved_at, h.user_id`,
  );
  const page = await api.request('GET', '/api/leaderboard?limit=100');
  expect(page.body.total_players).toBe(expected.length);
  expect(
    page.body.items.map((item: any) => [
      item.rank,
      item.user_id,
      item.high_score,
      item.achieved_at,
    ]),
  ).toEqual(
    expected
      .slice(0, 100)
      .map((row, i) => [i + 1, row.user_id, row.high_score, row.achieved_at.toISOString()]),
  );
}

const redisLeaderboardReady = async () => {
  const { ready } = await globalLeaderboardKeys(first);
  await waitFor(() => redis.command((client) => client.exists(ready)), {
    timeoutMs: 60_000,
    what: 'the Redis leaderboard to be built',
  });
};

describe.each(REDIS_TOPOLOGIES)('two API instances and a worker over %s', (topology) => {
  beforeAll(async () => {
    redis = await startTestRedis(topology);
    const env = {
      ROLE: 'api',
      ...redis.env,
      REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
      LOG_LEVEL: 'error',
    };
    first = await startTestApp('live_redis', env);
    second = await startTestApp('live_redis', env, first);
    api1 = new ApiClient(first.baseUrl);
    api2 = new ApiClient(second.baseUrl);
    worker = await startWorkerProcess(first, {}, { timeoutMs: START_TIMEOUT_MS });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await worker.stop();
    await second.close();
    await first.close();
    await redis.destroy();
  });

  describe('live updates across instances', { timeout: TEST_TIMEOUT_MS }, () => {
    it('sends a client streaming from instance 1 its stats after it submits through instance 2', async () => {
      const { token, user } = await api1.signup();
      await redisLeaderboardReady();
      const stream = await EventStreamClient.open(first.baseUrl, token);
      try {
        expect(stream.status).toBe(200);
        await stream.next('stats', (data) => data.total_scores === 0);
        const submitted = await api2.submitScore(token, 77);
        expect(submitted.status).toBe(201);
        const event = await stream.next('stats', (data) => data.total_scores === 1);
        expect(event.data).toEqual({
          user_id: user.id,
          total_scores: 1,
          average: 77,
          high_score: 77,
          pending_scores: 0,
          updated_at: expect.any(String),
        });
        // A client that reads after the event sees at least that state.
        const stats = await api1.request('GET', '/api/me/stats', { token });
        expect(stats.body.total_scores).toBe(1);
        const top = await stream.next('leaderboard', (data) =>
          data.items.some((i: any) => i.user_id === user.id),
        );
        expect(top.data.items.length).toBeLessThanOrEqual(10);
      } finally {
        await stream.close();
      }
    });

    it('delivers a player’s updates only to the instances where one of their streams is open', async () => {
      const [watched, unwatched] = await Promise.all([api1.signup(), api1.signup()]);
      const seen: Update[] = [];
      const stopListening = second.app.get(UpdatesBus).subscribe((update) => seen.push(update));
      const here = await EventStreamClient.open(first.baseUrl, unwatched.token);
      const there = await EventStreamClient.open(second.baseUrl, watched.token);
      try {
        await Promise.all([here.next('stats'), there.next('stats')]);
        // The unwatched player's score reaches instance 1 (their stream), not instance 2.
        expect((await api2.submitScore(unwatched.token, 5)).status).toBe(201);
        await here.next('stats', (data) => data.total_scores === 1);
        // Published after it, on the same Redis: once instance 2 has this, it had the other.
        expect((await api1.submitScore(watched.token, 6)).status).toBe(201);
        await there.next('stats', (data) => data.total_scores === 1);
        const about = (userId: string) =>
          seen.filter((update) => 'userId' in update && update.userId === userId);
        expect(about(watched.user.id).length).toBeGreaterThan(0);
        expect(about(unwatched.user.id)).toEqual([]);
      } finally {
        stopListening();
        await Promise.all([here.close(), there.close()]);
      }
    });

    it('reports Redis in the readiness checks', async () => {
      const ready = await api1.request('GET', '/api/health/ready');
      expect(ready.body).toEqual({
        status: 'ok',
        checks: { database: 'up', migrations: 'up', redis: 'up' },
      });
    });

    it('refuses a stream without a valid token', async () => {
      const response = await fetch(`${first.baseUrl}/api/stream`);
      expect(response.status).toBe(401);
      await response.body?.cancel();
    });

    it('leaves no connection, listener or stream lease behind after 1,000 connect/disconnect cycles', async () => {
      // 20 streams at a time, one per player: a player may have only STREAM_MAX_PER_USER (5) open.
      const players = await Promise.all(Array.from({ length: 20 }, () => api1.signup()));
      const live = first.app.get(LiveUpdatesService);
      const admission = first.app.get(StreamAdmission);
      const bus = first.app.get(UpdatesBus) as unknown as UpdatesBus & { listeners: Set<unknown> };
      const listenersBefore = bus.listeners.size;
      const watchedBefore = bus.watchedPlayers;
      for (let i = 0; i < 1000; i += 20) {
        const streams = await Promise.all(
          players.map((player) => EventStreamClient.open(first.baseUrl, player.token)),
        );
        await Promise.all(streams.map((stream) => stream.next('stats')));
        await Promise.all(streams.map((stream) => stream.close()));
      }
      await waitFor(() => live.connectionCount === 0 && admission.openStreams === 0, {
        what: 'every stream to be released',
      });
      expect(bus.listeners.size).toBe(listenersBefore);
      expect(bus.watchedPlayers).toBe(watchedBefore);
      expect(first.app.getHttpServer().listenerCount('request')).toBe(1);
      const leaseKeys = players.map(
        (p) => `${first.config.redisKeyPrefix}stream-leases:${p.user.id}`,
      );
      // One key at a time: on a cluster, the users' keys live in different slots.
      const leasesLeft = () =>
        redis.command(async (client) => {
          const found = await Promise.all(leaseKeys.map((key) => client.exists(key)));
          return found.reduce((sum, n) => sum + n, 0);
        });
      await waitFor(async () => (await leasesLeft()) === 0, {
        what: 'every stream lease to be deleted from Redis',
      });
    });
  });

  describe('the Redis leaderboard', { timeout: TEST_TIMEOUT_MS }, () => {
    it('equals the ranking recomputed from user_high_scores after random load, on both instances', async () => {
      const players = await Promise.all(Array.from({ length: 25 }, () => api1.signup()));
      await Promise.all(
        players.flatMap((player, i) =>
          Array.from({ length: 4 }, (_, j) =>
            (j % 2 ? api1 : api2).submitScore(player.token, (i * 17 + j * 31) % 101),
          ),
        ),
      );
      await settled();
      await redisLeaderboardReady();
      await expectLeaderboardMatchesPostgres(api1);
      await expectLeaderboardMatchesPostgres(api2);
    });

    it('orders ties by the time the high score was reached, then by user id', async () => {
      const a = await api1.signup();
      const b = await api1.signup();
      const c = await api1.signup();
      await api1.submitScore(b.token, 100);
      await settled();
      await api1.submitScore(a.token, 100);
      await api1.submitScore(c.token, 100);
      await settled();
      // c and a reached 100 at the same microsecond: the user id decides.
      await first.sql(
        `UPDATE user_stats SET best_at = (SELECT best_at FROM user_stats
                                           WHERE user_id = $1 AND board_id = 'global')
          WHERE user_id = $2 AND board_id = 'global'`,
        [a.user.id, c.user.id],
      );
      const { ready } = await globalLeaderboardKeys(first);
      await redis.command((client) => client.del(ready));
      await redisLeaderboardReady();
      await expectLeaderboardMatchesPostgres(api1);
      const hundred = (await api1.request('GET', '/api/leaderboard?limit=100')).body.items
        .filter((item: any) => [a.user.id, b.user.id, c.user.id].includes(item.user_id))
        .map((item: any) => item.user_id);
      expect(hundred).toEqual([b.user.id, a.user.id, c.user.id]);
    });

    it('is rebuilt from PostgreSQL after Redis loses everything, and answers correctly meanwhile', async () => {
      const { token, user } = await api1.signup();
      await api1.submitScore(token, 64);
      await settled();
      await redis.flushAll();
      // Until the worker has rebuilt it, answers come from PostgreSQL.
      await expectLeaderboardMatchesPostgres(api2);
      await redisLeaderboardReady();
      await expectLeaderboardMatchesPostgres(api1);
      const mine = await api2.request('GET', '/api/leaderboard/me?radius=1', { token });
      expect(mine.body.items.find((item: any) => item.rank === mine.body.rank).user_id).toBe(
        user.id,
      );
    });
  });
});
