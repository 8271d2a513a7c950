/**
 * Apply-path benchmark (issue 3): events applied per second by ProcessingRepository.applyBatch at
 * batch sizes 1, 10 and 100, over 10,000 users and over one hot user, printed beside pgbench
 * running a single-row aggregate UPDATE on the same database in the same run; then the processing
 * lag (accept -> applied) at a steady submit rate through the real HTTP API and worker; then
 * contention: 16 concurrent applyBatch callers on batches of 20 scores of 30 hot users (a reported
 * deadlock), counting failed batches by SQLSTATE and checking the aggregates against a
 * recomputation from `scores` afterwards.
 *
 *   npm run bench:apply -w packages/server                          # everything
 *   BENCH_MODE=contention npm run bench:apply -w packages/server    # the contention run only
 *
 * Needs the PostgreSQL of SPEC section 4 (127.0.0.1:5432) and pgbench on PATH. Prints figures;
 * asserts nothing, except that the exit code is 1 when the contention run leaves the aggregates
 * inexact.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, QueryFailedError } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../src/database/data-source';
import { ProcessingRepository } from '../src/processing/processing.repository';
import { Reconciler } from '../src/processing/reconciler';
import { ApiClient } from '../test/support/api-client';
import { startTestApp } from '../test/support/test-app';
import { createTestDatabase } from '../test/support/test-database';
import { fixed, percentile } from './percentiles';

/** The global board's one period, which every benchmark score and standing is in. */
const GLOBAL_PERIOD = `(SELECT id FROM board_periods WHERE board_id = 'global')`;
const USERS = 10_000;
const APPLIERS = 4; // concurrent transactions, as pgbench's clients
/** The reported deadlock: many appliers on small batches of a few hot users' scores. */
const CONTENTION = { appliers: 16, batch: 20, scores: 20_000, users: 30 };
const DEADLOCK_DETECTED = '40P01';
/** Script parameters (see the header). */
const { BENCH_SECONDS = '8', BENCH_MODE = 'all' } = process.env;
const SECONDS = Number(BENCH_SECONDS);
if (BENCH_MODE !== 'all' && BENCH_MODE !== 'contention')
  throw new Error(`BENCH_MODE must be "all" or "contention", not "${BENCH_MODE}"`);

async function main(): Promise<void> {
  if (BENCH_MODE === 'all') {
    await measureThroughput();
    await measureLag();
  }
  await measureContention();
}

/** Creates a migrated database with `users` users, runs `work` on it, then drops it. */
async function withBenchDatabase(
  label: string,
  users: number,
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
    await seedUsers(dataSource, users);
    await work(dataSource, database.url);
  } finally {
    await dataSource.destroy();
    await database.drop();
  }
}

/** Events/s at batch sizes 1, 10 and 100, uniform and on one hot user, beside pgbench. */
async function measureThroughput(): Promise<void> {
  await withBenchDatabase('bench_apply', USERS, APPLIERS + 2, async (dataSource, url) => {
    const repository = new ProcessingRepository(dataSource);

    console.log(
      `\nApply throughput: ${APPLIERS} concurrent appliers, ${SECONDS} s per run, PostgreSQL ${await serverVersion(dataSource)}`,
    );
    const pgbench = runPgbench(url);
    console.log(
      `pgbench single-row aggregate UPDATE (${APPLIERS} clients): ${fixed(pgbench)} updates/s\n`,
    );

    const rows: string[][] = [];
    const rates: Record<string, number> = {};
    for (const scenario of ['uniform', 'hot'] as const) {
      for (const batch of [1, 10, 100]) {
        const rate = await measureApply(dataSource, repository, scenario, batch);
        rates[`${scenario}-${batch}`] = rate;
        rows.push([
          scenario === 'uniform' ? `${USERS.toLocaleString('en')} users` : '1 hot user',
          String(batch),
          fixed(rate),
          `${fixed(rate / pgbench, 2)} x`,
        ]);
      }
    }
    table(['users', 'batch', 'events/s', 'vs pgbench'], rows);
    console.log(
      `\nhot / uniform at batch 100: ${fixed(rates['hot-100']! / rates['uniform-100']!, 2)} x` +
        `; at batch 10: ${fixed(rates['hot-10']! / rates['uniform-10']!, 2)} x`,
    );
  });
}

