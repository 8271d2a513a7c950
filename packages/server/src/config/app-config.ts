import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import ms, { type StringValue } from 'ms';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;
const ROLES = ['all', 'api', 'worker'] as const;
const REDIS_PROTOCOLS = ['redis:', 'rediss:'];
/** Scores are stored as PostgreSQL `integer`; keep the range well inside it. */
const SCORE_LIMIT = 1_000_000_000;

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine((value) => value === undefined || isUrlWithProtocol(value, protocols), {
      message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    });

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    ROLE: z.enum(ROLES).default('all'),
    PORT: integer(0, 65_535).default(3000),
    // Where the log says the dashboard is; `npm run dev` points it at Vite's hot-reloading server.
    DASHBOARD_URL: optionalUrl(['http:', 'https:']),
    // HTTP processes sharing PORT. Unset: the number of cores in production (with Redis), else 1.
    API_PROCESSES: integer(1, 1024).optional(),
    DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
    // A streaming replica of DATABASE_URL, for public reads that may be a little stale.
    DATABASE_READ_URL: optionalUrl(['postgres:', 'postgresql:']),
    // One URL; with REDIS_CLUSTER=true, one or more of the cluster's nodes, comma-separated.
    REDIS_URL: z
      .string()
      .trim()
      .optional()
      .transform((value) => (value ? value : undefined))
      .refine((value) => value === undefined || splitRedisUrls(value).every(isRedisUrl), {
        message:
          'must be a URL starting with redis:// or rediss:// (for a cluster: such URLs, comma-separated)',
      }),
    REDIS_CLUSTER: z.enum(['true', 'false']).default('false'),
    JWT_SECRET: z
      .string()
      .optional()
      .transform((value) => (value ? value : undefined))
      .refine((value) => value === undefined || value.length >= 32, {
        message: 'must be at least 32 characters',
      }),
    JWT_TTL: z
      .string()
      .trim()
      .default('24h')
      .transform((value, ctx) => {
        const milliseconds = /^\d+$/.test(value) ? Number(value) * 1000 : ms(value as StringValue);
        if (typeof milliseconds !== 'number' || !(milliseconds >= 1000)) {
          ctx.addIssue({ code: 'custom', message: 'must be a duration such as 3600, 15m or 24h' });
          return z.NEVER;
        }
        return Math.floor(milliseconds / 1000);
      }),
    SCORE_MIN: integer(-SCORE_LIMIT, SCORE_LIMIT).default(0),
    SCORE_MAX: integer(-SCORE_LIMIT, SCORE_LIMIT).default(100),
    DATA_DIR: z.string().trim().min(1).default('./.data'),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    LOG_FORMAT: z.enum(LOG_FORMATS).default('auto'),
    LOGIN_MAX_FAILURES: integer(1, 1_000_000).default(10),
    RATE_LIMIT_PER_MINUTE: integer(0, 1_000_000_000).default(0),
    SIGNUP_MAX_PER_HOUR: integer(0, 1_000_000).default(30),
    STREAM_MAX_PER_USER: integer(1, 1000).default(5),
    STREAM_MAX_CONNECTIONS: integer(1, 1_000_000).default(10_000),
    METRICS_TOKEN: z
      .string()
      .optional()
      .transform((value) => (value ? value : undefined))
      .refine((value) => value === undefined || /^[\x21-\x7e]{16,}$/.test(value), {
        message: 'must be at least 16 visible ASCII characters',
      }),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[\w:.-]{0,64}$/, 'must be up to 64 letters, digits or _ : . -')
      .default('scoreboard:'),
    WORKER_BATCH_SIZE: integer(1, 10_000).default(500),
    WORKER_MAX_ATTEMPTS: integer(1, 100).default(5),
    WORKER_RETRY_BASE_MS: integer(1, 3_600_000).default(1000),
    WORKER_RETRY_MAX_MS: integer(1, 86_400_000).default(60_000),
    SWEEP_DELAY_MS: integer(100, 86_400_000).default(5000),
    SWEEP_INTERVAL_MS: integer(50, 3_600_000).default(1000),
    // A stream event received but not acknowledged this long is taken over by another worker.
    WORKER_CLAIM_IDLE_MS: integer(1000, 3_600_000).default(30_000),
    // Score events are split by user over this many Redis streams, each read by every worker.
    EVENT_SHARDS: integer(1, 64).default(1),
    // A deleted account's tombstone in a Redis ranking is kept this long, then forgotten.
    LEADERBOARD_TOMBSTONE_TTL_MS: integer(100, 86_400_000).default(600_000),
    // A request whose body has not fully arrived this long after it began answers 408.
    REQUEST_BODY_TIMEOUT_MS: integer(100, 600_000).default(30_000),
    DB_STATEMENT_TIMEOUT_MS: integer(100, 3_600_000).default(10_000),
    // Unset: half the statement timeout.
    DB_LOCK_TIMEOUT_MS: integer(10, 3_600_000).optional(),
    DB_POOL_SIZE: integer(1, 1000).default(10),
    DB_BACKGROUND_POOL_SIZE: integer(1, 1000).default(4),
    DB_POOL_ACQUIRE_TIMEOUT_MS: integer(10, 600_000).default(5000),
    SHUTDOWN_TIMEOUT_MS: integer(100, 600_000).default(10_000),
    // ROLE=worker has no HTTP API: set this to serve its GET /metrics on a port of its own.
    METRICS_PORT: integer(1, 65_535).optional(),
    // Webhooks to loopback, private, link-local or metadata addresses: refused unless true.
    WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
    // The longest a webhook delivery may take, connection and answer included.
    WEBHOOK_TIMEOUT_MS: integer(100, 60_000).default(5000),
    WEBHOOK_RETRY_BASE_MS: integer(1, 3_600_000).default(1000),
    WEBHOOK_RETRY_MAX_MS: integer(1, 86_400_000).default(3_600_000),
    // A delivery not answered 2xx for this long after its event is marked failed.
    WEBHOOK_RETRY_WINDOW_MS: integer(1000, 30 * 86_400_000).default(86_400_000),
    // Which proxies' X-Forwarded-For to believe for the client address (Express "trust proxy").
    TRUST_PROXY: z
      .string()
      .trim()
      .default('false')
      .transform((value): boolean | number | string => {
        if (value === 'true' || value === 'false') return value === 'true';
        return /^\d+$/.test(value) ? Number(value) : value;
      }),
  })
  .superRefine((env, ctx) => {
    if (
      env.DB_LOCK_TIMEOUT_MS !== undefined &&
      env.DB_LOCK_TIMEOUT_MS > env.DB_STATEMENT_TIMEOUT_MS
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['DB_LOCK_TIMEOUT_MS'],
        message: 'must not exceed DB_STATEMENT_TIMEOUT_MS',
      });
    }
    if (env.DATABASE_READ_URL && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_READ_URL'],
        message:
          'needs DATABASE_URL: it names a replica of an external PostgreSQL, and the embedded one has none',
      });
    }
    if (env.SCORE_MIN > env.SCORE_MAX) {
      ctx.addIssue({ code: 'custom', path: ['SCORE_MAX'], message: 'must not be below SCORE_MIN' });
    }
    if (env.ROLE !== 'all' && !env.REDIS_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['ROLE'],
        message: `${env.ROLE} needs REDIS_URL: without Redis, API and worker share one process (ROLE=all)`,
      });
    }
    if (env.API_PROCESSES !== undefined && env.API_PROCESSES > 1) {
      if (env.ROLE === 'worker') {
        ctx.addIssue({
          code: 'custom',
          path: ['API_PROCESSES'],
          message: 'must be 1 with ROLE=worker, which serves no HTTP',
        });
      } else if (!env.REDIS_URL) {
        ctx.addIssue({
          code: 'custom',
          path: ['API_PROCESSES'],
          message:
            'above 1 needs REDIS_URL: without Redis, score events, live updates and limits are in-process and cannot span processes',
        });
      }
    }
    const redisUrls = env.REDIS_URL ? splitRedisUrls(env.REDIS_URL) : [];
    if (env.REDIS_CLUSTER === 'true' && redisUrls.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_CLUSTER'],
        message: "needs REDIS_URL: one or more of the cluster's nodes, comma-separated",
      });
    }
    if (env.REDIS_CLUSTER === 'false' && redisUrls.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: 'lists several URLs, which only a Redis Cluster takes: set REDIS_CLUSTER=true',
      });
    }
    if (env.REDIS_CLUSTER === 'true' && redisUrls.some(namesDatabase)) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: 'names a database number: a Redis Cluster has database 0 only',
      });
    }
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required in production' });
    }
  });

