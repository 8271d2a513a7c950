/**
 * Leaderboard benchmark (issue 4): seeds 1,000,000 players set-based, then prints p50/p99 of
 * top-10, a page at offset 5,000 and a random user's rank (GET /api/leaderboard/me, radius 5), as
 * the server computes them (LeaderboardService, display names included), with Redis and with
 * PostgreSQL alone; then the cost the leaderboard adds to the apply path (recording a batch's
 * standings in Redis) beside the apply itself.
 *
 *   npm run bench:leaderboard -w packages/server     # BENCH_PLAYERS to change the size
 *
 * Needs PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379); uses its own database and Redis
 * key prefix and removes both. Prints figures; asserts nothing.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { dataSourceOptions, runMigrations } from '../src/database/data-source';
import { BoardsRepository } from '../src/boards/boards.repository';
import { BoardsService, GLOBAL_BOARD } from '../src/boards/boards.service';
import { LeaderboardService } from '../src/leaderboard/leaderboard.service';
import type { LeaderboardStore } from '../src/leaderboard/leaderboard-store';
import { PostgresLeaderboardStore } from '../src/leaderboard/postgres-leaderboard.store';
import { RedisLeaderboardStore } from '../src/leaderboard/redis-leaderboard.store';
import { ProcessingRepository } from '../src/processing/processing.repository';
import { StandingsRepository } from '../src/processing/standings.repository';
import { RedisClients } from '../src/redis/redis-clients';
import { User } from '../src/users/user.entity';
import { UsersRepository } from '../src/users/users.repository';
import { createTestDatabase } from '../test/support/test-database';
import { fixed, percentile } from './percentiles';

/** Script parameters (see the header). */
const { BENCH_PLAYERS = '1000000', BENCH_REDIS_URL: REDIS_URL = 'redis://127.0.0.1:6379' } =
  process.env;
const PLAYERS = Number(BENCH_PLAYERS);

async function main(): Promise<void> {
  const database = await createTestDatabase('bench_leaderboard');
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: `bench-${randomUUID()}:`,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'scoreboard-bench-')),
  });
  const dataSource = await new DataSource(dataSourceOptions(database.url)).initialize();
  const redis = new RedisClients(config);
  await redis.onModuleInit();
  try {
    await runMigrations(dataSource);
    let started = Date.now();
    await seed(dataSource);
    console.log(
      `Seeded ${PLAYERS.toLocaleString('en')} players in ${fixed((Date.now() - started) / 1000)} s (set-based SQL)`,
    );

    const boards = new BoardsService(new BoardsRepository(dataSource), config);
    const board = await boards.get(GLOBAL_BOARD);
    const period = await boards.currentPeriod(board);
    const key = { boardId: board.id, periodId: period.id };
    const postgres = new PostgresLeaderboardStore(dataSource);
    const redisStore = new RedisLeaderboardStore(redis, postgres);
    const standings = new StandingsRepository(dataSource);
    started = Date.now();
    await redisStore.rebuild(key, (after) => standings.pageAfter(period.id, after, 10_000), null);
    console.log(
      `Redis sorted set built from PostgreSQL in ${fixed((Date.now() - started) / 1000)} s\n`,
    );

    const [{ first }] = await dataSource.query('SELECT min(id)::text AS first FROM users');
    const randomUser = () => String(BigInt(first) + BigInt(Math.floor(Math.random() * PLAYERS)));
    const rows: string[][] = [];
    for (const [name, store, rankRuns] of [
      ['Redis', redisStore, 2000],
      ['PostgreSQL only', postgres, 100],
    ] as const) {
      const users = new UsersRepository(dataSource.getRepository(User));
      const service = new LeaderboardService(store as LeaderboardStore, postgres, users);
      rows.push([name, 'top 10', ...(await timed(2000, () => service.page(board, period, 10, 0)))]);
      rows.push([
        name,
        'page at offset 5,000',
        ...(await timed(2000, () => service.page(board, period, 10, 5000))),
      ]);
      rows.push([
        name,
        'rank of a random user (radius 5)',
        ...(await timed(rankRuns, () => service.around(board, period, randomUser(), 5))),
      ]);
    }
    table(['store', 'query', 'runs', 'p50 ms', 'p99 ms'], rows);

    await applyPathCost(dataSource, redisStore, standings, first);
  } finally {
    const keys = await redis.commands.keys(`${config.redisKeyPrefix}*`);
    if (keys.length > 0) await redis.commands.del(...keys);
    await redis.onApplicationShutdown();
    await dataSource.destroy();
    await database.drop();
  }
}

