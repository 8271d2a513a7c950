import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createLogger } from '../../src/common/logger';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { createHttpApp } from '../../src/http-app';
import { freePort, runNode, type NodeProcess } from './processes';
import { createTestDatabase, type TestDatabase } from './test-database';
import { waitForProcess, waitForProgress } from './wait-for';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

export type TestApp = {
  baseUrl: string;
  config: AppConfig;
  app: INestApplication;
  /** Runs SQL against the app's own database, for asserting on stored state. */
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
};

/**
 * Boots the real app in-process on a free port over a fresh database of its own; or over another
 * app's database, to run several instances side by side; or over a database the test prepared
 * (which the app drops when it closes).
 */
export async function startTestApp(
  label: string,
  env: Record<string, string> = {},
  over?: TestApp | TestDatabase,
): Promise<TestApp> {
  const database =
    over === undefined
      ? await createTestDatabase(label)
      : 'config' in over
        ? { url: over.config.databaseUrl!, drop: async () => undefined }
        : over;
  const dataDir = mkdtempSync(join(tmpdir(), 'scoreboard-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    TRUST_PROXY: 'loopback',
    // Every test signs up from 127.0.0.1; the signup limit has tests of its own.
    SIGNUP_MAX_PER_HOUR: '0',
    ...env,
  });
  const app = await createHttpApp(config, createLogger(config));
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const dataSource = app.get(DataSource);
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    config,
    app,
    sql: (query, params) => dataSource.query(query, params),
    async close() {
      await app.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The Redis keys of the global board's leaderboard (its one period never ends). */
export async function globalLeaderboardKeys(
  app: Pick<TestApp, 'sql' | 'config'>,
): Promise<{ zset: string; ready: string }> {
  const [period] = await app.sql<{ id: string }>(
    `SELECT id::text FROM board_periods WHERE board_id = 'global'`,
  );
  const zset = `${app.config.redisKeyPrefix}{board:global}:period:${period!.id}:standings`;
  return { zset, ready: `${zset}:ready` };
}

export type WorkerProcess = NodeProcess & { metricsUrl: string };

/**
 * Starts a worker process (ROLE=worker) over the app's database and Redis, serving its own
 * metrics, and waits until it runs: its GET /metrics answers once it has started (and the wait
 * fails at once, with its output, if it exits).
 */
export async function startWorkerProcess(
  app: TestApp,
  env: Record<string, string> = {},
  { timeoutMs = 3 * 60_000 } = {},
): Promise<WorkerProcess> {
  const metricsPort = await freePort();
  const worker = runNode('main.js', {
    ROLE: 'worker',
    DATABASE_URL: app.config.databaseUrl!,
    REDIS_URL: app.config.redisUrl!,
    REDIS_CLUSTER: String(app.config.redisCluster),
    REDIS_KEY_PREFIX: app.config.redisKeyPrefix,
    DATA_DIR: app.config.dataDir,
    JWT_SECRET: app.config.jwtSecret,
    METRICS_PORT: String(metricsPort),
    ...env,
  });
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  await waitForProcess(worker, metricsUrl, { what: 'a worker process to start', timeoutMs });
  return Object.assign(worker, { metricsUrl });
}

/**
 * Waits, for as long as scores keep being applied, until none of the app's is pending (a removed
 * score never is).
 */
export function allScoresApplied(app: Pick<TestApp, 'sql'>): Promise<void> {
  return waitForProgress(
    async () => {
      const [row] = await app.sql<{ applied: string; pending: string }>(
        `SELECT count(*) FILTER (WHERE applied_at IS NOT NULL) AS applied,
                count(*) FILTER (WHERE applied_at IS NULL AND removed_at IS NULL) AS pending
           FROM scores`,
      );
      return {
        done: row!.pending === '0',
        count: Number(row!.applied),
        detail: `${row!.pending} pending`,
      };
    },
    { what: 'every score to be applied', counter: 'applied scores' },
  );
}
