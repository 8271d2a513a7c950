import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { failureClass } from '../common/failure-class';
import { backoffMs } from '../common/retry-policy';
import type { DatabaseSettings } from '../config/app-config';
import { User } from '../users/user.entity';
import { InitialSchema1795490000000 } from './migrations/1795490000000-initial-schema';
import { ScoreProcessing1795493000000 } from './migrations/1795493000000-score-processing';
import { RankingKeyIndex1795496000000 } from './migrations/1795496000000-ranking-key-index';
import { OneAggregateRow1795500000000 } from './migrations/1795500000000-one-aggregate-row';
import { RequestLimitsAndPlayerCount1795503000000 } from './migrations/1795503000000-request-limits-and-player-count';
import { LoginKeyAsText1795506000000 } from './migrations/1795506000000-login-key-as-text';
import { BoardsAndPeriods1795510000000 } from './migrations/1795510000000-boards-and-periods';
import { Moderation1795520000000 } from './migrations/1795520000000-moderation';
import { RankingModels1795530000000 } from './migrations/1795530000000-ranking-models';
import { WebhooksAndResults1795540000000 } from './migrations/1795540000000-webhooks-and-results';
import { BoardDisplay1795550000000 } from './migrations/1795550000000-board-display';
import { WebhookEventsByPlayer1795560000000 } from './migrations/1795560000000-webhook-events-by-player';

export const entities = [User];
export const migrations = [
  InitialSchema1795490000000,
  ScoreProcessing1795493000000,
  RankingKeyIndex1795496000000,
  OneAggregateRow1795500000000,
  RequestLimitsAndPlayerCount1795503000000,
  LoginKeyAsText1795506000000,
  BoardsAndPeriods1795510000000,
  Moderation1795520000000,
  RankingModels1795530000000,
  WebhooksAndResults1795540000000,
  BoardDisplay1795550000000,
  WebhookEventsByPlayer1795560000000,
];

/** Any number from a fixed range; only used as the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 7_301_998_412;

/** The server's defaults (see AppConfig); commands and benchmarks use them too. */
export const DEFAULT_DATABASE_SETTINGS: DatabaseSettings = {
  statementTimeoutMs: 10_000,
  lockTimeoutMs: 5000,
  idleInTransactionTimeoutMs: 10_000,
  acquireTimeoutMs: 5000,
  poolSize: 10,
};

/**
 * For work that may rightly take long and is watched by an operator (migrations, reconcile):
 * nothing times out.
 */
export const UNBOUNDED_DATABASE_SETTINGS: DatabaseSettings = {
  statementTimeoutMs: 0,
  lockTimeoutMs: 0,
  idleInTransactionTimeoutMs: 0,
  acquireTimeoutMs: 0,
  poolSize: 2,
};

/**
 * pg's client with an `error` listener of its own. The pool and TypeORM listen to a client only
 * while it is idle or checked out; a connection that breaks while it is being released or ended
 * (PostgreSQL restarting, say) would otherwise emit an `error` nobody listens to, which ends the
 * process. Whoever uses the client sees the failure on their query; nothing is lost here.
 */
class ListenedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }

  /**
   * A query that outlived `query_timeout` is still running on its connection (or the server is
   * frozen and nothing runs), and pg would queue the next query behind it: the connection is
   * ended at once (its socket destroyed, since a query is active), so that whoever releases it
   * releases a dead connection, which the pool drops instead of handing it out again.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg.Client.query's overloads
  override query(...args: any[]): any {
    const last: unknown = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (error: unknown, result: unknown) => {
        this.dropIfTimedOut(error);
        (last as (error: unknown, result: unknown) => void)(error, result);
      };
    }
    const result = super.query(...(args as [string]));
    if (!(result instanceof Promise)) return result;
    return result.catch((error: unknown) => {
      this.dropIfTimedOut(error);
      throw error;
    });
  }

  private dropIfTimedOut(error: unknown): void {
    if (error instanceof Error && error.message === QUERY_READ_TIMEOUT) {
      this.end().catch(() => undefined);
    }
  }
}

/** What pg says when `query_timeout` passes without an answer. */
const QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * How long the client waits for any answer: a little longer than the server's statement_timeout,
 * which fires first whenever the server runs. This one fires when it cannot (the server is frozen,
 * or the network between holds the answer), so no request waits on the database for much longer
 * than DB_STATEMENT_TIMEOUT_MS whatever the database does.
 */
export function clientQueryTimeoutMs(settings: DatabaseSettings): number {
  return settings.statementTimeoutMs === 0
    ? 0
    : settings.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS;
}

const QUERY_TIMEOUT_MARGIN_MS = 500;

const logger = new Logger('Database');

export function dataSourceOptions(
  url: string,
  settings: DatabaseSettings = DEFAULT_DATABASE_SETTINGS,
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    // Errors of idle pooled connections (a restart of PostgreSQL closes them all) are expected.
    poolErrorHandler: (error: Error) =>
      logger.debug({ err: error }, 'Idle database connection closed'),
    extra: {
      Client: ListenedClient,
      max: settings.poolSize,
      // pg-pool applies this to waiting for a free pooled connection as well as to connecting.
      connectionTimeoutMillis: settings.acquireTimeoutMs,
      // Sent at connection start; 0 means none. The server enforces them.
      statement_timeout: settings.statementTimeoutMs,
      lock_timeout: settings.lockTimeoutMs,
      idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs,
      // The client's own limit (0: none), for when the server cannot enforce its own.
      query_timeout: clientQueryTimeoutMs(settings),
      keepAlive: true,
    },
  };
}

/**
 * Connects, waiting while PostgreSQL is unreachable or starting (it may be restarting, or start
 * after this process): transient failures are retried with backoff, for as long as it takes,
 * unless `signal` aborts. Anything else (a wrong password, a missing database) fails at once.
 */
export async function connectWhenReachable(
  options: DataSourceOptions,
  signal?: AbortSignal,
): Promise<DataSource> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await new DataSource(options).initialize();
    } catch (error) {
      const kind = failureClass(error);
      if (kind === 'permanent' || signal?.aborted) throw error;
      if (attempt === 1 || attempt % 10 === 0) {
        logger.warn({ attempt, failureClass: kind, err: error }, 'Database unreachable, retrying');
      }
      await new Promise((resolve) =>
        setTimeout(resolve, backoffMs({ baseMs: 200, maxMs: 5000 }, attempt)),
      );
    }
  }
}

/**
 * Applies pending migrations, on connections of their own without timeouts (building an index may
 * take long). Several processes may start at once against one database: an advisory lock makes
 * them take turns, and the later ones find nothing left to apply.
 */
export async function runMigrations(database: string | DataSource): Promise<string[]> {
  const url = typeof database === 'string' ? database : urlOf(database);
  const dataSource = await connectWhenReachable(
    dataSourceOptions(url, UNBOUNDED_DATABASE_SETTINGS),
  );
  try {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      const applied = await dataSource.runMigrations({ transaction: 'all' });
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}

function urlOf(dataSource: DataSource): string {
  const { url } = dataSource.options as { url?: string };
  if (!url) throw new Error('The data source has no URL');
  return url;
}
