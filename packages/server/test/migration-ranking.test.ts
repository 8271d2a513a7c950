import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dataSourceOptions,
  migrations,
  UNBOUNDED_DATABASE_SETTINGS,
} from '../src/database/data-source';
import { RankingModels1795530000000 } from '../src/database/migrations/1795530000000-ranking-models';
import { Reconciler } from '../src/processing/reconciler';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/**
 * The ranking-models migration over a database of the moderation schema with scores on a `desc`
 * and an `asc` board (ties of value included): every board becomes `best`, every standing keeps
 * its rank score, time reached and order, gains its best's and latest's scores, and reconcile finds
 * no drift; it reverts to the same order and reapplies.
 */
let database: TestDatabase;
let dataSource: DataSource;

const before = migrations.slice(0, migrations.indexOf(RankingModels1795530000000));

beforeAll(async () => {
  database = await createTestDatabase('migration_ranking');
  dataSource = await new DataSource({
    ...dataSourceOptions(database.url, UNBOUNDED_DATABASE_SETTINGS),
    migrations: before,
  }).initialize();
  await dataSource.runMigrations({ transaction: 'all' });
});
afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

const order = () =>
  dataSource.query(
    `SELECT board_id, user_id::text, rank_score::text AS rank_score,
            (extract(epoch FROM achieved_at) * 1000000)::bigint::text AS achieved_us
       FROM user_stats ORDER BY period_id, rank_score, achieved_at, user_id`,
  );

describe('the ranking-models migration', () => {
  it('ranks every existing board by best with the same order and no drift; reverts and reapplies', async () => {
    await dataSource.query(
      `INSERT INTO users (email, password_hash, display_name)
       SELECT 'r-' || i || '@example.com', 'x', 'r-' || i FROM generate_series(1, 12) AS i`,
    );
    await dataSource.query(
      `INSERT INTO boards (id, name, sort) VALUES ('fastest', 'Fastest', 'asc')`,
    );
    await dataSource.query(
      `INSERT INTO board_periods (board_id, starts_at) VALUES ('fastest', now() - interval '1 day')`,
    );
    // Values with ties, acceptance times a microsecond apart.
    await dataSource.query(
      `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, created_at,
                           applied_at)
       SELECT u.id, b.id || '-' || i, (u.id * 7 + i * 13) % 5, b.id, p.id,
              '2026-01-01'::timestamptz + (u.id * 10 + i) * interval '1 microsecond', now()
         FROM users u, generate_series(1, 4) AS i, boards b
         JOIN board_periods p ON p.board_id = b.id`,
    );
    await dataSource.query(
      `INSERT INTO user_stats (period_id, user_id, board_id, total_scores, sum_scores, high_score,
                               rank_score, achieved_at, high_score_updated_at)
       SELECT s.period_id, s.user_id, s.board_id, count(*), sum(s.value), min(s.best),
              min(s.best_rank), min(s.created_at) FILTER (WHERE s.value = s.best), now()
         FROM (SELECT sc.*,
                      CASE b.sort WHEN 'asc' THEN min(sc.value) OVER w ELSE max(sc.value) OVER w END
                        AS best,
                      CASE b.sort WHEN 'asc' THEN min(sc.value) OVER w ELSE -max(sc.value) OVER w END
                        AS best_rank
                 FROM scores sc JOIN boards b ON b.id = sc.board_id
               WINDOW w AS (PARTITION BY sc.period_id, sc.user_id)) s
        GROUP BY s.period_id, s.user_id, s.board_id`,
    );
    await dataSource.query(
      `INSERT INTO leaderboard_counts (period_id, stripe, players)
       SELECT period_id, 0, count(*) FROM user_stats GROUP BY period_id
       ON CONFLICT (period_id, stripe) DO UPDATE SET players = excluded.players`,
    );
    const ordered = await order();
    expect(ordered).toHaveLength(24);

    const upgraded = await new DataSource({
      ...dataSourceOptions(database.url, UNBOUNDED_DATABASE_SETTINGS),
      migrations,
    }).initialize();
    try {
      await upgraded.runMigrations({ transaction: 'all' });
      expect(await order()).toEqual(ordered);
      const boards = await dataSource.query(`SELECT DISTINCT ranking FROM boards`);
      expect(boards).toEqual([{ ranking: 'best' }]);
      const [unset] = await dataSource.query(
        `SELECT count(*)::int AS n FROM user_stats
          WHERE best_score_id IS NULL OR latest_score_id IS NULL OR latest_value IS NULL`,
      );
      expect(unset.n).toBe(0);
      expect(await new Reconciler(upgraded).findDrift()).toEqual([]);

      await upgraded.undoLastMigration({ transaction: 'all' });
      expect(await order()).toEqual(ordered);
      await upgraded.runMigrations({ transaction: 'all' });
      expect(await order()).toEqual(ordered);
      expect(await new Reconciler(upgraded).findDrift()).toEqual([]);
    } finally {
      await upgraded.destroy();
    }
  });
});
