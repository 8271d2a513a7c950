/**
 * Set-based seeding shared by the benchmarks: one function per kind of row (users, boards with
 * their periods, standings with their player counts). Seeding runs on a connection of its own
 * without the server's statement timeout (a million rows take longer than 10 s), see
 * `withSeedingConnection`.
 */
import { DataSource } from 'typeorm';
import { dataSourceOptions, UNBOUNDED_DATABASE_SETTINGS } from '../src/database/data-source';
import { queryRows } from '../src/database/sql';

/** One period of a board, as the benchmarks address it. */
export type SeededPeriod = { boardId: string; periodId: string };

/** Runs `work` on a data source without timeouts, then closes it. */
export async function withSeedingConnection<T>(
  url: string,
  work: (seeding: DataSource) => Promise<T>,
): Promise<T> {
  const seeding = await new DataSource(
    dataSourceOptions(url, UNBOUNDED_DATABASE_SETTINGS),
  ).initialize();
  try {
    return await work(seeding);
  } finally {
    await seeding.destroy();
  }
}

/** `count` users; returns the id of the first (ids are consecutive). */
export async function seedUsers(db: DataSource, count: number): Promise<string> {
  const [row] = await queryRows<{ first: string }>(
    db,
    `WITH inserted AS (
       INSERT INTO users (email, password_hash, display_name)
       SELECT 'player' || i || '@example.com', 'x', 'player-' || i FROM generate_series(1, $1) AS i
       RETURNING id)
     SELECT min(id)::text AS first FROM inserted`,
    [count],
  );
  return row!.first;
}

/**
 * A board (sort `desc`) and its periods, [start, end) each, `end` null for an open-ended one; the
 * board is created when its first period starts. Returns the periods in the order given.
 */
export async function seedBoard(
  db: DataSource,
  id: string,
  reset: string,
  periods: Array<{ startsAt: Date; endsAt: Date | null }>,
  ranking: 'best' | 'latest' | 'sum' | 'count' = 'best',
): Promise<SeededPeriod[]> {
  await db.query(
    `INSERT INTO boards (id, name, reset, created_at, ranking) VALUES ($1, $1, $2, $3, $4)`,
    [id, reset, periods[0]!.startsAt, ranking],
  );
  const rows = await queryRows<{ id: string }>(
    db,
    `INSERT INTO board_periods (board_id, starts_at, ends_at)
     SELECT $1, s, e FROM unnest($2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS p(s, e, n)
      ORDER BY n
     RETURNING id::text`,
    [id, periods.map((p) => p.startsAt), periods.map((p) => p.endsAt)],
  );
  return rows.map((row) => ({ boardId: id, periodId: row.id }));
}

/**
 * A standing in the period for each of the first `players` users, and the period's player count.
 * `best`: `zero` gives every standing a best of 0 reached now (so that an apply updates it, as in
 * steady state); `random` a best of 0 to 100 (ties everywhere) reached at a random time in the
 * week before the period's end (or now).
 */
export async function seedStandings(
  db: DataSource,
  periodId: string,
  players: number,
  best: 'zero' | 'random',
): Promise<void> {
  await db.query(
    `WITH seeded AS (
       SELECT u.id AS user_id,
              CASE WHEN $3::boolean THEN (random() * 100)::int ELSE 0 END AS best,
              CASE WHEN $3::boolean THEN 1 + (random() * 49)::int ELSE 1 END AS total,
              CASE WHEN $3::boolean THEN random() ELSE 0 END AS age
         FROM users u ORDER BY u.id LIMIT $2::bigint
     ),
     inserted AS (
       INSERT INTO user_stats (period_id, board_id, user_id, ranking, descending, total_scores,
                               sum_scores, high_score, best_at, latest_value, latest_at,
                               high_score_updated_at)
       SELECT p.id, p.board_id, s.user_id, b.ranking, b.sort = 'desc', s.total,
              -- a sum consistent with the count and the best: the best, then lower scores
              s.best + (s.total - 1) * (s.best / 2), s.best,
              least(p.ends_at, now()) - s.age * interval '7 days', s.best,
              least(p.ends_at, now()) - s.age * interval '7 days',
              least(p.ends_at, now()) - s.age * interval '7 days'
         FROM seeded s
        CROSS JOIN board_periods p JOIN boards b ON b.id = p.board_id
        WHERE p.id = $1::bigint
       RETURNING 1
     )
     INSERT INTO leaderboard_counts AS c (period_id, stripe, players)
     SELECT $1::bigint, 0, count(*) FROM inserted
     ON CONFLICT (period_id, stripe) DO UPDATE SET players = c.players + excluded.players`,
    [periodId, players, best === 'random'],
  );
}

/**
 * Leaves the tables as autovacuum would after a bulk load (fresh statistics, visibility map set),
 * then writes a checkpoint, so that what follows is timed neither beside a vacuum of the load nor
 * beside a checkpoint flushing it.
 */
export async function settle(db: DataSource, ...tables: string[]): Promise<void> {
  for (const table of tables) await db.query(`VACUUM (ANALYZE) ${table}`);
  await db.query('CHECKPOINT');
}
