import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dataSourceOptions,
  migrations,
  UNBOUNDED_DATABASE_SETTINGS,
} from '../src/database/data-source';
import { BoardsAndPeriods1795510000000 } from '../src/database/migrations/1795510000000-boards-and-periods';
import { Reconciler } from '../src/processing/reconciler';
import { ApiClient } from './support/api-client';
import { startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { waitFor } from './support/wait-for';

/**
 * Upgrading a database of the single-board schema, holding scores, aggregates and a Redis
 * leaderboard, to boards: today's data becomes the global board's one period, nothing lost.
 */
let database: TestDatabase;
let app: TestApp | undefined;
const prefix = `test-${randomUUID()}:`;
const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
const before = migrations.slice(0, migrations.indexOf(BoardsAndPeriods1795510000000));

beforeAll(async () => {
  database = await createTestDatabase('migration_boards');
  await redis.connect();
});
afterAll(async () => {
  await app?.close();
  if (!app) await database.drop();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** Players with scores, applied, and their aggregates as the single-board schema kept them. */
async function seedOldSchema(dataSource: DataSource): Promise<void> {
  await dataSource.query(
    `INSERT INTO users (email, password_hash, display_name)
     SELECT 'old-' || i || '@example.com', 'x', 'old-' || i FROM generate_series(1, 20) AS i`,
  );
  await dataSource.query(
    `INSERT INTO scores (user_id, idempotency_key, value, created_at, applied_at)
     SELECT u.id, 'k-' || i, (u.id * 7 + i * 13) % 101,
            now() - interval '1 day' + i * interval '1 minute', now()
       FROM users u, generate_series(1, 5) AS i`,
  );
  // One more, accepted and not yet applied: it must still be applied after the upgrade.
  await dataSource.query(
    `INSERT INTO scores (user_id, idempotency_key, value) SELECT min(id), 'pending', 100 FROM users`,
  );
  await dataSource.query(
    `INSERT INTO user_stats (user_id, total_scores, sum_scores, high_score, achieved_at,
                             high_score_updated_at)
     SELECT user_id, count(*), sum(value), max(value),
            min(created_at) FILTER (WHERE value = high), now()
       FROM (SELECT *, max(value) OVER (PARTITION BY user_id) AS high FROM scores
              WHERE applied_at IS NOT NULL) AS s
      GROUP BY user_id`,
  );
  await dataSource.query(
    `UPDATE leaderboard_counts SET players = CASE WHEN stripe = 0 THEN 20 ELSE 0 END`,
  );
}

describe('the boards migration', () => {
  it('moves every score, aggregate and the player count into the global board’s one period', async () => {
    const old: DataSource = await new DataSource({
      ...dataSourceOptions(database.url, UNBOUNDED_DATABASE_SETTINGS),
      migrations: before,
    }).initialize();
    try {
      await old.runMigrations({ transaction: 'all' });
      await seedOldSchema(old);
      const rows = await old.query(
        `SELECT user_id::text, high_score FROM user_stats ORDER BY high_score DESC, achieved_at, user_id`,
      );
      // The Redis leaderboard of the old schema, as the worker kept it.
      await redis.zadd(
        `${prefix}leaderboard`,
        ...rows.flatMap((r: any) => [-r.high_score, r.user_id]),
      );
      await redis.set(`${prefix}leaderboard:ready`, '1');
      const counts = await old.query(`SELECT count(*)::int AS scores FROM scores`);

      await old.runMigrations({ transaction: 'all' }); // nothing left of the old list
      await old.destroy();

      app = await startTestApp(
        'migration_boards',
        { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix, SWEEP_DELAY_MS: '200' },
        database,
      );
      const [global] = await app.sql<{ scores: number }>(
        `SELECT (SELECT count(*)::int FROM scores WHERE period_id = p.id) AS scores
           FROM board_periods p WHERE p.board_id = 'global'`,
      );
      expect(global!.scores).toBe(counts[0].scores);
      expect(await app.sql(`SELECT id FROM board_periods`)).toHaveLength(1);

      // The pending score is applied after the upgrade; then every standing matches its scores.
      await waitFor(
        async () =>
          (
            await app!.sql<{ n: number }>(
              `SELECT count(*)::int AS n FROM scores WHERE applied_at IS NULL`,
            )
          )[0]!.n === 0,
        { what: 'the pending score to be applied' },
      );
      const reconciler = new Reconciler(app.app.get(DataSource));
      expect(await reconciler.findDrift()).toEqual([]);
      expect(await reconciler.findCountDrift()).toEqual([]);

      // The leaderboard (built anew in Redis under the new keys) answers the same players.
      const expected = await app.sql<{ user_id: string; high_score: number }>(
        `SELECT user_id::text, high_score FROM user_high_scores
          ORDER BY high_score DESC, achieved_at, user_id`,
      );
      const api = new ApiClient(app.baseUrl);
      const page = await waitFor(async () => {
        const response = await api.request('GET', '/api/leaderboard?limit=100');
        return response.body.total_players === 20 ? response.body : undefined;
      });
      expect(page.items.map((item: any) => [item.user_id, item.high_score])).toEqual(
        expected.map((row) => [row.user_id, row.high_score]),
      );
    } finally {
      if (old.isInitialized) await old.destroy();
    }
  });
});
