import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dataSourceOptions,
  migrations,
  UNBOUNDED_DATABASE_SETTINGS,
} from '../src/database/data-source';
import { Moderation1795520000000 } from '../src/database/migrations/1795520000000-moderation';

/** The migrations up to and including the moderation one. */
const throughModeration = migrations.slice(0, migrations.indexOf(Moderation1795520000000) + 1);
import { Reconciler } from '../src/processing/reconciler';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/**
 * The moderation migration over a database of the boards schema with scores and standings:
 * every standing stays, ranked, at version 1, with no drift; and it reverts and reapplies.
 */
let database: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  database = await createTestDatabase('migration_moderation');
  dataSource = await new DataSource({
    ...dataSourceOptions(database.url, UNBOUNDED_DATABASE_SETTINGS),
    migrations: migrations.slice(0, migrations.indexOf(Moderation1795520000000)),
  }).initialize();
  await dataSource.runMigrations({ transaction: 'all' });
});
afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

const columns = async (table: string) =>
  (
    await dataSource.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = $1`,
      [table],
    )
  ).map((row: { column_name: string }) => row.column_name);

describe('the moderation migration', () => {
  it('keeps every standing, ranked, with no drift; then reverts and reapplies', async () => {
    await dataSource.query(
      `INSERT INTO users (email, password_hash, display_name)
       SELECT 'm-' || i || '@example.com', 'x', 'm-' || i FROM generate_series(1, 10) AS i`,
    );
    await dataSource.query(
      `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, applied_at)
       SELECT u.id, 'k-' || i, (u.id * 7 + i * 13) % 101, 'global',
              (SELECT id FROM board_periods WHERE board_id = 'global'), now()
         FROM users u, generate_series(1, 4) AS i`,
    );
    await dataSource.query(
      `INSERT INTO user_stats (period_id, user_id, board_id, total_scores, sum_scores, high_score,
                               rank_score, achieved_at, high_score_updated_at)
       SELECT period_id, user_id, 'global', count(*), sum(value), max(value), -max(value),
              min(created_at) FILTER (WHERE value = high), now()
         FROM (SELECT *, max(value) OVER (PARTITION BY user_id) AS high FROM scores) s
        GROUP BY period_id, user_id`,
    );
    await dataSource.query(
      `UPDATE leaderboard_counts SET players = 10
        WHERE stripe = 0 AND period_id = (SELECT id FROM board_periods WHERE board_id = 'global')`,
    );

    // Up to this migration: the last one run is the one undone below.
    const upgraded = await new DataSource({
      ...dataSourceOptions(database.url, UNBOUNDED_DATABASE_SETTINGS),
      migrations: throughModeration,
    }).initialize();
    try {
      await upgraded.runMigrations({ transaction: 'all' });
      const [standings] = await upgraded.query(
        `SELECT count(*)::int AS n, bool_and(ranked) AS ranked, max(version)::int AS version
           FROM user_stats`,
      );
      expect(standings).toEqual({ n: 10, ranked: true, version: 1 });
      const reconciler = new Reconciler(upgraded);
      expect(await reconciler.findCountDrift()).toEqual([]);

      await upgraded.undoLastMigration({ transaction: 'all' });
      expect(await columns('user_stats')).not.toContain('version');
      expect(await columns('users')).not.toContain('banned_at');
      expect(await columns('scores')).not.toContain('removed_at');
      await upgraded.runMigrations({ transaction: 'all' });
      expect(await columns('user_stats')).toEqual(expect.arrayContaining(['version', 'ranked']));
    } finally {
      await upgraded.destroy();
    }
    // And the standings it kept are exact under today's schema (the reconciler reads that one).
    const latest = await new DataSource({
      ...dataSourceOptions(database.url, UNBOUNDED_DATABASE_SETTINGS),
      migrations,
    }).initialize();
    try {
      await latest.runMigrations({ transaction: 'all' });
      expect(await new Reconciler(latest).findDrift()).toEqual([]);
    } finally {
      await latest.destroy();
    }
  });
});
