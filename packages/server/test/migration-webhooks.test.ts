import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dataSourceOptions,
  migrations,
  UNBOUNDED_DATABASE_SETTINGS,
} from '../src/database/data-source';
import { WebhooksAndResults1795540000000 } from '../src/database/migrations/1795540000000-webhooks-and-results';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/**
 * The webhooks and results migration over a database of the schema before it, holding a period
 * that has already ended: the period is left to be finalized (no results yet), and the migration
 * reverts and reapplies.
 */
let database: TestDatabase;
let dataSource: DataSource;
const upTo = migrations.indexOf(WebhooksAndResults1795540000000);

beforeAll(async () => {
  database = await createTestDatabase('migration_webhooks');
  dataSource = await new DataSource({
    ...dataSourceOptions(database.url, UNBOUNDED_DATABASE_SETTINGS),
    migrations: migrations.slice(0, upTo),
  }).initialize();
  await dataSource.runMigrations({ transaction: 'all' });
});
afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

const tables = async () =>
  (
    await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    )
  ).map((row: { table_name: string }) => row.table_name);

describe('the webhooks and results migration', () => {
  it('leaves ended periods to be finalized, then reverts and reapplies', async () => {
    await dataSource.query(
      `INSERT INTO boards (id, name, reset, created_at) VALUES ('old', 'Old', 'daily', now() - interval '3 days')`,
    );
    await dataSource.query(
      `INSERT INTO board_periods (board_id, starts_at, ends_at)
       VALUES ('old', now() - interval '3 days', now() - interval '2 days')`,
    );
    const upgraded = await new DataSource({
      ...dataSourceOptions(database.url, UNBOUNDED_DATABASE_SETTINGS),
      migrations: migrations.slice(0, upTo + 1),
    }).initialize();
    try {
      await upgraded.runMigrations({ transaction: 'all' });
      expect(await tables()).toEqual(
        expect.arrayContaining([
          'webhook_endpoints',
          'webhook_events',
          'webhook_deliveries',
          'period_finalizations',
          'period_results',
          'result_claims',
        ]),
      );
      const [unfinalized] = await upgraded.query(
        `SELECT count(*)::int AS n FROM board_periods
          WHERE board_id = 'old' AND results_written_at IS NULL`,
      );
      expect(unfinalized).toEqual({ n: 1 });

      await upgraded.undoLastMigration({ transaction: 'all' });
      expect(await tables()).not.toContain('webhook_events');
      expect(await tables()).not.toContain('period_results');
      await upgraded.runMigrations({ transaction: 'all' });
      expect(await tables()).toEqual(expect.arrayContaining(['webhook_events', 'result_claims']));
    } finally {
      await upgraded.destroy();
    }
  });
});