/** Every variable the configuration reads. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export type Role = (typeof ROLES)[number];

/**
 * How long anything may wait on PostgreSQL, and the pools. A statement, a lock wait, an idle open
 * transaction and the wait for a pooled connection are all bounded, so a slow or unreachable
 * database turns into errors (503 for requests, retries for background work), never into waits
 * without end.
 */
export type DatabaseSettings = {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  acquireTimeoutMs: number;
  poolSize: number;
};
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `auto`: one readable line per entry on a terminal, JSON otherwise and always in production. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Thrown when the environment holds a bad value; the message names every offending variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The whole configuration, parsed and validated once at start. */
export class AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly role: Role;
  readonly port: number;
  /** Where the dashboard is, for the log; by default this server's own address. */
  readonly dashboardUrl?: string;
  /**
   * How many HTTP processes share `port` (see api-processes.ts). Above 1, a primary process
   * forks them and the worker loops run in one of them only.
   */
  readonly apiProcesses: number;
  /** Why `apiProcesses` is 1 although the production default would be more, for the log. */
  readonly apiProcessesNote: string | undefined;
  readonly databaseUrl: string | undefined;
  /** A read-only replica of `databaseUrl`, for public reads that may lag (see ReadReplica). */
  readonly databaseReadUrl: string | undefined;
  /** One URL, or (with `redisCluster`) a comma-separated list of a cluster's nodes. */
  readonly redisUrl: string | undefined;
  /** REDIS_CLUSTER=true: connect to a Redis Cluster, through the nodes `redisUrl` lists. */
  readonly redisCluster: boolean;
  readonly jwtSecret: string;
  readonly jwtTtlSeconds: number;
  readonly scoreMin: number;
  readonly scoreMax: number;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly loginMaxFailures: number;
  readonly loginWindowSeconds = 15 * 60;
  readonly rateLimitPerMinute: number;
  readonly signupMaxPerHour: number;
  readonly streamMaxPerUser: number;
  readonly streamMaxConnections: number;
  /** When set, GET /metrics requires it as a Bearer token. */
  readonly metricsToken: string | undefined;
  readonly trustProxy: boolean | number | string;
  readonly redisKeyPrefix: string;
  readonly workerBatchSize: number;
  readonly retry: { baseMs: number; maxMs: number; maxAttempts: number };
  /** How long a score may stay unapplied before the sweeper delivers it again. */
  readonly sweepDelayMs: number;
  readonly sweepIntervalMs: number;
  readonly metricsPort: number | undefined;
  readonly claimIdleMs: number;
  /** How many streams score events are split over, by user (see events/event-shards.ts). */
  readonly eventShards: number;
  /** How long a deleted account's tombstone stays in a Redis ranking (see RedisLeaderboardStore). */
  readonly leaderboardTombstoneTtlMs: number;
  /** How long a request may take to send its body (408 after). */
  readonly requestBodyTimeoutMs: number;
  /** The pool that serves HTTP requests (and, with ROLE=worker, the worker). */
  readonly database: DatabaseSettings;
  /** The pool of the worker, sweeper and leaderboard upkeep when they share a process with HTTP. */
  readonly backgroundPoolSize: number;
  /** After this long, a shutdown cuts whatever is left and the process exits. */
  readonly shutdownTimeoutMs: number;
  /** Webhook deliveries (SPEC 2d): address policy, timeout, backoff and how long to retry. */
  readonly webhooks: {
    allowPrivate: boolean;
    timeoutMs: number;
    retryBaseMs: number;
    retryMaxMs: number;
    retryWindowMs: number;
  };

  constructor(
    fields: Omit<AppConfig, 'loginWindowSeconds' | 'withDatabaseUrl' | 'runsApi' | 'runsWorker'>,
  ) {
    Object.assign(this, fields);
  }

  get runsApi(): boolean {
    return this.role !== 'worker';
  }

  get runsWorker(): boolean {
    return this.role !== 'api';
  }

  /** The same configuration pointed at a database (the embedded server's, once it runs). */
  withDatabaseUrl(databaseUrl: string): AppConfig {
    return new AppConfig({ ...this, databaseUrl });
  }
}