async function serverVersion(dataSource: DataSource): Promise<string> {
  const [row] = await dataSource.query('SHOW server_version');
  return String(row.server_version).split(' ')[0]!;
}

/** `count` users and their aggregate rows, set-based. */
async function seedUsers(dataSource: DataSource, count: number): Promise<void> {
  await dataSource.query(
    `INSERT INTO users (email, password_hash, display_name)
     SELECT 'bench' || i || '@example.com', 'x', 'bench-' || i FROM generate_series(1, $1) AS i`,
    [count],
  );
  // Standings on the global board exist from the start, so that every apply updates one (as in
  // steady state), and are counted as its players.
  await dataSource.query(
    `INSERT INTO user_stats (period_id, board_id, user_id, high_score, rank_score, achieved_at,
                             high_score_updated_at)
     SELECT ${GLOBAL_PERIOD}, 'global', id, 0, 0, now(), now() FROM users`,
  );
  await dataSource.query(
    `UPDATE leaderboard_counts SET players = CASE WHEN stripe = 0 THEN $1::bigint ELSE 0 END`,
    [count],
  );
}

/** pgbench: one UPDATE of one user's aggregate row per transaction, random users. */
function runPgbench(url: string): number {
  const script = join(mkdtempSync(join(tmpdir(), 'scoreboard-bench-')), 'update.sql');
  writeFileSync(
    script,
    `\\set u random(1, ${USERS})\n` +
      `UPDATE user_stats SET total_scores = total_scores + 1, sum_scores = sum_scores + 5, updated_at = now() WHERE user_id = :u;\n`,
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
  scenario: 'uniform' | 'hot',
  batch: number,
): Promise<number> {
  const planned = Math.min(400_000, batch * 6000);
  const ids = await insertPendingScores(dataSource, planned, scenario === 'hot' ? 1 : USERS);
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
 * `users` users, and returns their ids in insertion order.
 */
async function insertPendingScores(
  dataSource: DataSource,
  count: number,
  users: number,
): Promise<string[]> {
  const [{ first }] = await dataSource.query(`SELECT min(id) AS first FROM users`);
  const ids: string[] = (
    await dataSource.query(
      `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, retry_at)
       SELECT $2::bigint + (i % $3), 'bench-' || $4 || '-' || i, (i::bigint * 7919) % 101,
              'global', ${GLOBAL_PERIOD}, now() + interval '1 day'
         FROM generate_series(1, $1) AS i
       RETURNING id`,
      [count, first, users, randomUUID()],
    )
  ).map((row: { id: string }) => row.id);
  // Fresh statistics, as autovacuum would have them: the planner must see a big table.
  await dataSource.query('ANALYZE scores');
  return ids;
}

/**
 * The reported failure: CONTENTION.appliers concurrent applyBatch callers, each batch of
 * CONTENTION.batch scores attempted once, until every batch was tried or SECONDS passed. Counts
 * failed batches by SQLSTATE, then compares the aggregates with a recomputation from `scores`.
 */
async function measureContention(): Promise<void> {
  const { appliers, batch, scores, users } = CONTENTION;
  await withBenchDatabase('bench_contention', users, appliers + 2, async (dataSource) => {
    const repository = new ProcessingRepository(dataSource);
    const ids = await insertPendingScores(dataSource, scores, users);
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
    const drift = await new Reconciler(dataSource).findDrift();

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
        ? `Aggregates exact: user_stats and high scores match a recomputation from scores.`
        : `AGGREGATES DRIFTED for ${drift.length} of ${users} users, e.g. ${JSON.stringify(drift[0])}`,
    );
    if (drift.length > 0) process.exitCode = 1;
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
