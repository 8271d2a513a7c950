/**
 * Leaderboard benchmark (issue 4, boards and periods): seeds 1,000,000 players set-based in the
 * global board's current period, and as many in a closed period (one whose end has passed) of a
 * weekly board, then prints p50/p99 of top 10, pages at offsets 5,000 and 10,000 (the deepest the
 * API allows) and a random player's rank (GET .../leaderboard/me, radius 5), as the server
 * computes them (LeaderboardService, display names included):
 *
 * - the current period with Redis, and with PostgreSQL alone (the no-Redis mode);
 * - a board ranking by sum (as many players, never resetting) with Redis;
 * - for each, the ranks of 100 random players at once (`users=`);
 * - the closed period, which the server always reads from PostgreSQL (Redis or not), and the
 *   same top 10 through BoardLeaderboards with `period=previous` (the route minus HTTP: board,
 *   period and `final` looked up too);
 *
 * then the cost the leaderboard adds to the apply path (recording a batch's standings in Redis and
 * deleting their outbox rows) beside the apply itself.
 *
 *   npm run bench:leaderboard -w packages/server     # BENCH_PLAYERS to change the size
 *
 * Needs PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379); uses its own database and Redis
 * key prefix and removes both. Prints figures; asserts nothing.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditRepository } from '../src/audit/audit.repository';
import { BoardsRepository, type Period } from '../src/boards/boards.repository';
import { BoardsService, GLOBAL_BOARD, type Board } from '../src/boards/boards.service';
import { ResetSchedule } from '../src/boards/reset-schedule';
import { loadConfig } from '../src/config/app-config';
import { dataSourceOptions, runMigrations } from '../src/database/data-source';
import { BoardLeaderboards } from '../src/leaderboard/board-leaderboards';
import { MAX_LEADERBOARD_OFFSET } from '../src/leaderboard/dto/leaderboard.dto';
import { LeaderboardService } from '../src/leaderboard/leaderboard.service';
import type { PeriodKey, Standing } from '../src/leaderboard/leaderboard-store';
import { PostgresLeaderboardStore } from '../src/leaderboard/postgres-leaderboard.store';
import { RedisLeaderboardStore } from '../src/leaderboard/redis-leaderboard.store';
import { ProcessingRepository } from '../src/processing/processing.repository';
import { OutboxRepository } from '../src/webhooks/outbox.repository';
import { StandingsRepository } from '../src/processing/standings.repository';
import { RedisClients } from '../src/redis/redis-clients';
import { createTestDatabase } from '../test/support/test-database';
import { fixed, percentile } from './percentiles';
import { seedBoard, seedStandings, seedUsers, settle, withSeedingConnection } from './seeding';

/** Script parameters (see the header). */
const {
  BENCH_PLAYERS = '1000000',
  /** Timed runs per query (after up to 50 untimed). */
  BENCH_RUNS = '2000',
  /** Timed runs of a rank from PostgreSQL, which counts the index entries ahead of the player. */
  BENCH_POSTGRES_RANK_RUNS = '200',
  /** Batches of 100 scores in the apply-path cost. */
  BENCH_APPLY_BATCHES = '200',
  BENCH_REDIS_URL: REDIS_URL = 'redis://127.0.0.1:6379',
} = process.env;
const PLAYERS = Number(BENCH_PLAYERS);
const RUNS = Number(BENCH_RUNS);
const POSTGRES_RANK_RUNS = Number(BENCH_POSTGRES_RANK_RUNS);
const APPLY_BATCHES = Number(BENCH_APPLY_BATCHES);
/** The board whose previous period is the closed one (it resets weekly). */
const CLOSED_BOARD = 'bench-weekly';
/** A board ranking by the exact sum of each player's scores, never resetting. */
const SUM_BOARD = 'bench-sum';
/** Players named in one `users=` request: the most the API allows. */
const USERS_LISTED = 100;
const DEEP_OFFSETS = [5000, MAX_LEADERBOARD_OFFSET];
const RADIUS = 5;