/**
 * Parses the environment. With no JWT_SECRET outside production, a secret is generated once and
 * kept under DATA_DIR so that tokens survive restarts.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const parsed = result.data;
  const dataDir = resolve(parsed.DATA_DIR);
  const apiProcesses = defaultApiProcesses(parsed);
  return new AppConfig({
    nodeEnv: parsed.NODE_ENV,
    role: parsed.ROLE,
    port: parsed.PORT,
    dashboardUrl: parsed.DASHBOARD_URL,
    apiProcesses: parsed.API_PROCESSES ?? apiProcesses.count,
    apiProcessesNote: parsed.API_PROCESSES === undefined ? apiProcesses.note : undefined,
    databaseUrl: parsed.DATABASE_URL,
    databaseReadUrl: parsed.DATABASE_READ_URL,
    redisUrl: parsed.REDIS_URL,
    redisCluster: parsed.REDIS_CLUSTER === 'true',
    jwtSecret: parsed.JWT_SECRET ?? persistedSecret(dataDir),
    jwtTtlSeconds: parsed.JWT_TTL,
    scoreMin: parsed.SCORE_MIN,
    scoreMax: parsed.SCORE_MAX,
    dataDir,
    logLevel: parsed.LOG_LEVEL,
    logFormat: parsed.LOG_FORMAT,
    loginMaxFailures: parsed.LOGIN_MAX_FAILURES,
    rateLimitPerMinute: parsed.RATE_LIMIT_PER_MINUTE,
    signupMaxPerHour: parsed.SIGNUP_MAX_PER_HOUR,
    streamMaxPerUser: parsed.STREAM_MAX_PER_USER,
    streamMaxConnections: parsed.STREAM_MAX_CONNECTIONS,
    metricsToken: parsed.METRICS_TOKEN,
    trustProxy: parsed.TRUST_PROXY,
    redisKeyPrefix: parsed.REDIS_KEY_PREFIX,
    workerBatchSize: parsed.WORKER_BATCH_SIZE,
    retry: {
      baseMs: parsed.WORKER_RETRY_BASE_MS,
      maxMs: parsed.WORKER_RETRY_MAX_MS,
      maxAttempts: parsed.WORKER_MAX_ATTEMPTS,
    },
    sweepDelayMs: parsed.SWEEP_DELAY_MS,
    sweepIntervalMs: parsed.SWEEP_INTERVAL_MS,
    metricsPort: parsed.METRICS_PORT,
    claimIdleMs: parsed.WORKER_CLAIM_IDLE_MS,
    eventShards: parsed.EVENT_SHARDS,
    leaderboardTombstoneTtlMs: parsed.LEADERBOARD_TOMBSTONE_TTL_MS,
    requestBodyTimeoutMs: parsed.REQUEST_BODY_TIMEOUT_MS,
    database: {
      statementTimeoutMs: parsed.DB_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: parsed.DB_LOCK_TIMEOUT_MS ?? Math.ceil(parsed.DB_STATEMENT_TIMEOUT_MS / 2),
      idleInTransactionTimeoutMs: parsed.DB_STATEMENT_TIMEOUT_MS,
      acquireTimeoutMs: parsed.DB_POOL_ACQUIRE_TIMEOUT_MS,
      poolSize: parsed.DB_POOL_SIZE,
    },
    backgroundPoolSize: parsed.DB_BACKGROUND_POOL_SIZE,
    shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_MS,
    webhooks: {
      allowPrivate: parsed.WEBHOOK_ALLOW_PRIVATE === 'true',
      timeoutMs: parsed.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: parsed.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: parsed.WEBHOOK_RETRY_MAX_MS,
      retryWindowMs: parsed.WEBHOOK_RETRY_WINDOW_MS,
    },
  });
}

/**
 * API_PROCESSES when unset: every core in production, one process in development and tests (where
 * processes are started by hand, or by the tests, one per role). Without Redis, one: the
 * in-process transport cannot reach a second process.
 */
