/**
 * Apply-path benchmark (issue 3, boards and periods). Modes (BENCH_MODE, default `all`: each in
 * turn):
 *
 * - `throughput`: events applied per second by ProcessingRepository.applyBatch with 4 appliers at
 *   batch sizes 1, 10 and 100: over 10,000 users on one board, over the same 10,000 users with
 *   their scores spread over 10 boards (each its own current period), and over one hot user;
 *   printed beside pgbench running a single-row standing UPDATE on the same database in the same
 *   run; and over the 10,000 users on a board ranking by sum. The runs alternate (one board, ten,
 *   sum, sum, ten, one) and each figure is the mean of its two runs, so that drift on a shared
 *   machine falls on all alike.
 * - `rollover`: a board with 1,000,000 players whose period ends a few seconds into the run. Scores
 *   are inserted throughout as the API inserts them (their period is the one containing the
 *   database's clock at insert), keeping a small backlog ahead of 4 appliers; prints the events
 *   applied in each second across the boundary, split by period.
 * - `lag`: the processing lag (accept -> applied) at a steady submit rate through the real HTTP
 *   API and worker.
 * - `contention`: 16 concurrent applyBatch callers on batches of 20 scores of 30 hot users (a
 *   reported deadlock), counting failed batches by SQLSTATE and checking the standings and player
 *   counts against a recomputation from `scores` afterwards.
 *
 *   npm run bench:apply -w packages/server                          # everything
 *   BENCH_MODE=contention npm run bench:apply -w packages/server    # one mode
 *
 * Needs the PostgreSQL of SPEC section 4 (127.0.0.1:5432) and pgbench on PATH. Prints figures;
 * asserts nothing, except that the exit code is 1 when the contention run leaves the aggregates
 * inexact.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, QueryFailedError } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../src/database/data-source';
import { ProcessingRepository } from '../src/processing/processing.repository';
import { OutboxRepository } from '../src/webhooks/outbox.repository';
import { Reconciler } from '../src/processing/reconciler';
import { ApiClient } from '../test/support/api-client';
import { startTestApp } from '../test/support/test-app';
import { createTestDatabase } from '../test/support/test-database';
import { fixed, percentile } from './percentiles';
import {
  seedBoard,
  seedStandings,
  seedUsers,
  settle,
  withSeedingConnection,
  type SeededPeriod,
} from './seeding';

/** Script parameters (see the header). */
const {
  BENCH_SECONDS = '8',
  BENCH_MODE = 'all',
  /** Boards the ten-board throughput run spreads its scores over. */
  BENCH_BOARDS = '10',
  /** Players of the rollover board. */
  BENCH_PLAYERS = '1000000',
  /** Seconds into the rollover run at which the board's period ends. */
  BENCH_ROLLOVER_AT = '4',
  BENCH_ROLLOVER_BATCH = '100',
  /**
   * `1`: also the share of the throughput runs' standing updates that were HOT (no index entry
   * written; pg_stat_user_tables of user_stats, read once the appliers' statistics are flushed,
   * which adds 11 s to each run).
   */
  BENCH_HOT = '0',
} = process.env;
const SECONDS = Number(BENCH_SECONDS);
const MODES = ['all', 'throughput', 'rollover', 'lag', 'contention'];
if (!MODES.includes(BENCH_MODE))
  throw new Error(`BENCH_MODE must be one of ${MODES.join(', ')}, not "${BENCH_MODE}"`);