async function main(): Promise<void> {
  Logger.overrideLogger(['warn', 'error']);
  const database = await createTestDatabase('bench_leaderboard');
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: `bench-${randomUUID()}:`,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'scoreboard-bench-')),
  });
  // The server's settings (statement timeout included); seeding has a connection of its own.
  const dataSource = await new DataSource(dataSourceOptions(database.url)).initialize();
  const redis = new RedisClients(config);
  await redis.onModuleInit();
  try {
    await runMigrations(dataSource);
    const boards = new BoardsService(
      new BoardsRepository(dataSource, new AuditRepository(dataSource)),
      config,
    );
    const global = await boards.get(GLOBAL_BOARD);
    const current = await boards.currentPeriod(global);

    const seeded = await withSeedingConnection(database.url, (seeding) =>
      seed(seeding, current.id),
    );
    const weekly = await boards.get(CLOSED_BOARD);
    const closed = await boards.period(weekly, 'previous');
    console.log(
      `Seeded ${PLAYERS.toLocaleString('en')} players in ${fixed(seeded.users)} s, their standings ` +
        `in the current period of "${GLOBAL_BOARD}" in ${fixed(seeded.current)} s and in the ` +
        `closed period ${closed.startsAt.toISOString()} to ${closed.endsAt?.toISOString()} of ` +
        `"${CLOSED_BOARD}" in ${fixed(seeded.closed)} s, and in "${SUM_BOARD}" (ranking: sum) in ` +
        `${fixed(seeded.sum)} s (set-based SQL; VACUUM ANALYZE and CHECKPOINT ` +
        `${fixed(seeded.vacuum)} s)`,
    );

    const postgres = new PostgresLeaderboardStore(dataSource);
    const redisStore = new RedisLeaderboardStore(redis, postgres);
    const standings = new StandingsRepository(dataSource);
    const key = { boardId: global.id, periodId: current.id };
    let started = Date.now();
    await redisStore.rebuild(key, (after) => standings.pageAfter(current.id, after, 10_000), null);
    const built = (await redisStore.status(key)).size;
    console.log(
      `Redis sorted set of the current period built from PostgreSQL (the worker's rebuild, ` +
        `StandingsRepository.pageAfter) in ${fixed((Date.now() - started) / 1000)} s: ` +
        `${built.toLocaleString('en')} of ${PLAYERS.toLocaleString('en')} players`,
    );
    if (built < PLAYERS) {
      // The worker's rebuild left players out: time the queries on a complete set all the same.
      started = Date.now();
      await redisStore.rebuild(key, (after) => standingsByUserId(dataSource, key, after), null);
      console.log(
        `INCOMPLETE REBUILD; rebuilt with the reader below in ${fixed((Date.now() - started) / 1000)} s: ` +
          `${(await redisStore.status(key)).size.toLocaleString('en')} players`,
      );
    }
    console.log('');

    const [{ first }] = await dataSource.query('SELECT min(id)::text AS first FROM users');
    const randomUser = () => String(BigInt(first) + BigInt(Math.floor(Math.random() * PLAYERS)));
    const withRedis = new LeaderboardService(redisStore, postgres);
    const rows: string[][] = [];
    /** The queries of one leaderboard; `rankRuns` fewer where a rank counts index entries. */
    const measure = async (
      label: string,
      service: LeaderboardService,
      board: Board,
      period: Period,
      rankRuns: number,
      listRuns = rankRuns,
    ) => {
      rows.push([label, 'top 10', ...(await timed(RUNS, () => service.page(board, period, 10)))]);
      for (const offset of DEEP_OFFSETS) {
        rows.push([
          label,
          `page at offset ${offset.toLocaleString('en')}`,
          ...(await timed(RUNS, () => service.page(board, period, 10, offset))),
        ]);
      }
      rows.push([
        label,
        `rank of a random player (radius ${RADIUS})`,
        ...(await timed(rankRuns, () => service.around(board, period, randomUser(), RADIUS))),
      ]);
      const listed = () => Array.from({ length: USERS_LISTED }, () => randomUser());
      rows.push([
        label,
        `users= with ${USERS_LISTED} random players`,
        ...(await timed(listRuns, () => service.players(board, period, listed()))),
      ]);
      if (service !== withRedis || period.endsAt) return;
      // Its two parts: the ranks from Redis (one script, and the count), then the entries'
      // names, bests and metadata from PostgreSQL.
      const periodKey = { boardId: board.id, periodId: period.id };
      rows.push([
        label,
        `  of which the ranks and count (Redis)`,
        ...(await timed(listRuns, () =>
          Promise.all([redisStore.ranks(periodKey, listed()), redisStore.count(periodKey)]),
        )),
      ]);
      rows.push([
        label,
        `  of which the entries' details (PostgreSQL)`,
        ...(await timed(listRuns, () => postgres.entryDetails(period.id, listed()))),
      ]);
    };
    // The sum board: its own Redis set, built the same way.
    const sumBoard = await boards.get(SUM_BOARD);
    const sumPeriod = await boards.currentPeriod(sumBoard);
    const sumKey = { boardId: sumBoard.id, periodId: sumPeriod.id };
    await redisStore.rebuild(sumKey, (after) => standingsByUserId(dataSource, sumKey, after), null);
    console.log(
      `Redis sorted set of "${SUM_BOARD}" (ranking: sum) built: ` +
        `${(await redisStore.status(sumKey)).size.toLocaleString('en')} players`,
    );
    started = Date.now();
    await measure('current, Redis', withRedis, global, current, RUNS);
    await measure('current sum board, Redis', withRedis, sumBoard, sumPeriod, RUNS);
    const postgresOnly = new LeaderboardService(postgres, postgres);
    // users= from PostgreSQL counts the entries ahead of each of the 100: a few runs only.
    const listRuns = Math.max(3, Math.round(POSTGRES_RANK_RUNS / 40));
    await measure(
      'current, PostgreSQL only',
      postgresOnly,
      global,
      current,
      POSTGRES_RANK_RUNS,
      listRuns,
    );
    // Redis configured: the service reads a period that has ended from PostgreSQL.
    await measure('closed, PostgreSQL', withRedis, weekly, closed, POSTGRES_RANK_RUNS, listRuns);
    const route = new BoardLeaderboards(boards, withRedis);
    rows.push([
      'closed, PostgreSQL',
      'top 10 via BoardLeaderboards (period=previous)',
      ...(await timed(RUNS, () => route.page(CLOSED_BOARD, 'previous', { limit: 10 }))),
    ]);
    table(['period, store', 'query', 'runs', 'p50 ms', 'p99 ms'], rows);
    console.log(
      `(${fixed((Date.now() - started) / 1000)} s of queries; targets: current period with Redis ` +
        `under 5 ms p99, pages of a closed period under 50 ms p99)`,
    );

    await applyPathCost(dataSource, redisStore, standings, first);
  } finally {
    const keys = await redis.commands.keys(`${config.redisKeyPrefix}*`);
    // UNLINK: deleting sorted sets of a million members blocks Redis past the command timeout.
    if (keys.length > 0) await redis.commands.unlink(...keys);
    await redis.onApplicationShutdown();
    await dataSource.destroy();
    await database.drop();
  }
}

