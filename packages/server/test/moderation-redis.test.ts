import { decodeMember } from '../src/leaderboard/redis-leaderboard.store';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresLeaderboardStore } from '../src/leaderboard/postgres-leaderboard.store';
import { RedisLeaderboardStore } from '../src/leaderboard/redis-leaderboard.store';
import { RedisClients } from '../src/redis/redis-clients';
import { makeAdmin, runCli } from './support/cli';
import { ApiClient } from './support/api-client';
import { EventStreamClient } from './support/event-stream';
import { REDIS_TOPOLOGIES, startTestRedis, type TestRedis } from './support/redis-cluster';
import { allScoresApplied, startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

/**
 * Moderation with the Redis leaderboards (one process, ROLE=all, over a private Redis): bans,
 * removals and deletions reach the sorted sets, whatever order the writes arrive in, and a ban, a
 * removal and new submissions of one player at once leave every standing equal to its
 * recomputation. Over one Redis server, then a three-master Redis Cluster (whose boards' keys
 * spread over its nodes).
 */
let redis: TestRedis;
let app: TestApp;
let api: ApiClient;
let admin: { token: string; email: string; user: { id: string } };

const TEST_TIMEOUT_MS = 4 * 60_000;

async function createBoard(body: Record<string, unknown> = {}): Promise<string> {
  const id = `r-${randomUUID().slice(0, 8)}`;
  const created = await api.request('POST', '/api/admin/boards', {
    token: admin.token,
    body: { id, name: id, ...body },
  });
  expect(created.status).toBe(201);
  return id;
}

const submit = (token: string, board: string, value: number) =>
  api.request('POST', '/api/scores', {
    token,
    body: { value, idempotency_key: randomUUID(), board },
  });

/** The board's current period and the Redis keys of its ranking. */
async function rankingKeys(board: string) {
  const [period] = await app.sql<{ id: string }>(
    `SELECT id::text FROM board_periods WHERE board_id = $1 ORDER BY starts_at DESC LIMIT 1`,
    [board],
  );
  const zset = `${app.config.redisKeyPrefix}{board:${board}}:period:${period!.id}:standings`;
  return { periodId: period!.id, zset, ready: `${zset}:ready` };
}

/** The user ids of Redis' sorted set, in its order (the set must be built). */
async function redisOrder(board: string): Promise<string[]> {
  const { zset, ready } = await rankingKeys(board);
  await waitFor(() => redis.command((client) => client.exists(ready)), {
    what: `the Redis ranking of ${board} to be built`,
  });
  const members = await redis.command((client) => client.zrange(zset, 0, -1));
  return members.map((member) => decodeMember(member).userId);
}

/** PostgreSQL's ranking of the board's current period: its ranked standings in order. */
async function postgresOrder(board: string): Promise<string[]> {
  const { periodId } = await rankingKeys(board);
  const rows = await app.sql<{ user_id: string }>(
    `SELECT s.user_id::text AS user_id FROM user_stats s WHERE s.period_id = $1 AND s.ranked
      ORDER BY s.rank_score, s.achieved_at, s.user_id`,
    [periodId],
  );
  return rows.map((row) => row.user_id);
}

/** Redis ends up equal to PostgreSQL (within the leaderboard upkeep's few seconds). */
async function expectRedisEqualsPostgres(board: string): Promise<string[]> {
  const expected = await postgresOrder(board);
  await waitFor(async () => JSON.stringify(await redisOrder(board)) === JSON.stringify(expected), {
    what: `Redis' ranking of ${board} to equal PostgreSQL's`,
    timeoutMs: 30_000,
  });
  return expected;
}

/** How long a deleted account's tombstone stays in a ranking here (LEADERBOARD_TOMBSTONE_TTL_MS). */
const TOMBSTONE_TTL_MS = 1500;

/** One Redis key of the app's and all it holds. */
type StoredKey = {
  key: string;
  type: string;
  ttlMs: number;
  /** Hash fields, set and sorted-set members, list items. */
  names: string[];
  /** Hash values, the string's value, stream entries' fields and values. */
  values: string[];
  /** A stream's entries, as field -> value. */
  entries: Array<Record<string, string>>;
};

/** Every key under the app's prefix, on every master, with all it holds. */
async function redisContents(): Promise<StoredKey[]> {
  const perNode = await redis.onEveryNode(async (client) => {
    const [role] = (await client.call('ROLE')) as [string];
    if (role !== 'master') return [];
    const keys = await client.keys(`${app.config.redisKeyPrefix}*`);
    return Promise.all(keys.map((key) => readKey(client, key)));
  });
  return perNode.flat();
}

async function readKey(
  client: Parameters<Parameters<TestRedis['onEveryNode']>[0]>[0],
  key: string,
): Promise<StoredKey> {
  const type = await client.type(key);
  const ttlMs = await client.pttl(key);
  const stored: StoredKey = { key, type, ttlMs, names: [], values: [], entries: [] };
  if (type === 'string') stored.values.push((await client.get(key)) ?? '');
  if (type === 'hash') {
    const hash = await client.hgetall(key);
    stored.names.push(...Object.keys(hash));
    stored.values.push(...Object.values(hash));
  }
  if (type === 'zset') stored.names.push(...(await client.zrange(key, 0, -1)));
  if (type === 'set') stored.names.push(...(await client.smembers(key)));
  if (type === 'list') stored.names.push(...(await client.lrange(key, 0, -1)));
  if (type === 'stream') {
    for (const [, fields] of await client.xrange(key, '-', '+')) {
      const entry: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) entry[fields[i]!] = fields[i + 1]!;
      stored.entries.push(entry);
      stored.values.push(...fields);
    }
  }
  return stored;
}

