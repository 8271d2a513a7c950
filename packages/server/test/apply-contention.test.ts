import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSourceOptions, runMigrations } from '../src/database/data-source';
import { ProcessingRepository } from '../src/processing/processing.repository';
import { OutboxRepository } from '../src/webhooks/outbox.repository';
import { Reconciler } from '../src/processing/reconciler';
import { StandingsRepository } from '../src/processing/standings.repository';
import { createTestDatabase, GLOBAL_PERIOD, type TestDatabase } from './support/test-database';

/**
 * The apply statement under contention, called directly as workers call it: many concurrent
 * batches over the same few users, with the same scores delivered to several batches at once.
 */
const APPLIERS = 8;
const USERS = 5;
const SCORES = 2000;

let database: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  database = await createTestDatabase('apply_contention');
  await runMigrations(database.url);
  dataSource = await new DataSource(
    dataSourceOptions(database.url, {
      statementTimeoutMs: 60_000,
      lockTimeoutMs: 60_000,
      idleInTransactionTimeoutMs: 60_000,
      acquireTimeoutMs: 60_000,
      poolSize: APPLIERS,
    }),
  ).initialize();
});
afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

/** Pending scores spread round-robin over `users` new users, out of the sweeper's way. */
async function pendingScores(users: number, count: number): Promise<string[]> {
  const ids: Array<{ id: string }> = await dataSource.query(
    `WITH new_users AS (
       INSERT INTO users (email, password_hash, display_name)
       SELECT 'contention-' || $3 || '-' || i || '@example.com', 'x', 'c' || i
         FROM generate_series(1, $1) AS i
       RETURNING id),
     numbered AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM new_users)
     INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, retry_at)
     SELECT numbered.id, 'k-' || i, (i * 7919) % 101, 'global', ${GLOBAL_PERIOD},
            now() + interval '1 day'
       FROM generate_series(1, $2) AS i JOIN numbered ON numbered.n = i % $1
     RETURNING id::text`,
    [users, count, randomUUID()],
  );
  return ids.map((row) => row.id);
}

describe('the apply statement under contention', () => {
  it('applies overlapping concurrent batches over a few hot users without a deadlock, each score once', async () => {
    const ids = await pendingScores(USERS, SCORES);
    const repository = new ProcessingRepository(dataSource, new OutboxRepository());
    const failures: string[] = [];
    let next = 0;
    // Every batch also carries scores of the previous one (redelivery), so batches overlap on
    // score rows as well as on aggregate rows, and lock both kinds concurrently.
    await Promise.all(
      Array.from({ length: APPLIERS }, async () => {
        while (next < ids.length) {
          const start = next;
          next += 20;
          const batch = ids.slice(Math.max(0, start - 5), start + 20).reverse();
          try {
            await repository.applyBatch(batch, { trackStandings: true });
          } catch (error) {
            failures.push((error as Error).message);
          }
        }
      }),
    );
    expect(failures).toEqual([]);
    const [row] = await dataSource.query(
      `SELECT count(*) FILTER (WHERE applied_at IS NULL)::int AS pending,
              (SELECT sum(total_scores)::int FROM user_stats) AS counted
         FROM scores`,
    );
    expect(row).toEqual({ pending: 0, counted: SCORES });
    const reconciler = new Reconciler(dataSource);
    expect(await reconciler.findDrift()).toEqual([]);
    expect(await reconciler.findCountDrift()).toEqual([]);
  });

  it('pages through a period’s standings for a rebuild in user-id order, missing none', async () => {
    // Users on both sides of a power of ten: text order ('10' < '9') would skip some.
    await new ProcessingRepository(dataSource, new OutboxRepository()).applyBatch(
      await pendingScores(25, 25),
    );
    const standings = new StandingsRepository(dataSource);
    const [{ period }] = await dataSource.query(`SELECT ${GLOBAL_PERIOD}::text AS period`);
    const seen: string[] = [];
    for (let page = await standings.pageAfter(period, '0', 7); page.length > 0;) {
      seen.push(...page.map((standing) => standing.userId));
      page = await standings.pageAfter(period, seen[seen.length - 1]!, 7);
    }
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM user_stats`);
    expect(seen).toHaveLength(n);
    expect(seen.map(BigInt)).toEqual(seen.map(BigInt).sort((a, b) => (a < b ? -1 : 1)));
  });

  it('keeps the largest sums exact beyond 2^53', async () => {
    const [id] = await pendingScores(1, 1);
    const [{ user_id: userId }] = await dataSource.query(
      'SELECT user_id::text FROM scores WHERE id = $1',
      [id],
    );
    const near = 2n ** 62n;
    await dataSource.query(
      `INSERT INTO user_stats (period_id, board_id, user_id, ranking, descending, total_scores,
                               sum_scores, high_score, best_at, high_score_updated_at)
       VALUES (${GLOBAL_PERIOD}, 'global', $1, 'best', true, 1, $2, 0, now(), now())`,
      [userId, near.toString()],
    );
    const batch = await new ProcessingRepository(dataSource, new OutboxRepository()).applyBatch([
      id!,
    ]);
    // The one score's value is (1 * 7919) % 101 = 41; as a double, 2^62 + 41 would be 2^62.
    expect(batch.users[0]!.sumScores).toBe(near + 41n);
  });
});