/**
 * The players; their standings in the global board's current period; the weekly board with its
 * previous period (the week before this one, closed) and their standings there. Seconds per step.
 */
async function seed(db: DataSource, currentPeriodId: string) {
  const seconds = async (work: () => Promise<unknown>) => {
    const started = Date.now();
    await work();
    return (Date.now() - started) / 1000;
  };
  const users = await seconds(() => seedUsers(db, PLAYERS));
  const current = await seconds(() => seedStandings(db, currentPeriodId, PLAYERS, 'random'));
  const weekly = new ResetSchedule('weekly', 'UTC');
  const endsAt = weekly.previous(new Date())!;
  const startsAt = weekly.previous(new Date(endsAt.getTime() - 1))!;
  const [closed] = await seedBoard(db, CLOSED_BOARD, 'weekly', [{ startsAt, endsAt }]);
  const closedSeconds = await seconds(() => seedStandings(db, closed!.periodId, PLAYERS, 'random'));
  const [sum] = await seedBoard(db, SUM_BOARD, 'never', [{ startsAt, endsAt: null }], 'sum');
  const sumSeconds = await seconds(() => seedStandings(db, sum!.periodId, PLAYERS, 'random'));
  const vacuum = await seconds(() => settle(db, 'users', 'user_stats'));
  return { users, current, closed: closedSeconds, sum: sumSeconds, vacuum };
}

/**
 * A page of the period's standings by user id for a rebuild, ordered by the column (not by its
 * text rendering, which StandingsRepository.pageAfter orders by: see the report).
 */
async function standingsByUserId(
  dataSource: DataSource,
  period: PeriodKey,
  after: string,
): Promise<Standing[]> {
  const rows: Array<{
    user_id: string;
    rank_score: string;
    achieved_us: string;
    version: string;
    ranked: boolean;
  }> = await dataSource.query(
    `SELECT s.user_id::text, s.rank_score::text,
              (extract(epoch FROM s.achieved_at) * 1000000)::bigint::text AS achieved_us,
              s.version::text, s.ranked
         FROM user_stats s WHERE s.period_id = $1 AND s.user_id > $2
        ORDER BY s.user_id LIMIT 10000`,
    [period.periodId, after],
  );
  return rows.map((row) => ({
    ...period,
    userId: row.user_id,
    rankScore: row.rank_score,
    achievedAtMicros: row.achieved_us,
    version: row.version,
    ranked: row.ranked,
  }));
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
  const [{ ids }] = await dataSource.query(
    `WITH inserted AS (
       INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, retry_at)
       SELECT $1::bigint + (random() * ($2 - 1))::bigint, 'bench-' || i, (random() * 100)::int,
              'global', (SELECT id FROM board_periods WHERE board_id = 'global'),
              now() + interval '1 day'
         FROM generate_series(1, $3) AS i
       RETURNING id)
     SELECT array_agg(id::text ORDER BY id) AS ids FROM inserted`,
    [first, PLAYERS, APPLY_BATCHES * 100],
  );
  await dataSource.query('ANALYZE scores');
  const repository = new ProcessingRepository(dataSource, new OutboxRepository());
  const apply: number[] = [];
  const record: number[] = [];
  for (let i = 0; i < APPLY_BATCHES; i++) {
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
        version: u.version,
        ranked: u.ranked,
      })),
    );
    await standings.forgetChanges(batch.changeIds);
    record.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  apply.sort((a, b) => a - b);
  record.sort((a, b) => a - b);
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  console.log(
    `\nApply path, ${APPLY_BATCHES} batches of 100 scores for random players among ${PLAYERS.toLocaleString('en')}:` +
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