const USERS = 10_000;
const BOARDS = Number(BENCH_BOARDS);
const BATCHES = [1, 10, 100];
const APPLIERS = 4; // concurrent transactions, as pgbench's clients
const ROLLOVER = {
  board: 'bench-rollover',
  players: Number(BENCH_PLAYERS),
  boundaryAfterSeconds: Number(BENCH_ROLLOVER_AT),
  batch: Number(BENCH_ROLLOVER_BATCH),
  /** Scores the inserter adds at a time (one statement), whenever the backlog is below `backlog`. */
  chunk: 1000,
  backlog: APPLIERS * Number(BENCH_ROLLOVER_BATCH) * 4,
  /** Run, not printed, before the SECONDS printed (connections, caches, the first backlog). */
  warmUpSeconds: 1,
};
/** The reported deadlock: many appliers on small batches of a few hot users' scores. */
const CONTENTION = { appliers: 16, batch: 20, scores: 20_000, users: 30 };
const DEADLOCK_DETECTED = '40P01';
/** The global board's one period, which the one-board runs are in. */
const GLOBAL_PERIOD = `(SELECT id FROM board_periods WHERE board_id = 'global')`;

const runs = (mode: string) => BENCH_MODE === 'all' || BENCH_MODE === mode;

async function main(): Promise<void> {
  Logger.overrideLogger(['warn', 'error']);
  if (runs('throughput')) await measureThroughput();
  if (runs('rollover')) await measureRollover();
  if (runs('lag')) await measureLag();
  if (runs('contention')) await measureContention();
}

/** Creates a migrated database, runs `work` on it, then drops it. */
async function withBenchDatabase(
  label: string,
  connections: number,
  work: (dataSource: DataSource, url: string) => Promise<void>,
): Promise<void> {
  const database = await createTestDatabase(label);
  const dataSource = await new DataSource({
    ...dataSourceOptions(database.url),
    extra: { max: connections },
  }).initialize();
  try {
    await runMigrations(dataSource);
    await work(dataSource, database.url);
  } finally {
    await dataSource.destroy();
    await database.drop();
  }
}

async function globalPeriod(dataSource: DataSource): Promise<SeededPeriod> {
  const [row] = await dataSource.query(`SELECT ${GLOBAL_PERIOD}::text AS id`);
  return { boardId: 'global', periodId: String(row.id) };
}

/** Where a run's scores go: `users` users, round-robin, each score on one of `periods`. */
type Spread = { label: string; boards: number; users: number; periods: SeededPeriod[] };

/**
 * Events/s at batch sizes 1, 10 and 100: on one board, on ten, and on one hot user; beside
 * pgbench.
 */