/** Players with a high score each; ties on purpose (101 possible scores), spread over a year. */
async function seed(dataSource: DataSource): Promise<void> {
  await dataSource.query(
    `INSERT INTO users (email, password_hash, display_name)
     SELECT 'player' || i || '@example.com', 'x', 'player-' || i FROM generate_series(1, $1) AS i`,
    [PLAYERS],
  );
  await dataSource.query(
    `INSERT INTO user_stats (period_id, board_id, user_id, total_scores, sum_scores, high_score,
                             rank_score, achieved_at, high_score_updated_at)
     SELECT (SELECT id FROM board_periods WHERE board_id = 'global'), 'global', id, 1, high, high,
            -high, at, at
       FROM (SELECT id, (random() * 100)::int AS high, now() - random() * interval '365 days' AS at
               FROM users) AS seeded`,
  );
  await dataSource.query(
    `UPDATE leaderboard_counts SET players = CASE WHEN stripe = 0 THEN $1::bigint ELSE 0 END`,
    [PLAYERS],
  );
  await dataSource.query('ANALYZE users; ANALYZE user_stats');
}

async function timed(runs: number, work: () => Promise<unknown>): Promise<string[]> {
  for (let i = 0; i < Math.min(50, runs); i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await work();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return [String(runs), fixed(percentile(samples, 50), 2), fixed(percentile(samples, 99), 2)];
}

/**
 * What the leaderboard adds per applied batch: the apply statement writes the changed standings to
 * the outbox, and the worker records them in Redis after the commit and then deletes their outbox
 * rows. Timed beside the apply statement for the same batches of 100 random players.
 */
async function applyPathCost(
  dataSource: DataSource,
  store: RedisLeaderboardStore,
  standings: StandingsRepository,
  first: string,
): Promise<void> {
  const batches = 200;
  const [{ ids }] = await dataSource.query(
    `WITH inserted AS (
       INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, retry_at)
       SELECT $1::bigint + (random() * ($2 - 1))::bigint, 'bench-' || i, (random() * 100)::int,
              'global', (SELECT id FROM board_periods WHERE board_id = 'global'),
              now() + interval '1 day'
         FROM generate_series(1, $3) AS i
       RETURNING id)
     SELECT array_agg(id::text ORDER BY id) AS ids FROM inserted`,
    [first, PLAYERS, batches * 100],
  );
  await dataSource.query('ANALYZE scores');
  const repository = new ProcessingRepository(dataSource);
  const apply: number[] = [];
  const record: number[] = [];
  for (let i = 0; i < batches; i++) {
    let started = process.hrtime.bigint();
    const batch = await repository.applyBatch((ids as string[]).slice(i * 100, i * 100 + 100), {
      trackStandings: true,
    });
    apply.push(Number(process.hrtime.bigint() - started) / 1e6);
    started = process.hrtime.bigint();
    await store.record(
      batch.users.map((u) => ({
        boardId: u.boardId,
        periodId: u.periodId,
        userId: u.userId,
        rankScore: u.rankScore,
        achievedAtMicros: u.highScoreAchievedAtMicros,
      })),
    );
    await standings.forgetChanges(batch.changeIds);
    record.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  apply.sort((a, b) => a - b);
  record.sort((a, b) => a - b);
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  console.log(
    `\nApply path, ${batches} batches of 100 scores for random players among ${PLAYERS.toLocaleString('en')}:` +
      `\n  apply statement    p50 ${fixed(percentile(apply, 50), 2)} ms, p99 ${fixed(percentile(apply, 99), 2)} ms` +
      `\n  record + outbox    p50 ${fixed(percentile(record, 50), 2)} ms, p99 ${fixed(percentile(record, 99), 2)} ms` +
      `\n  record adds ${fixed((100 * total(record)) / total(apply), 1)} % to the apply time`,
  );
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows])
    console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