/** Where the user still appears: by id (a field, a member, a stream entry), score or email. */
function tracesOf(
  contents: StoredKey[],
  user: { id: string; email: string; scoreIds: string[] },
): string[] {
  const padded = `:${user.id.padStart(19, '0')}`;
  const traces: string[] = [];
  for (const stored of contents) {
    const everything = [stored.key, ...stored.names, ...stored.values];
    if (everything.some((text) => text.includes(user.email))) traces.push(`${stored.key}: email`);
    if (stored.key.endsWith(`:${user.id}`)) traces.push(`${stored.key}: key name`);
    if (stored.names.some((name) => name === user.id || name.endsWith(padded))) {
      traces.push(`${stored.key}: ${stored.type} member or field`);
    }
    for (const entry of stored.entries) {
      if (entry.user_id === user.id || user.scoreIds.includes(entry.score_id ?? '')) {
        traces.push(`${stored.key}: stream entry`);
      }
    }
  }
  return traces;
}

describe.each(REDIS_TOPOLOGIES)('moderation over %s', (topology) => {
  beforeAll(async () => {
    redis = await startTestRedis(topology);
    app = await startTestApp('moderation_redis', {
      ...redis.env,
      REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
      WORKER_BATCH_SIZE: '5',
      SWEEP_DELAY_MS: '500',
      LEADERBOARD_TOMBSTONE_TTL_MS: String(TOMBSTONE_TTL_MS),
      LOG_LEVEL: 'error',
    });
    api = new ApiClient(app.baseUrl);
    admin = await api.signup();
    await makeAdmin(app, admin.email);
  });
  afterAll(async () => {
    await app?.close();
    await redis?.destroy();
  });

  describe('the Redis leaderboards', () => {
    it('follow a ban, an unban, a removal and a deletion, with live leaderboard events', async () => {
      const board = await createBoard();
      const players = await Promise.all([1, 2, 3, 4].map(() => api.signup()));
      const values = [60, 80, 70, 50];
      const accepted = await Promise.all(players.map((p, i) => submit(p.token, board, values[i]!)));
      await allScoresApplied(app);
      const ids = players.map((p) => p.user.id);
      expect(await expectRedisEqualsPostgres(board)).toEqual([ids[1], ids[2], ids[0], ids[3]]);

      const watcher = await EventStreamClient.open(app.baseUrl, admin.token, `?boards=${board}`);
      const ban = await api.request('POST', `/api/admin/users/${ids[1]}/ban`, {
        token: admin.token,
        body: { reason: 'bot' },
      });
      expect(ban.status).toBe(200);
      const pushed = await watcher.next(
        'leaderboard',
        (data) => data.board === board && data.items[0]?.user_id === ids[2],
      );
      expect(pushed.data.total_players).toBe(3);
      expect(await expectRedisEqualsPostgres(board)).toEqual([ids[2], ids[0], ids[3]]);
      const page = await api.request('GET', `/api/boards/${board}/leaderboard`);
      expect(page.body.items.map((e: { rank: number }) => e.rank)).toEqual([1, 2, 3]);
      expect(page.body.total_players).toBe(3);

      const removed = await api.request('DELETE', `/api/admin/scores/${accepted[2]!.body.id}`, {
        token: admin.token,
        body: { reason: 'glitch' },
      });
      expect(removed.status).toBe(204);
      expect(await expectRedisEqualsPostgres(board)).toEqual([ids[0], ids[3]]);

      expect(
        (await api.request('POST', `/api/admin/users/${ids[1]}/unban`, { token: admin.token }))
          .status,
      ).toBe(200);
      expect(await expectRedisEqualsPostgres(board)).toEqual([ids[1], ids[0], ids[3]]);

      const deleted = await api.request('DELETE', `/api/admin/users/${ids[0]}`, {
        token: admin.token,
      });
      expect(deleted.status).toBe(204);
      expect(await expectRedisEqualsPostgres(board)).toEqual([ids[1], ids[3]]);
      const me = await api.request('GET', `/api/boards/${board}/leaderboard/me`, {
        token: players[3]!.token,
      });
      expect(me.body.rank).toBe(2);
      await watcher.close();
    });

    it('keep nothing of a deleted account: no field, member or stream entry names it, and its tombstones expire', async () => {
      const board = await createBoard();
      const player = await api.signup();
      const other = await api.signup();
      const scores = [
        await submit(player.token, board, 70),
        await submit(player.token, 'global', 20),
        await submit(other.token, board, 60),
        await api.submitScore(player.token, 30),
      ];
      expect(scores.map((score) => score.status)).toEqual([201, 201, 201, 201]);
      await allScoresApplied(app);
      expect(await expectRedisEqualsPostgres(board)).toEqual([player.user.id, other.user.id]);
      const user = {
        id: player.user.id,
        email: player.email,
        scoreIds: [scores[0]!, scores[1]!, scores[3]!].map((score) => score.body.id as string),
      };
      // Processed events are acknowledged and deleted: the streams hold only the backlog (none).
      await waitFor(
        async () =>
          (await redisContents()).every(
            (stored) => stored.type !== 'stream' || !stored.entries.length,
          ),
        { what: 'the processed events to leave the streams' },
      );

      const deleted = await api.request('DELETE', '/api/me', {
        token: player.token,
        body: { password: player.password },
      });
      expect(deleted.status).toBe(204);
      expect(await expectRedisEqualsPostgres(board)).toEqual([other.user.id]);
      // Until they expire, tombstones are the only trace: members of a `deleted` set with a TTL.
      const afterDeletion = await redisContents();
      const tombstones = afterDeletion.filter((stored) => stored.names.includes(user.id));
      expect(tombstones.length).toBeGreaterThan(0);
      for (const stored of tombstones) {
        expect(stored.key).toMatch(/:standings:deleted$/);
        expect(stored.ttlMs).toBeGreaterThan(0);
        expect(stored.ttlMs).toBeLessThanOrEqual(TOMBSTONE_TTL_MS);
      }
      const others = afterDeletion.filter((stored) => !tombstones.includes(stored));
      expect(tracesOf(others, user)).toEqual([]);

      await waitFor(async () => tracesOf(await redisContents(), user).length === 0, {
        what: 'the tombstones to expire',
      });
      const contents = await redisContents();
      expect(tracesOf(contents, user)).toEqual([]);
      expect(
        contents.filter((stored) => stored.type === 'stream').flatMap((s) => s.entries),
      ).toEqual([]);
    });

    it('keep the newest version of a standing, whatever order its writes arrive in', async () => {
      const clients = new RedisClients(app.config);
      await clients.onModuleInit();
      try {
        const fallback = new PostgresLeaderboardStore(app.app.get(DataSource));
        const store = new RedisLeaderboardStore(clients, fallback);
        const period = { boardId: `v-${randomUUID().slice(0, 8)}`, periodId: '1' };
        const standing = (userId: string, version: string, ranked: boolean, rankScore: string) => ({
          ...period,
          userId,
          version,
          ranked,
          rankScore,
          achievedAtMicros: '1000',
        });
        expect(await store.rebuild(period, async () => [], null)).toBe(true);
        // A ban (version 3, unranked) arrives before the apply it came after (version 2).
        await store.record([standing('7', '3', false, '-90')]);
        await store.record([standing('7', '2', true, '-90')]);
        // A removal that made a best worse (version 5) arrives before the apply of version 4.
        await store.record([standing('8', '5', true, '-40')]);
        await store.record([standing('8', '4', true, '-95')]);
        // A deleted account outlives any write of its standing.
        await store.record([standing('9', '9007199254740991', false, '0')]);
        await store.record([standing('9', '6', true, '-100')]);
        const page = await store.page(period, 10, 0);
        expect(page.total).toBe(1);
        expect(page.standings).toEqual([
          expect.objectContaining({ userId: '8', rankScore: '-40' }),
        ]);
        expect(await store.around(period, '7', 1)).toBeNull();
      } finally {
        await clients.onApplicationShutdown();
      }
    });
  });

  describe('a ban, a removal and new submissions of one player at once', () => {
    it(
      'leave every standing equal to its recomputation, and Redis equal to PostgreSQL',
      async () => {
        const board = await createBoard({ reset: 'never' });
        const keyed = await api.request('POST', '/api/admin/api-keys', {
          token: admin.token,
          body: { name: 'race', scopes: ['scores:write'] },
        });
        const others = await Promise.all([1, 2, 3].map(() => api.signup()));
        for (const [i, other] of others.entries()) {
          expect((await submit(other.token, board, 40 + i * 10)).status).toBe(201);
        }
        for (let round = 0; round < 12; round++) {
          const player = await api.signup();
          const early = await Promise.all(
            [90, 85, 30].map((value) => submit(player.token, board, value)),
          );
          expect(early.map((r) => r.status)).toEqual([201, 201, 201]);
          const target = early[round % 2]!.body.id as string;
          const viaKey = (value: number) =>
            api.request('POST', '/api/scores', {
              headers: { 'x-api-key': keyed.body.key },
              body: { value, idempotency_key: randomUUID(), board, user_id: player.user.id },
            });
          // Submissions (some are accepted before the ban, the rest refused), the ban and the
          // removal race; and a newcomer's first scores race with the newcomer's ban (their
          // standing is created as the ban lands). Then both are unbanned, so that their
          // standings must be exact.
          const newcomer = await api.signup();
          const ban = (userId: string) =>
            api.request('POST', `/api/admin/users/${userId}/ban`, {
              token: admin.token,
              body: { reason: `round ${round}` },
            });
          const [answers, newcomerAnswers, banned, newcomerBanned, removed] = await Promise.all([
            Promise.all(
              Array.from({ length: 12 }, (_, i) =>
                i % 2 ? submit(player.token, board, 50 + i) : viaKey(95 - i),
              ),
            ),
            Promise.all([70, 60, 75, 65].map((value) => submit(newcomer.token, board, value))),
            ban(player.user.id),
            ban(newcomer.user.id),
            api.request('DELETE', `/api/admin/scores/${target}`, {
              token: admin.token,
              body: { reason: `round ${round}` },
            }),
          ]);
          for (const answer of [...answers, ...newcomerAnswers]) {
            expect([201, 403]).toContain(answer.status);
          }
          expect([banned.status, newcomerBanned.status, removed.status]).toEqual([200, 200, 204]);
          await allScoresApplied(app);
          const whileBanned = await postgresOrder(board);
          expect(whileBanned).not.toContain(player.user.id);
          expect(whileBanned).not.toContain(newcomer.user.id);
          await expectRedisEqualsPostgres(board);
          for (const id of [player.user.id, newcomer.user.id]) {
            const unban = await api.request('POST', `/api/admin/users/${id}/unban`, {
              token: admin.token,
            });
            expect(unban.status).toBe(200);
          }
          const after = await postgresOrder(board);
          expect(after).toContain(player.user.id);
          expect(after.includes(newcomer.user.id)).toBe(
            newcomerAnswers.some((answer) => answer.status === 201),
          );
          await expectRedisEqualsPostgres(board);
        }
        await allScoresApplied(app);
        const report = await runCli(app, ['reconcile']);
        expect(report.output).toContain('No drift');
        expect(report.code).toBe(0);
        const [counts] = await app.sql<{ stored: string; ranked: string }>(
          `SELECT (SELECT sum(players) FROM leaderboard_counts c JOIN board_periods p
                  ON p.id = c.period_id WHERE p.board_id = $1)::text AS stored,
                (SELECT count(*) FROM user_stats WHERE board_id = $1 AND ranked)::text AS ranked`,
          [board],
        );
        expect(counts!.stored).toBe(counts!.ranked);
      },
      TEST_TIMEOUT_MS,
    );
  });
});