function defaultApiProcesses(env: {
  NODE_ENV: string;
  ROLE: Role;
  REDIS_URL: string | undefined;
}): { count: number; note?: string } {
  if (env.NODE_ENV !== 'production' || env.ROLE === 'worker') return { count: 1 };
  const cores = availableParallelism();
  if (cores > 1 && !env.REDIS_URL) {
    return {
      count: 1,
      note: `One HTTP process, not one per core (${cores}): API_PROCESSES above 1 needs REDIS_URL`,
    };
  }
  return { count: cores };
}

function persistedSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      // 'wx' fails if another process created it first; then both read the same secret below.
      writeFileSync(file, `${randomBytes(48).toString('base64url')}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return readFileSync(file, 'utf8').trim();
}

/** REDIS_URL's URLs: one, or a cluster's seeds separated by commas. */
export function splitRedisUrls(value: string): string[] {
  return value.split(',').map((url) => url.trim());
}

function isRedisUrl(url: string): boolean {
  return isUrlWithProtocol(url, REDIS_PROTOCOLS);
}

/** `redis://host:6379/2` selects database 2; a cluster refuses SELECT. */
function namesDatabase(url: string): boolean {
  return isRedisUrl(url) && !/^\/?0?$/.test(new URL(url).pathname);
}

function isUrlWithProtocol(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
