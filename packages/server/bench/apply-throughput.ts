/**
 * Apply-path benchmark (issue 3): events applied per second by ProcessingRepository.applyBatch at
 * batch sizes 1, 10 and 100, over 10,000 users and over one hot user, printed beside pgbench
 * running a single-row aggregate UPDATE on the same database in the same run; then the processing
 * lag (accept -> applied) at a steady submit rate through the real HTTP API and worker.
 *
 *   npm run bench:apply -w packages/server
 *
 * Needs the PostgreSQL of SPEC section 4 (127.0.0.1:5432) and pgbench on PATH. Prints figures;
 * asserts nothing.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../src/database/data-source';
import { ProcessingRepository } from '../src/processing/processing.repository';
import { ApiClient } from '../test/support/api-client';
import { startTestApp } from '../test/support/test-app';
import { createTestDatabase } from '../test/support/test-database';
import { fixed, percentile } from './percentiles';

const USERS = 10_000;
const APPLIERS = 4; // concurrent transactions, as pgbench's clients
/** Script parameters (see the header). */
const { BENCH_SECONDS = '8' } = process.env;
const SECONDS = Number(BENCH_SECONDS);

async function main(): Promise<void> {
  const database = await createTestDatabase('bench_apply');
  const dataSource = await new DataSource({
    ...dataSourceOptions(database.url),
    extra: { max: APPLIERS + 2 },
  }).initialize();
  try {
    await runMigrations(dataSource);
    await seedUsers(dataSource);
    const repository = new ProcessingRepository(dataSource);

    console.log(
      `\nApply throughput: ${APPLIERS} concurrent appliers, ${SECONDS} s per run, PostgreSQL ${await serverVersion(dataSource)}`,
    );
    const pgbench = runPgbench(database.url);
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
  } finally {
    await dataSource.destroy();
    await database.drop();
  }
  await measureLag();
}

async function serverVersion(dataSource: DataSource): Promise<string> {
  const [row] = await dataSource.query('SHOW server_version');
  return String(row.server_version).split(' ')[0]!;
}

/** Users and their aggregate rows, set-based. */
async function seedUsers(dataSource: DataSource): Promise<void> {
  await dataSource.query(
    `INSERT INTO users (email, password_hash, display_name)
     SELECT 'bench' || i || '@example.com', 'x', 'bench-' || i FROM generate_series(1, $1) AS i`,
    [USERS],
  );
  await dataSource.query(`INSERT INTO user_stats (user_id) SELECT id FROM users`);
  await dataSource.query(
    `INSERT INTO user_high_scores (user_id, high_score, achieved_at) SELECT id, 0, now() FROM users`,
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
  const [{ first }] = await dataSource.query(`SELECT min(id) AS first FROM users`);
  const ids: string[] = (
    await dataSource.query(
      `INSERT INTO scores (user_id, idempotency_key, value, retry_at)
       SELECT CASE WHEN $2 THEN $3::bigint ELSE $3::bigint + (i % $4) END,
              'bench-' || $5 || '-' || i, (i::bigint * 7919) % 101, now() + interval '1 day'
         FROM generate_series(1, $1) AS i
       RETURNING id`,
      [planned, scenario === 'hot', first, USERS, randomUUID()],
    )
  ).map((row: { id: string }) => row.id);
  // Fresh statistics, as autovacuum would have them: the planner must see a big table.
  await dataSource.query('ANALYZE scores');
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