async function measureThroughput(): Promise<void> {
  await withBenchDatabase('bench_apply', APPLIERS + 2, async (dataSource, url) => {
    const global = await globalPeriod(dataSource);
    // Every user has a standing in every period from the start, so that every apply updates one
    // (as in steady state), and is counted as its player.
    const boards = await withSeedingConnection(url, async (seeding) => {
      await seedUsers(seeding, USERS);
      await seedStandings(seeding, global.periodId, USERS, 'zero');
      const periods: SeededPeriod[] = [];
      const dayAgo = new Date(Date.now() - 86_400_000);
      for (let b = 0; b < BOARDS; b++) {
        const [period] = await seedBoard(seeding, `bench-${b}`, 'never', [
          { startsAt: dayAgo, endsAt: null },
        ]);
        await seedStandings(seeding, period!.periodId, USERS, 'zero');
        periods.push(period!);
      }
      const [sum] = await seedBoard(
        seeding,
        'bench-sum',
        'never',
        [{ startsAt: dayAgo, endsAt: null }],
        'sum',
      );
      await seedStandings(seeding, sum!.periodId, USERS, 'zero');
      await settle(seeding, 'users', 'user_stats');
      return { periods, sum: sum! };
    });
    const repository = new ProcessingRepository(dataSource, new OutboxRepository());
    const oneBoard: Spread = {
      label: `${USERS.toLocaleString('en')} users`,
      boards: 1,
      users: USERS,
      periods: [global],
    };
    const tenBoards: Spread = { ...oneBoard, boards: BOARDS, periods: boards.periods };
    const sumBoard: Spread = {
      label: `${USERS.toLocaleString('en')} users, sum board`,
      boards: 1,
      users: USERS,
      periods: [boards.sum],
    };
    const hot: Spread = { label: '1 hot user', boards: 1, users: 1, periods: [global] };

    console.log(
      `\nApply throughput: ${APPLIERS} concurrent appliers, ${SECONDS} s per run, PostgreSQL ${await serverVersion(dataSource)}`,
    );
    const pgbench = runPgbench(url, global.periodId);
    console.log(
      `pgbench single-row standing UPDATE (${APPLIERS} clients): ${fixed(pgbench)} updates/s\n`,
    );

    const rates = new Map<Spread, Map<number, number[]>>(
      [oneBoard, tenBoards, sumBoard, hot].map((spread) => [spread, new Map()]),
    );
    const hotShares = new Map<string, number[]>();
    const measure = async (spread: Spread, batch: number) => {
      const before = BENCH_HOT === '1' ? await standingUpdates(dataSource) : undefined;
      const rate = await measureApply(dataSource, repository, spread, batch);
      rates.get(spread)!.set(batch, [...(rates.get(spread)!.get(batch) ?? []), rate]);
      if (!before) return;
      // A backend flushes its statistics within 10 s of going idle.
      await sleep(11_000);
      const after = await standingUpdates(dataSource);
      const share = (after.hot - before.hot) / Math.max(1, after.updates - before.updates);
      const key = `${spread.label} on ${spread.boards} board${spread.boards === 1 ? '' : 's'}, batch ${batch}`;
      hotShares.set(key, [...(hotShares.get(key) ?? []), share]);
    };
    for (const batch of BATCHES) {
      for (const spread of [oneBoard, tenBoards, sumBoard, sumBoard, tenBoards, oneBoard]) {
        await measure(spread, batch);
      }
      await measure(hot, batch);
    }

    const mean = (spread: Spread, batch: number) => average(rates.get(spread)!.get(batch)!);
    const rows: string[][] = [];
    for (const spread of [oneBoard, tenBoards, sumBoard, hot]) {
      for (const batch of BATCHES) {
        const rate = mean(spread, batch);
        rows.push([
          spread.label,
          String(spread.boards),
          String(batch),
          rates
            .get(spread)!
            .get(batch)!
            .map((r) => fixed(r))
            .join(', '),
          fixed(rate),
          `${fixed(rate / pgbench, 2)} x`,
          spread === tenBoards || spread === sumBoard
            ? `${fixed(rate / mean(oneBoard, batch), 2)} x`
            : '',
        ]);
      }
    }
    table(['users', 'boards', 'batch', 'runs', 'events/s', 'vs pgbench', 'vs 1 board'], rows);
    console.log(
      `\nhot / uniform at batch 100: ${fixed(mean(hot, 100) / mean(oneBoard, 100), 2)} x` +
        `; at batch 10: ${fixed(mean(hot, 10) / mean(oneBoard, 10), 2)} x` +
        `\n${BOARDS} boards / 1 board: ` +
        BATCHES.map(
          (batch) =>
            `${fixed(mean(tenBoards, batch) / mean(oneBoard, batch), 2)} x at batch ${batch}`,
        ).join(', ') +
        `\nsum board / best board: ` +
        BATCHES.map(
          (batch) =>
            `${fixed(mean(sumBoard, batch) / mean(oneBoard, batch), 2)} x at batch ${batch}`,
        ).join(', '),
    );
    if (hotShares.size > 0) {
      console.log('\nHOT updates of user_stats (no index entry written), by run:');
      for (const [key, shares] of hotShares)
        console.log(`  ${key}: ${shares.map((share) => `${fixed(share * 100)} %`).join(', ')}`);
    }
  });
}

/** Updates of user_stats so far, and how many of them were HOT (pg_stat_user_tables). */
async function standingUpdates(dataSource: DataSource): Promise<{ updates: number; hot: number }> {
  const [row] = await dataSource.query(
    `SELECT n_tup_upd AS updates, n_tup_hot_upd AS hot FROM pg_stat_user_tables
      WHERE relname = 'user_stats'`,
  );
  return { updates: Number(row.updates), hot: Number(row.hot) };
}

const average = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function serverVersion(dataSource: DataSource): Promise<string> {
  const [row] = await dataSource.query('SHOW server_version');
  return String(row.server_version).split(' ')[0]!;
}

/** pgbench: one UPDATE of one user's standing row per transaction, random users. */
function runPgbench(url: string, periodId: string): number {
  const script = join(mkdtempSync(join(tmpdir(), 'scoreboard-bench-')), 'update.sql');
  writeFileSync(
    script,
    `\\set u random(1, ${USERS})\n` +
      `UPDATE user_stats SET total_scores = total_scores + 1, sum_scores = sum_scores + 5, updated_at = now() WHERE period_id = ${periodId} AND user_id = :u;\n`,
  );
  const output = execFileSync(
    'pgbench',
    ['-n', '-c', String(APPLIERS), '-j', '2', '-T', String(SECONDS), '-f', script, url],
    { encoding: 'utf8' },
  );
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
  if (!tps) throw new Error(`Unexpected pgbench output:\n${output}`);
  return Number(tps[1]);
}

/**
 * Inserts pending scores (out of the sweeper's reach), then lets APPLIERS loops apply them in
 * batches for SECONDS, and returns scores applied per second.
 */
async function measureApply(
  dataSource: DataSource,
  repository: ProcessingRepository,
  spread: Spread,
  batch: number,
): Promise<number> {
  // Enough for SECONDS at up to 3,000 batches/s, and 60,000 events/s at most.
  const planned = Math.ceil(SECONDS * Math.min(batch * 3000, 60_000));
  const ids = await insertPendingScores(dataSource, planned, spread.users, spread.periods);
  let next = 0;
  let applied = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: APPLIERS }, async () => {
      while (Date.now() < deadline && next < ids.length) {
        const chunk = ids.slice(next, next + batch);
        next += batch;
        const result = await repository.applyBatch(chunk);
        applied += result.applied.length;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (next >= ids.length)
    console.warn(`(batch ${batch}: all ${planned} scores applied before the time was up)`);
  await dataSource.query(`UPDATE scores SET applied_at = now() WHERE applied_at IS NULL`);
  return applied / seconds;
}

/**
 * Inserts `count` pending scores (out of the sweeper's reach) spread round-robin over the first
 * `users` users, and returns their ids in insertion order. Score i is in period
 * (i + i / users) mod |periods|: consecutive scores (so every batch) go to different periods, and
 * over |periods| rounds each user plays in each.
 */
async function insertPendingScores(
  dataSource: DataSource,
  count: number,
  users: number,
  periods: SeededPeriod[],
): Promise<string[]> {
  const [{ first }] = await dataSource.query(`SELECT min(id) AS first FROM users`);
  const ids: string[] = (
    await dataSource.query(
      `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, retry_at)
       SELECT $2::bigint + (i % $3), 'bench-' || $4 || '-' || i, (i::bigint * 7919) % 101,
              ($5::text[])[1 + (i + i / $3) % cardinality($5::text[])],
              ($6::bigint[])[1 + (i + i / $3) % cardinality($6::bigint[])],
              now() + interval '1 day'
         FROM generate_series(1, $1) AS i
       RETURNING id`,
      [
        count,
        first,
        users,
        randomUUID(),
        periods.map((p) => p.boardId),
        periods.map((p) => p.periodId),
      ],
    )
  ).map((row: { id: string }) => row.id);
  // Fresh statistics, as autovacuum would have them (the planner must see a big table), the
  // previous run's dead rows vacuumed, and a checkpoint: every run starts alike.
  await settle(dataSource, 'scores', 'user_stats');
  return ids;
}

/** What happened in one second of the rollover run. */
type Second = {
  applied: number;
  byPeriod: Map<string, number>;
  inserted: number;
  ages: number[];
  idleMs: number;
};

/**
 * A board with ROLLOVER.players players whose period ends ROLLOVER.boundaryAfterSeconds into the
 * run. One inserter adds scores as the API does (the period containing the database's clock),
 * ROLLOVER.chunk at a time whenever fewer than ROLLOVER.backlog wait; APPLIERS loops apply them
 * in batches of ROLLOVER.batch, oldest first. Before the boundary a score updates its player's
 * standing in the old period; after it, it mostly creates the player's first standing in the new
 * period (and adds to its player count).
 */
async function measureRollover(): Promise<void> {
  const { board, players, boundaryAfterSeconds, batch, chunk, backlog, warmUpSeconds } = ROLLOVER;
  await withBenchDatabase('bench_rollover', APPLIERS + 2, async (dataSource, url) => {
    let started = Date.now();
    const { first, old } = await withSeedingConnection(url, async (seeding) => {
      const first = await seedUsers(seeding, players);
      const [old] = await seedBoard(seeding, board, 'daily', [
        { startsAt: new Date(Date.now() - 86_400_000), endsAt: null },
      ]);
      await seedStandings(seeding, old!.periodId, players, 'random');
      await settle(seeding, 'users', 'user_stats');
      return { first, old: old! };
    });
    console.log(
      `\nRollover: board "${board}" with ${players.toLocaleString('en')} players (seeded in ` +
        `${fixed((Date.now() - started) / 1000)} s), ${APPLIERS} appliers, batches of ${batch}, ` +
        `${SECONDS} s after ${warmUpSeconds} s of warm-up, the period ending ${boundaryAfterSeconds} s in; PostgreSQL ${await serverVersion(dataSource)}`,
    );
    const repository = new ProcessingRepository(dataSource, new OutboxRepository());
    // The old period ends soon and the next one starts there, as the board's reset would have it.
    const [next]: Array<{ id: string; starts_at: Date }> = await dataSource.query(
      `WITH ended AS (
         UPDATE board_periods SET ends_at = clock_timestamp() + make_interval(secs => $2)
          WHERE id = $1 RETURNING board_id, ends_at)
       INSERT INTO board_periods (board_id, starts_at, ends_at)
       SELECT board_id, ends_at, ends_at + interval '1 day' FROM ended
       RETURNING id::text, starts_at`,
      [old.periodId, warmUpSeconds + boundaryAfterSeconds],
    );
    const boundary = new Date(next!.starts_at).getTime();
    started = boundary - (warmUpSeconds + boundaryAfterSeconds) * 1000;
    const deadline = started + (warmUpSeconds + SECONDS) * 1000;
    const seconds = new Map<number, Second>();
    const second = (at: number): Second => {
      const s = Math.floor((at - boundary) / 1000);
      if (!seconds.has(s))
        seconds.set(s, { applied: 0, byPeriod: new Map(), inserted: 0, ages: [], idleMs: 0 });
      return seconds.get(s)!;
    };

    const queue: Array<{ id: string; periodId: string }> = [];
    const run = randomUUID();
    const insert = async () => {
      for (let n = 0; Date.now() < deadline;) {
        if (queue.length >= backlog) {
          await sleep(1);
          continue;
        }
        const rows: Array<{ id: string; period_id: string }> = await dataSource.query(
          `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, retry_at)
           SELECT $2::bigint + floor(random() * $3)::bigint, $5 || '-' || ($6::bigint + g),
                  floor(random() * 101)::int, p.board_id, p.id, now() + interval '1 day'
             FROM board_periods p CROSS JOIN generate_series(1, $4) AS g
            WHERE p.board_id = $1 AND p.starts_at <= now() AND (p.ends_at IS NULL OR now() < p.ends_at)
           ON CONFLICT (user_id, idempotency_key) DO NOTHING
           RETURNING id::text, period_id::text`,
          [board, first, players, chunk, run, n],
        );
        n += chunk;
        queue.push(...rows.map((row) => ({ id: row.id, periodId: row.period_id })));
        second(Date.now()).inserted += rows.length;
      }
    };
    const apply = async () => {
      while (Date.now() < deadline) {
        const taken = queue.splice(0, batch);
        if (taken.length === 0) {
          const idle = Date.now();
          await sleep(1);
          second(idle).idleMs += Date.now() - idle;
          continue;
        }
        const result = await repository.applyBatch(taken.map((score) => score.id));
        const s = second(Date.now());
        s.applied += result.applied.length;
        const applied = new Set(result.applied.map((score) => score.id));
        for (const score of taken) {
          if (applied.has(score.id))
            s.byPeriod.set(score.periodId, (s.byPeriod.get(score.periodId) ?? 0) + 1);
        }
        for (const score of result.applied)
          s.ages.push(score.appliedAt.getTime() - score.createdAt.getTime());
      }
    };
    await Promise.all([insert(), ...Array.from({ length: APPLIERS }, apply)]);

    const rows: string[][] = [];
    const whole = [...seconds.keys()]
      .filter((s) => s >= -boundaryAfterSeconds && (s + 1) * 1000 <= deadline - boundary)
      .sort((a, b) => a - b);
    for (const s of whole) {
      const data = seconds.get(s)!;
      data.ages.sort((a, b) => a - b);
      rows.push([
        `${s >= 0 ? '+' : ''}${s}`,
        String(data.applied),
        String(data.byPeriod.get(old.periodId) ?? 0),
        String(data.byPeriod.get(next!.id) ?? 0),
        String(data.inserted),
        fixed(percentile(data.ages, 50)),
        fixed(percentile(data.ages, 99)),
        `${fixed((100 * data.idleMs) / (APPLIERS * 1000))} %`,
      ]);
    }
    table(
      [
        's from boundary',
        'events applied',
        'old period',
        'new period',
        'inserted',
        'age p50 ms',
        'age p99 ms',
        'appliers idle',
      ],
      rows,
    );
    const rate = (range: number[]) => average(range.map((s) => seconds.get(s)!.applied));
    const before = whole.filter((s) => s < 0);
    const after = whole.filter((s) => s >= 0);
    const lowest = Math.min(...whole.map((s) => seconds.get(s)!.applied));
    console.log(
      `before the boundary ${fixed(rate(before))} events/s, after it ${fixed(rate(after))} ` +
        `(${fixed(rate(after) / rate(before), 2)} x); lowest second ${lowest} ` +
        `(${fixed(lowest / rate(before), 2)} x the rate before)`,
    );
  });
}

/**
 * The reported failure: CONTENTION.appliers concurrent applyBatch callers, each batch of
 * CONTENTION.batch scores attempted once, until every batch was tried or SECONDS passed. Counts
 * failed batches by SQLSTATE, then compares the standings and the player counts with a
 * recomputation from `scores` and `user_stats`.
 */
async function measureContention(): Promise<void> {
  const { appliers, batch, scores, users } = CONTENTION;
  await withBenchDatabase('bench_contention', appliers + 2, async (dataSource, url) => {
    const global = await globalPeriod(dataSource);
    await withSeedingConnection(url, async (seeding) => {
      await seedUsers(seeding, users);
      await seedStandings(seeding, global.periodId, users, 'zero');
    });
    const repository = new ProcessingRepository(dataSource, new OutboxRepository());
    const ids = await insertPendingScores(dataSource, scores, users, [global]);
    console.log(
      `\nContention: ${appliers} concurrent appliers, batches of ${batch}, ` +
        `${scores.toLocaleString('en')} pending scores over ${users} hot users, ${SECONDS} s at most, ` +
        `PostgreSQL ${await serverVersion(dataSource)}`,
    );
    const failures = new Map<string, number>();
    let next = 0;
    let attempted = 0;
    let applied = 0;
    const started = process.hrtime.bigint();
    const deadline = Date.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: appliers }, async () => {
        while (Date.now() < deadline && next < ids.length) {
          const chunk = ids.slice(next, next + batch);
          next += batch;
          attempted += 1;
          try {
            const result = await repository.applyBatch(chunk);
            applied += result.applied.length;
          } catch (error) {
            const code = sqlState(error);
            failures.set(code, (failures.get(code) ?? 0) + 1);
          }
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const reconciler = new Reconciler(dataSource);
    const drift = await reconciler.findDrift();
    const countDrift = await reconciler.findCountDrift();

    const failed = [...failures.values()].reduce((sum, n) => sum + n, 0);
    const deadlocks = failures.get(DEADLOCK_DETECTED) ?? 0;
    const others = [...failures].filter(([code]) => code !== DEADLOCK_DETECTED);
    table(
      [
        'batches',
        'failed',
        `deadlocks (${DEADLOCK_DETECTED})`,
        'other failures',
        'scores applied',
        'events/s',
      ],
      [
        [
          `${attempted} of ${Math.ceil(ids.length / batch)}`,
          String(failed),
          String(deadlocks),
          others.length === 0 ? '0' : others.map(([code, n]) => `${n} x ${code}`).join(', '),
          `${applied} of ${ids.length}`,
          fixed(applied / seconds),
        ],
      ],
    );
    console.log(
      drift.length === 0
        ? `Aggregates exact: the standings match a recomputation from scores.`
        : `AGGREGATES DRIFTED for ${drift.length} of ${users} users, e.g. ${JSON.stringify(drift[0])}`,
    );
    console.log(
      countDrift.length === 0
        ? `Player counts exact: leaderboard_counts matches a count of the standings.`
        : `PLAYER COUNTS DRIFTED: ${JSON.stringify(countDrift)}`,
    );
    if (drift.length > 0 || countDrift.length > 0) process.exitCode = 1;
  });
}

/** The SQLSTATE of a failed statement; anything else is not a result of the run, so rethrown. */
function sqlState(error: unknown): string {
  const code =
    error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
  if (code === undefined) throw error;
  return code;
}

/** Steady submissions through HTTP to the all-in-one app; lag read back from PostgreSQL. */
async function measureLag(): Promise<void> {
  const rate = 200;
  const seconds = 10;
  const app = await startTestApp('bench_lag', { LOG_LEVEL: 'warn' });
  try {
    const api = new ApiClient(app.baseUrl);
    const tokens = await Promise.all(
      Array.from({ length: 50 }, async () => (await api.signup()).token),
    );
    const submissions: Array<Promise<unknown>> = [];
    const started = Date.now();
    for (let i = 0; i < rate * seconds; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      submissions.push(api.submitScore(tokens[i % tokens.length]!, i % 101));
    }
    await Promise.all(submissions);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const rows: Array<{ lag_ms: number }> = await app.sql(
      `SELECT extract(epoch FROM applied_at - created_at) * 1000 AS lag_ms FROM scores ORDER BY 1`,
    );
    const lags = rows.map((row) => Number(row.lag_ms));
    const pending = await app.sql(`SELECT count(*) AS n FROM scores WHERE applied_at IS NULL`);
    console.log(
      `\nLag at a steady ${rate} submissions/s for ${seconds} s (HTTP API + in-process worker, one process):` +
        `\n  p50 ${fixed(percentile(lags, 50), 2)} ms, p99 ${fixed(percentile(lags, 99), 2)} ms, max ${fixed(lags[lags.length - 1]!, 2)} ms` +
        ` over ${lags.length} scores; still pending: ${(pending[0] as { n: string }).n}`,
    );
  } finally {
    await app.close();
  }
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(line(header));
  rows.forEach((row) => console.log(line(row)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
