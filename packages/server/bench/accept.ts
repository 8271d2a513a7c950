/**
 * Acceptance benchmark (issue 12): POST /api/scores against the server as it is deployed (node
 * dist/main.js, a process of its own whose CPU time is measured on its own), beside pgbench
 * inserting the same shape of row into the same PostgreSQL.
 *
 *   npm run build -w packages/server     # the server measured is dist/ as built
 *   npm run bench:accept -w packages/server
 *   BENCH_CONFIGS=all-redis,all,split BENCH_PROFILE=1 npm run bench:accept -w packages/server
 *
 * Parameters (environment):
 * - BENCH_CONFIGS (default `all-redis,all-redis-x2,http-floor`), comma-separated: `all-redis` one
 *   ROLE=all process with Redis (the default deployment with Redis); `all` one ROLE=all process
 *   without REDIS_URL (the in-process transport); `split` two ROLE=api processes and one
 *   ROLE=worker, with Redis, the load dealt out over the two APIs; `all-redis-x2` as
 *   `all-redis` with API_PROCESSES=2 (a
 *   primary forks two HTTP processes that share the port, the first with the worker). Every other
 *   configuration runs API_PROCESSES=1. A process's CPU time includes its children's (the HTTP
 *   processes of a primary). `http-floor`: not the product but bench/http-floor.ts, Node.js's
 *   HTTP server answering the same requests with the product's bytes and doing nothing else (no
 *   auth, database, Redis or log line): the floor under any Node.js server's CPU per request and
 *   the ceiling of its req/s on this machine (no backlog, no lag).
 * - BENCH_CONNECTIONS (default `32,128`): the HTTP connections of the load, and pgbench's clients.
 * - BENCH_SECONDS (default 15): each measured window, after a 3 s warm-up.
 * - BENCH_ROUNDS (default 2): the subjects (pgbench, then each configuration) run in this order
 *   in odd rounds and in the reverse order in even ones, the connection counts too, so that drift
 *   on the shared machine falls on all alike.
 * - BENCH_PROFILE=1: the CPU profile run (4. below).
 * - BENCH_MAIN (default dist/main.js): the server build to measure, for comparing builds (a
 *   worktree of another commit, built) run after run.
 * - BENCH_SERVER_ENV (default none): more of the servers' environment, `NAME=value,...` (for
 *   trying a setting, such as WORKER_BATCH_SIZE=500).
 * - BENCH_LOG_LEVEL (default `info`, the product's): the servers' LOG_LEVEL. At `info` every
 *   request writes a log line (to a file here), which is part of what a request costs.
 * - TEST_DATABASE_SERVER_URL (default postgres://postgres@127.0.0.1:5432/test): the PostgreSQL
 *   the script makes its databases in (one with pg_stat_statements loaded shows what each
 *   statement costs; the PostgreSQL column counts every `postgres` process on the machine).
 *
 * Each round measures:
 * 1. pgbench: `INSERT ... ON CONFLICT DO NOTHING` of one row with a unique key for a random user
 *    among 100 per transaction, into a table of the shape of `scores` (its unique key and its
 *    (user_id, id DESC) index) in a database of its own, emptied at the start of each round;
 *    `-M prepared -j 2`, the warm-up and the window as for the server. TPS, and latency
 *    percentiles from its per-transaction log; CPU per transaction of PostgreSQL (every process
 *    named `postgres`) and of the whole machine. The PostgreSQL is shared: pgbench runs with at most
 *    the free connection slots less 20 (left to whatever else runs on the machine), and the
 *    summary says when that was fewer clients than asked.
 * 2. The server, per configuration over a fresh database (and an empty Redis: a redis-server of
 *    the script's own), its 100 players signed up through the API first (SIGNUP_MAX_PER_HOUR=0).
 *    autocannon in a child process (bench/accept-load.ts) posts `{value, idempotency_key}` with a
 *    unique key per request, rotating over the players' tokens, with a 10 s request timeout.
 *    Per row: req/s (2xx answers per second of the window); latency p50/p99/max (every answer;
 *    autocannon's histogram has 1 ms steps); requests not answered (connection errors and
 *    timeouts); non-2xx answers; the server processes' CPU time (utime + stime from
 *    /proc/<pid>/stat over the window) per 2xx answer, for `split` the API processes and the
 *    worker apart and together, and beside it PostgreSQL's (every `postgres` process), Redis's
 *    (every `redis-server`), the load generator's and the whole machine's; the ratio of req/s to
 *    pgbench's TPS at the same connection count in the same round; the backlog (scores still
 *    pending) at the window's end; and how busy the machine's cores were (/proc/stat: the
 *    server, PostgreSQL, the load generator and anything else running), since on 2 cores the
 *    server rarely has one to itself. The next run waits for the backlog to be applied. The
 *    machine's CPU per request against pgbench's per transaction says what the ratio can reach
 *    on these cores: where the cores are all busy, req/s over TPS is their inverse ratio.
 * 3. Processing lag: the same deployment at a fixed 80 % of the req/s just measured at the lowest
 *    connection count (32), with that many connections, for BENCH_SECONDS; then, once every score
 *    of that window is applied, `applied_at - created_at` of those scores from the server's
 *    database. autocannon's fixed rate gives each connection its share of the second at the
 *    start of each second, as fast as answers come: the load arrives in bursts at the full
 *    concurrency, not evenly spread, so this is lag under bursts that keep the server saturated
 *    for most of every second.
 * 4. With BENCH_PROFILE=1, after the rounds: the first configuration again, its processes started
 *    with `node --cpu-prof`, one window at the lowest connection count, then SIGTERM (the server
 *    stops gracefully and writes its profile). Only the samples taken within the window count
 *    (V8's profile clock is the monotonic clock the load generator reads). V8 samples wall-clock
 *    time, so on a busy machine the time a thread waits for a core counts as the function it was
 *    in; the process's CPU time from /proc is printed beside it. Self time by bucket, as a
 *    percentage of the non-idle time, and the 15 functions with the most self time; a second
 *    column charges Node.js-internal and native code (a socket's writev, fs.writeSync, an HMAC)
 *    to the bucket of the code that called it. The buckets:
 *    - auth: jsonwebtoken, jws, jwa, ecdsa-sig-formatter, @nestjs/jwt, jose, fast-jwt, src/auth
 *    - database driver: pg, pg-*, postgres-* (pg's type parsers), typeorm
 *    - HTTP framework: express and its own dependencies (router, body-parser, finalhandler, send,
 *      on-finished, raw-body, path-to-regexp, qs, type-is, iconv-lite, ...), helmet,
 *      @nestjs/platform-express, @nestjs/core, @nestjs/common (but its pipes/), rxjs and
 *      reflect-metadata (Nest's request pipeline runs on them), node:_http_*
 *    - validation: class-validator (and its validator, libphonenumber-js), class-transformer,
 *      @nestjs/common/pipes (ValidationPipe), src/common/validation and request-guards
 *    - logging: pino, pino-* (pino-http, pino-std-serializers), sonic-boom and pino's helpers
 *      (fast-redact, quick-format-unescaped, atomic-sleep, thread-stream, safe-stable-stringify,
 *      on-exit-leak-free), src/common/logger
 *    - Redis: ioredis, redis-parser, redis-errors, cluster-key-slot, standard-as-callback, denque
 *    - GC: "(garbage collector)"; idle: "(idle)", "(program)" (left out of the percentages)
 *    - other, broken down by package, by the app's source file, by Node.js module (node:net,
 *      node:internal/..., which is where socket and stream work shows), and "(native)" for V8
 *      builtins and native functions with no file
 *    A package is named by the last node_modules/ in a function's path; the app's files are
 *    dist/*.js mapped back to src/*.ts.
 *
 * A summary table ends the output. Processes, databases, the Redis and temporary files are
 * cleaned up on failure and on SIGINT/SIGTERM too. Needs the PostgreSQL of SPEC section 4 at
 * 127.0.0.1:5432, pgbench and redis-server on PATH, and dist/ built. Prints figures; asserts
 * nothing.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { ApiClient } from '../test/support/api-client';
import { freePort, PrivateRedis } from '../test/support/processes';
import { createTestDatabase } from '../test/support/test-database';
import { waitFor, waitForProgress } from '../test/support/wait-for';
import type { LoadPlan, LoadResult } from './accept-load';
import {
  addSelfTime,
  BUCKETS,
  emptySelfTime,
  IDLE,
  OTHER,
  type CpuProfile,
  type SelfTime,
} from './cpu-profile';
import { fixed, percentile } from './percentiles';
import { busyShare, commandTicks, machineTicks, ticksBetween } from './proc-stat';

type Role = 'all' | 'api' | 'worker';
type ConfigName = 'all-redis' | 'all-redis-x2' | 'all' | 'split' | 'http-floor';
/**
 * Every process of a configuration runs with API_PROCESSES=1 unless `apiProcesses` says more.
 * `floor`: the process is bench/http-floor.ts, not the product (it stores nothing).
 */
const CONFIGS: Record<
  ConfigName,
  { description: string; roles: Role[]; redis: boolean; apiProcesses?: number; floor?: boolean }
> = {
  'all-redis': { description: 'ROLE=all with Redis', roles: ['all'], redis: true },
  'all-redis-x2': {
    description:
      'ROLE=all with Redis, API_PROCESSES=2 (a primary, 2 HTTP processes sharing the port, the worker in one)',
    roles: ['all'],
    redis: true,
    apiProcesses: 2,
  },
  all: {
    description: 'ROLE=all without Redis (in-process transport)',
    roles: ['all'],
    redis: false,
  },
  split: {
    description: '2 x ROLE=api + ROLE=worker, Redis',
    roles: ['api', 'api', 'worker'],
    redis: true,
  },
  'http-floor': {
    description:
      "Node.js's HTTP server alone answering with the product's bytes, nothing stored (bench/http-floor.ts)",
    roles: ['all'],
    redis: false,
    floor: true,
  },
};

/** Script parameters (see the header). */
const {
  BENCH_CONFIGS = 'all-redis,all-redis-x2,http-floor',
  BENCH_CONNECTIONS = '32,128',
  BENCH_SECONDS = '15',
  BENCH_ROUNDS = '2',
  BENCH_PROFILE = '0',
  BENCH_LOG_LEVEL = 'info',
  BENCH_MAIN = join(__dirname, '..', '..', 'dist', 'main.js'),
  BENCH_SERVER_ENV = '',
} = process.env;
const SERVER_ENV = Object.fromEntries(
  BENCH_SERVER_ENV.split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const CONFIG_NAMES = BENCH_CONFIGS.split(',').map((name) => name.trim()) as ConfigName[];
const CONNECTIONS = BENCH_CONNECTIONS.split(',').map(Number);
const SECONDS = Number(BENCH_SECONDS);
const ROUNDS = Number(BENCH_ROUNDS);
const PROFILE = BENCH_PROFILE === '1';
for (const name of CONFIG_NAMES) {
  if (!(name in CONFIGS))
    throw new Error(`BENCH_CONFIGS: "${name}" is none of ${Object.keys(CONFIGS).join(', ')}`);
}
if (!CONNECTIONS.every((c) => Number.isInteger(c) && c >= 2))
  throw new Error(`BENCH_CONNECTIONS must be integers of at least 2, not "${BENCH_CONNECTIONS}"`);
if (!(SECONDS >= 1) || !(Number.isInteger(ROUNDS) && ROUNDS >= 1))
  throw new Error('BENCH_SECONDS and BENCH_ROUNDS must be at least 1');
const WARMUP_SECONDS = 3;
const PLAYERS = 100;
/** The lag run's load, as a share of the req/s measured at LAG_CONNECTIONS. */
const LAG_LOAD = 0.8;
const LAG_CONNECTIONS = Math.min(...CONNECTIONS);
/** Connection slots of the shared PostgreSQL that pgbench leaves to everything else. */
const PGBENCH_SPARE_SLOTS = 20;
/** argon2 hashes on the server's 4 libuv threads: as many signups at a time keep them busy. */
const SIGNUP_CONCURRENCY = 4;
const JWT_SECRET = 'bench-secret-that-is-at-least-32-characters';
const MAIN = BENCH_MAIN;
const LOAD_SCRIPT = join(__dirname, 'accept-load.js');
const FLOOR_SCRIPT = join(__dirname, 'http-floor.js');
/** The server's own SHUTDOWN_TIMEOUT_MS (10 s) and a margin, before SIGKILL. */
const SERVER_STOP_GRACE_MS = 15_000;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
/**
 * The builds of dist/ the deployments started from (main.js's time): the server is being worked
 * on, and a rebuild during a run means the rounds measured different code.
 */
const builds = new Set<string>();
const currentBuild = () => statSync(MAIN).mtime.toISOString();
const PGBENCH_TABLE = `
  CREATE TABLE scores (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL,
    idempotency_key varchar(255) NOT NULL,
    value integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, idempotency_key)
  );
  CREATE INDEX scores_user_id_id_idx ON scores (user_id, id DESC);`;
const PGBENCH_SCRIPT =
  `\\set user random(1, ${PLAYERS})\n` +
  `\\set value random(0, 100)\n` +
  `INSERT INTO scores (user_id, idempotency_key, value) ` +
  `VALUES (:user, gen_random_uuid()::text, :value) ON CONFLICT DO NOTHING;\n`;

// ---------------------------------------------------------------------------------------------
// Cleanup: everything acquired is held until released, and released on failure or a signal.

const outstanding = new Set<() => Promise<void>>();

/** Holds `release` until it runs; returns it, made to run once. */
function hold(release: () => Promise<unknown>): () => Promise<void> {
  let released: Promise<void> | undefined;
  const run = () =>
    (released ??= (async () => {
      outstanding.delete(run);
      await release();
    })());
  outstanding.add(run);
  return run;
}

/** Releases, newest first. */
async function releaseAll(releases: Array<() => Promise<void>>): Promise<void> {
  for (const release of [...releases].reverse()) await release();
}

/** Releases whatever is still held, newest first, reporting (not stopping at) failures. */
async function releaseEverything(): Promise<void> {
  while (outstanding.size > 0) {
    await [...outstanding].at(-1)!().catch((error: unknown) =>
      console.error('Cleanup failed:', error),
    );
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(kill);
}

// ---------------------------------------------------------------------------------------------
// The server's processes.

type ServerProcess = {
  name: string;
  role: Role;
  child: ChildProcess;
  log: string;
  /** Polled until it answers 200: GET /api/health/ready, or a worker's GET /metrics. */
  readyUrl: string;
  baseUrl: string | undefined;
  profileDir: string | undefined;
  stop: () => Promise<void>;
};

type Deployment = {
  name: ConfigName;
  processes: ServerProcess[];
  apiUrls: string[];
  tokens: string[];
  /** The server's database, for reading back its scores (none for the HTTP floor). */
  db: Pool | undefined;
  close: () => Promise<void>;
};

async function startServerProcess(
  name: string,
  script: string,
  role: Role,
  env: Record<string, string>,
  dir: string,
  profile: boolean,
): Promise<ServerProcess> {
  const port = await freePort();
  const file = name.replace(/\W/g, '-');
  const log = join(dir, `${file}-${port}.log`);
  const profileDir = profile ? join(dir, `profile-${file}`) : undefined;
  const fd = openSync(log, 'a');
  const child = spawn(
    process.execPath,
    [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), script],
    {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        ROLE: role,
        LOG_LEVEL: BENCH_LOG_LEVEL,
        SIGNUP_MAX_PER_HOUR: '0',
        JWT_SECRET,
        ...(role === 'worker' ? { METRICS_PORT: String(port) } : { PORT: String(port) }),
        ...SERVER_ENV,
        ...env,
      },
      stdio: ['ignore', fd, fd],
    },
  );
  closeSync(fd);
  const stop = hold(() => stopChild(child, SERVER_STOP_GRACE_MS));
  const url = `http://127.0.0.1:${port}`;
  return {
    name,
    role,
    child,
    log,
    readyUrl: role === 'worker' ? `${url}/metrics` : `${url}/api/health/ready`,
    baseUrl: role === 'worker' ? undefined : url,
    profileDir,
    stop,
  };
}

async function waitUntilReady(server: ServerProcess): Promise<void> {
  const state = await waitFor(
    async () => {
      if (!running(server)) return 'exited';
      const response = await fetch(server.readyUrl);
      await response.body?.cancel();
      return response.status === 200 ? 'ready' : undefined;
    },
    { timeoutMs: 3 * 60_000, intervalMs: 200, what: `the ${server.name} process to be ready` },
  );
  if (state === 'exited')
    throw new Error(`The ${server.name} process exited while starting:\n${tail(server)}`);
}

const running = (server: ServerProcess) =>
  server.child.exitCode === null && server.child.signalCode === null;

const tail = (server: ServerProcess) => readFileSync(server.log, 'utf8').slice(-4000);

/** A configuration's processes over a fresh database, ready, with PLAYERS signed up. */
async function startDeployment(
  name: ConfigName,
  dir: string,
  redis: PrivateRedis | undefined,
  { profile = false } = {},
): Promise<Deployment> {
  const releases: Array<() => Promise<void>> = [];
  const close = () => releaseAll(releases);
  try {
    const build = currentBuild();
    if (builds.size > 0 && !builds.has(build)) console.log(`(dist/ was rebuilt at ${build})`);
    builds.add(build);
    const { floor = false } = CONFIGS[name];
    const database = floor
      ? undefined
      : await createTestDatabase(`accept_${name.replace(/\W/g, '_')}`);
    if (database) releases.push(hold(() => database.drop()));
    const env: Record<string, string> = {
      ...(database ? { DATABASE_URL: database.url } : {}),
      DATA_DIR: mkdtempSync(join(dir, 'data-')),
      // Pinned: unset, it would be the number of cores (NODE_ENV=production).
      API_PROCESSES: String(CONFIGS[name].apiProcesses ?? 1),
    };
    if (CONFIGS[name].redis) {
      env.REDIS_URL = redis!.url;
      env.REDIS_KEY_PREFIX = `bench-accept-${randomBytes(4).toString('hex')}:`;
      // The Redis is the script's own: every deployment starts on an empty one.
      releases.push(hold(() => redis!.command((client) => client.flushall())));
    }
    const roles = CONFIGS[name].roles;
    const processes: ServerProcess[] = [];
    for (const [i, role] of roles.entries()) {
      const label = roles.filter((r) => r === role).length > 1 ? `${role} ${i + 1}` : role;
      const script = floor ? FLOOR_SCRIPT : MAIN;
      const server = await startServerProcess(label, script, role, env, dir, profile);
      releases.push(server.stop);
      processes.push(server);
    }
    await Promise.all(processes.map(waitUntilReady));
    const db = database && new Pool({ connectionString: database.url, max: 2 });
    if (db) releases.push(hold(() => db.end()));
    const apiUrls = processes.flatMap((p) => (p.baseUrl ? [p.baseUrl] : []));
    return { name, processes, apiUrls, tokens: await signUpPlayers(apiUrls), db, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function signUpPlayers(apiUrls: string[]): Promise<string[]> {
  const tokens: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: SIGNUP_CONCURRENCY }, async () => {
      while (next < PLAYERS) {
        const i = next++;
        tokens[i] = (await new ApiClient(apiUrls[i % apiUrls.length]!).signup()).token;
      }
    }),
  );
  return tokens;
}

/** Warnings, errors and anything not a log line (a crash, Node.js warnings) the servers wrote. */
function notableLogLines(deployment: Deployment): string[] {
  return deployment.processes.flatMap((server) =>
    readFileSync(server.log, 'utf8')
      .split('\n')
      .filter((line) => {
        if (line === '') return false;
        const level = /^\{"level":(\d+)/.exec(line)?.[1];
        return level === undefined || Number(level) >= 40;
      })
      .map((line) => `${server.name}: ${line.slice(0, 300)}`),
  );
}

// ---------------------------------------------------------------------------------------------
// Load and what it leaves in the database.

/** Runs one load in a child process (bench/accept-load.ts), charging the deployment's processes. */
async function runLoad(
  deployment: Deployment,
  plan: Pick<LoadPlan, 'connections' | 'seconds' | 'warmUpSeconds' | 'rate'>,
): Promise<{ load: LoadResult; tag: string }> {
  const tag = randomBytes(6).toString('hex');
  const child = fork(LOAD_SCRIPT, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const release = hold(() => stopChild(child, 1000));
  try {
    const load = await new Promise<LoadResult>((resolve, reject) => {
      child.once('message', (result) => resolve(result as LoadResult));
      child.once('exit', (code, signal) =>
        reject(new Error(`The load generator exited (${code ?? signal}) without a result`)),
      );
      child.send({
        ...plan,
        urls: deployment.apiUrls,
        tokens: deployment.tokens,
        tag,
        pids: deployment.processes.map((p) => p.child.pid!),
      } satisfies LoadPlan);
    });
    const crashed = deployment.processes.find((server) => !running(server));
    if (crashed)
      throw new Error(`The ${crashed.name} process exited under load:\n${tail(crashed)}`);
    return { load, tag };
  } finally {
    await release();
  }
}

const ticksMs = (ticks: number) => (ticks * 1000) / CLK_TCK;

/** Milliseconds of CPU the load's window cost the processes `which` selects. */
function cpuMs(deployment: Deployment, load: LoadResult, which: (role: Role) => boolean): number {
  return deployment.processes.reduce(
    (sum, server, i) =>
      which(server.role) ? sum + ticksMs(load.ticks.end[i]! - load.ticks.start[i]!) : sum,
    0,
  );
}

async function scoreCounts(db: Pool): Promise<{ applied: number; pending: number; dead: number }> {
  const { rows } = await db.query<{ applied: string; pending: string; dead: string }>(
    `SELECT count(*) FILTER (WHERE applied_at IS NOT NULL) AS applied,
            count(*) FILTER (WHERE applied_at IS NULL AND dead_at IS NULL AND removed_at IS NULL)
              AS pending,
            count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
       FROM scores`,
  );
  const row = rows[0]!;
  return { applied: Number(row.applied), pending: Number(row.pending), dead: Number(row.dead) };
}

function allApplied(db: Pool): Promise<void> {
  return waitForProgress(
    async () => {
      const { applied, pending, dead } = await scoreCounts(db);
      return { done: pending === 0, count: applied, detail: `${pending} pending, ${dead} dead` };
    },
    { what: 'every score to be applied', counter: 'applied scores' },
  );
}

// ---------------------------------------------------------------------------------------------
// The measurements.

type ServerRun = {
  round: number;
  config: ConfigName;
  connections: number;
  rps: number;
  latency: LoadResult['latency'];
  noAnswer: number;
  timeouts: number;
  non2xx: number;
  /**
   * CPU ms per 2xx answer: the server's (`api` and `worker` for deployments that have both), and
   * beside it PostgreSQL's, Redis's, the load generator's and the whole machine's.
   */
  cpu: {
    total: number;
    api?: number;
    worker?: number;
    postgres: number;
    redis: number;
    generator: number;
    machine: number;
  };
  backlog: number;
  /** The share of the machine's cores busy, whatever ran on them. */
  busy: number;
};

async function measureServer(
  deployment: Deployment,
  round: number,
  connections: number,
): Promise<ServerRun> {
  const { load } = await runLoad(deployment, {
    connections,
    seconds: SECONDS,
    warmUpSeconds: WARMUP_SECONDS,
  });
  const { pending, dead } = deployment.db
    ? await scoreCounts(deployment.db)
    : { pending: 0, dead: 0 };
  const perRequest = (which: (role: Role) => boolean) => cpuMs(deployment, load, which) / load.ok;
  const split = deployment.processes.some((server) => server.role === 'worker');
  const run: ServerRun = {
    round,
    config: deployment.name,
    connections,
    rps: load.ok / load.seconds,
    latency: load.latency,
    noAnswer: load.errors,
    timeouts: load.timeouts,
    non2xx: load.non2xx,
    cpu: {
      total: perRequest(() => true),
      ...(split
        ? {
            api: perRequest((role) => role === 'api'),
            worker: perRequest((role) => role === 'worker'),
          }
        : {}),
      postgres: ticksMs(load.postgresTicks) / load.ok,
      redis: ticksMs(load.redisTicks) / load.ok,
      generator: load.generatorCpuMs / load.ok,
      machine: ticksMs(load.machineBusyTicks) / load.ok,
    },
    backlog: pending,
    busy: load.machineBusy,
  };
  const others = Object.entries(load.statusCodes).filter(([code]) => !code.startsWith('2'));
  console.log(
    `round ${round}  ${deployment.name} at ${connections} connections: ${fixed(run.rps)} req/s, ` +
      `p50 ${run.latency.p50} / p99 ${run.latency.p99} / max ${run.latency.max} ms, ` +
      `no answer ${run.noAnswer} (${run.timeouts} timeouts), non-2xx ${run.non2xx}` +
      (others.length > 0 ? ` (${others.map(([code, n]) => `${n} x ${code}`).join(', ')})` : '') +
      `, CPU ${cpuText(run)} ms/req, backlog ${run.backlog}` +
      (dead > 0 ? `, ${dead} DEAD LETTERS` : '') +
      `; machine ${percent(run.busy)} busy: ${fixed(run.cpu.machine, 2)} ms/req, of which ` +
      `PostgreSQL ${fixed(run.cpu.postgres, 2)}, Redis ${fixed(run.cpu.redis, 2)}, ` +
      `load generator ${fixed(run.cpu.generator, 2)}`,
  );
  if (deployment.db) await allApplied(deployment.db);
  return run;
}

const percent = (share: number) => `${fixed(100 * share, 0)} %`;

const cpuText = ({ cpu }: ServerRun) =>
  cpu.api === undefined
    ? fixed(cpu.total, 2)
    : `${fixed(cpu.api, 2)} api + ${fixed(cpu.worker!, 2)} worker = ${fixed(cpu.total, 2)}`;

type LagRun = {
  round: number;
  config: ConfigName;
  target: number;
  rps: number;
  latency: LoadResult['latency'];
  noAnswer: number;
  non2xx: number;
  lags: number[];
};

async function measureLag(
  deployment: Deployment & { db: Pool },
  round: number,
  rps: number,
): Promise<LagRun> {
  const target = Math.max(1, Math.round(rps * LAG_LOAD));
  const { load, tag } = await runLoad(deployment, {
    connections: LAG_CONNECTIONS,
    seconds: SECONDS,
    warmUpSeconds: 0,
    rate: target,
  });
  await allApplied(deployment.db);
  const { rows } = await deployment.db.query<{ lag_ms: string }>(
    `SELECT extract(epoch FROM applied_at - created_at) * 1000 AS lag_ms
       FROM scores WHERE idempotency_key LIKE $1 AND applied_at IS NOT NULL ORDER BY 1`,
    [`${tag}-%`],
  );
  const run: LagRun = {
    round,
    config: deployment.name,
    target,
    rps: load.ok / load.seconds,
    latency: load.latency,
    noAnswer: load.errors,
    non2xx: load.non2xx,
    lags: rows.map((row) => Number(row.lag_ms)),
  };
  console.log(
    `round ${round}  ${deployment.name} at a fixed ${target} req/s: ${fixed(run.rps)} req/s, ` +
      `lag p50 ${fixed(percentile(run.lags, 50))} / p99 ${fixed(percentile(run.lags, 99))} / ` +
      `max ${fixed(run.lags.at(-1)!)} ms over ${run.lags.length} scores`,
  );
  return run;
}

/**
 * One round of a configuration: a fresh deployment, each connection count, then the lag (of a
 * deployment that stores scores).
 */
async function measureConfig(
  name: ConfigName,
  round: number,
  order: number[],
  dir: string,
  redis: PrivateRedis | undefined,
): Promise<{ runs: ServerRun[]; lag?: LagRun }> {
  const deployment = await startDeployment(name, dir, redis);
  try {
    const runs: ServerRun[] = [];
    for (const connections of order) runs.push(await measureServer(deployment, round, connections));
    const base = runs.find((run) => run.connections === LAG_CONNECTIONS)!;
    const { db } = deployment;
    return { runs, lag: db && (await measureLag({ ...deployment, db }, round, base.rps)) };
  } finally {
    await deployment.close();
    const notable = notableLogLines(deployment);
    if (notable.length > 0) {
      console.log(`  the servers logged ${notable.length} warnings or errors, the first:`);
      for (const line of notable.slice(0, 3)) console.log(`    ${line}`);
    }
  }
}

type Pgbench = { url: string; db: Pool; script: string; close: () => Promise<void> };

async function createPgbench(dir: string): Promise<Pgbench> {
  const database = await createTestDatabase('accept_pgbench');
  const drop = hold(() => database.drop());
  const db = new Pool({ connectionString: database.url, max: 1 });
  const end = hold(() => db.end());
  await db.query(PGBENCH_TABLE);
  const script = join(dir, 'insert.sql');
  writeFileSync(script, PGBENCH_SCRIPT);
  return { url: database.url, db, script, close: () => releaseAll([drop, end]) };
}

type PgbenchRun = {
  round: number;
  connections: number;
  clients: number;
  tps: number;
  /** Milliseconds, sorted. */
  latencies: number[];
  busy: number;
  /** CPU ms per transaction: PostgreSQL's (every process of it) and the whole machine's. */
  cpu: { postgres: number; machine: number };
};

async function measurePgbench(
  bench: Pgbench,
  dir: string,
  round: number,
  connections: number,
): Promise<PgbenchRun> {
  const { rows } = await bench.db.query<{ free: number }>(
    `SELECT current_setting('max_connections')::int - count(*)::int AS free
       FROM pg_stat_activity WHERE backend_type = 'client backend'`,
  );
  const clients = Math.min(connections, rows[0]!.free - PGBENCH_SPARE_SLOTS);
  if (clients < 2) throw new Error(`Too few free PostgreSQL connections for pgbench: ${clients}`);
  const args = ['-n', '-M', 'prepared', '-c', String(clients), '-j', '2', '-f', bench.script];
  await pgbench([...args, '-T', String(WARMUP_SECONDS), bench.url]);
  const logs = join(dir, `pgbench-${round}-${connections}`);
  mkdirSync(logs);
  const start = { machine: machineTicks(), postgres: commandTicks('postgres') };
  const output = await pgbench([
    ...args,
    '-T',
    String(SECONDS),
    '-l',
    `--log-prefix=${join(logs, 'tx')}`,
    bench.url,
  ]);
  const end = { machine: machineTicks(), postgres: commandTicks('postgres') };
  const busy = busyShare(start.machine, end.machine);
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
  const transactions = /number of transactions actually processed: (\d+)/.exec(output);
  if (!tps || !transactions) throw new Error(`Unexpected pgbench output:\n${output}`);
  const cpu = {
    postgres: ticksMs(ticksBetween(start.postgres, end.postgres)) / Number(transactions[1]),
    machine: ticksMs(end.machine.busy - start.machine.busy) / Number(transactions[1]),
  };
  // One line per transaction (a file per thread): client, transaction, latency in µs, ...
  const latencies = readdirSync(logs)
    .flatMap((file) => readFileSync(join(logs, file), 'utf8').split('\n'))
    .filter((line) => line !== '')
    .map((line) => Number(line.split(' ')[2]) / 1000)
    .sort((a, b) => a - b);
  rmSync(logs, { recursive: true });
  const run: PgbenchRun = {
    round,
    connections,
    clients,
    tps: Number(tps[1]),
    latencies,
    busy,
    cpu,
  };
  console.log(
    `round ${round}  pgbench with ${clients} clients${clients < connections ? ` (of ${connections}: PostgreSQL's connection limit)` : ''}: ` +
      `${fixed(run.tps)} tps, p50 ${fixed(percentile(latencies, 50), 2)} / p99 ` +
      `${fixed(percentile(latencies, 99), 2)} / max ${fixed(latencies.at(-1)!, 2)} ms; ` +
      `machine ${percent(busy)} busy: ${fixed(cpu.machine, 3)} ms/transaction, of which ` +
      `PostgreSQL ${fixed(cpu.postgres, 3)}`,
  );
  return run;
}

/** Runs pgbench to its end; its output, or a failure with it. */
async function pgbench(args: string[]): Promise<string> {
  const child = spawn('pgbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const release = hold(() => stopChild(child, 1000));
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  await release();
  if (code !== 0) throw new Error(`pgbench ${args.join(' ')} failed (${code}):\n${output}`);
  return output;
}

/** The profile run (4. in the header): self time within one window, per role. */
async function profileConfig(
  name: ConfigName,
  dir: string,
  redis: PrivateRedis | undefined,
): Promise<void> {
  const deployment = await startDeployment(name, dir, redis, { profile: true });
  let load: LoadResult;
  try {
    ({ load } = await runLoad(deployment, {
      connections: LAG_CONNECTIONS,
      seconds: SECONDS,
      warmUpSeconds: WARMUP_SECONDS,
    }));
  } finally {
    await deployment.close(); // SIGTERM: each process writes its profile as it exits
  }
  console.log(
    `\nCPU profile: ${name} (${CONFIGS[name].description}), ${LAG_CONNECTIONS} connections, ` +
      `${fixed(load.ok / load.seconds)} req/s over the ${SECONDS} s window`,
  );
  console.log(
    `V8 samples the main thread's wall-clock time: on a busy machine (${percent(load.machineBusy)} ` +
      `of the cores were), time a thread waits for a core is charged to what it was running ` +
      `(often a system call), so "not idle" can exceed the CPU time /proc reports.`,
  );
  const roles = [...new Set(deployment.processes.map((server) => server.role))];
  for (const role of roles) {
    const processes = deployment.processes.filter((server) => server.role === role);
    const cpu = cpuMs(deployment, load, (r) => r === role);
    const time = emptySelfTime();
    for (const server of processes) {
      // One file per process: with API_PROCESSES above 1 the HTTP processes write theirs too.
      const files = readdirSync(server.profileDir!).filter((f) => f.endsWith('.cpuprofile'));
      if (files.length === 0)
        throw new Error(`The ${server.name} process wrote no CPU profile:\n${tail(server)}`);
      for (const file of files) {
        const profile = JSON.parse(readFileSync(join(server.profileDir!, file), 'utf8'));
        addSelfTime(time, profile as CpuProfile, load.window.startUs, load.window.endUs);
      }
    }
    const label = `${role} (${processes.length} process${processes.length > 1 ? 'es' : ''})`;
    printSelfTime(label, time, cpu);
  }
}

function printSelfTime(label: string, time: SelfTime, cpuMs: number): void {
  const busy = time.total - (time.buckets.get(IDLE) ?? 0);
  const ms = (us: number) => fixed(us / 1000, 0);
  const share = (us: number) => `${fixed((100 * us) / busy)} %`;
  console.log(
    `\n${label}: ${ms(time.total)} ms sampled in the window, ${ms(busy)} ms not idle ` +
      `(${fixed((100 * busy) / time.total)} %), ${fixed(cpuMs, 0)} ms CPU time by /proc; self ` +
      `time as a share of the non-idle time, by the code's own bucket and (charged) with ` +
      `Node.js-internal and native code counted in the bucket of the code that called it:`,
  );
  const top = (map: Map<string, number>, n: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
  table(
    ['bucket', 'ms', 'share', 'charged ms', 'charged share'],
    [
      ...BUCKETS.map((bucket) => {
        const [own, charged] = [time.buckets, time.charged].map((map) => map.get(bucket) ?? 0);
        return [bucket, ms(own!), share(own!), ms(charged!), share(charged!)];
      }),
      ...top(time.framework, 8).map(([group, us]) => [
        `HTTP framework: ${group}`,
        ms(us),
        share(us),
        '',
        '',
      ]),
      ...top(time.other, 12).map(([group, us]) => [
        `${OTHER}: ${group}`,
        ms(us),
        share(us),
        '',
        '',
      ]),
    ],
  );
  console.log(`\nTop 15 functions by self time (${label}):`);
  table(
    ['ms', 'share', 'function  file:line'],
    top(time.functions, 15).map(([name, us]) => [ms(us), share(us), name]),
    [2],
  );
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm run build -w packages/server`);
  const releases: Array<() => Promise<void>> = [];
  try {
    const dir = mkdtempSync(join(tmpdir(), 'scoreboard-bench-accept-'));
    releases.push(hold(async () => rmSync(dir, { recursive: true, force: true })));
    const needsRedis = CONFIG_NAMES.some((name) => CONFIGS[name].redis);
    const redis = needsRedis ? await PrivateRedis.start() : undefined;
    if (redis) releases.push(hold(() => redis.stop()));
    const bench = await createPgbench(dir);
    releases.push(bench.close);
    const { rows } = await bench.db.query<{ version: string; max: string }>(
      `SELECT current_setting('server_version') AS version,
              current_setting('max_connections') AS max`,
    );
    console.log(
      `POST /api/scores, unique keys, ${PLAYERS} players; ${ROUNDS} rounds; connections ` +
        `${CONNECTIONS.join(', ')}; ${SECONDS} s windows after ${WARMUP_SECONDS} s warm-up\n` +
        `server: ${MAIN} built ${currentBuild()}, LOG_LEVEL=${BENCH_LOG_LEVEL}; ` +
        `PostgreSQL ${rows[0]!.version} (max_connections ${rows[0]!.max}); ` +
        `Node.js ${process.version}, ${cpus().length} cores, CLK_TCK ${CLK_TCK}\n` +
        CONFIG_NAMES.map((name) => `${name}: ${CONFIGS[name].description}`).join('; ') +
        '\n',
    );

    const pgbenchRuns: PgbenchRun[] = [];
    const serverRuns: ServerRun[] = [];
    const lagRuns: LagRun[] = [];
    const subjects: Array<ConfigName | 'pgbench'> = ['pgbench', ...CONFIG_NAMES];
    for (let round = 1; round <= ROUNDS; round++) {
      const reversed = round % 2 === 0;
      const order = reversed ? [...CONNECTIONS].reverse() : CONNECTIONS;
      for (const subject of reversed ? [...subjects].reverse() : subjects) {
        if (subject === 'pgbench') {
          // Every round starts on an empty table, as each deployment on a fresh database.
          await bench.db.query('TRUNCATE scores');
          for (const c of order) pgbenchRuns.push(await measurePgbench(bench, dir, round, c));
        } else {
          const { runs, lag } = await measureConfig(subject, round, order, dir, redis);
          serverRuns.push(...runs);
          if (lag) lagRuns.push(lag);
        }
      }
    }
    if (PROFILE) await profileConfig(CONFIG_NAMES[0]!, dir, redis);
    printSummary(pgbenchRuns, serverRuns, lagRuns);
    if (builds.size > 1)
      console.log(`\nWARNING: dist/ was rebuilt during the run (${[...builds].join(', ')})`);
  } finally {
    await releaseAll(releases);
  }
}

function printSummary(pgbenchRuns: PgbenchRun[], serverRuns: ServerRun[], lagRuns: LagRun[]) {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const byRound = (xs: number[], digits = 1) => xs.map((x) => fixed(x, digits)).join(', ');
  const tps = (round: number, connections: number) =>
    pgbenchRuns.find((run) => run.round === round && run.connections === connections)!.tps;
  console.log(
    `\nSummary: means over the ${ROUNDS} rounds (max: the highest; counts: the sum; ` +
      `x pgbench: req/s over pgbench's tps at the same connections in the same round). ` +
      `CPU ms per request (per transaction for pgbench): the server's (api and worker apart ` +
      `when they are), PostgreSQL's (all of its processes), Redis's, the load generator's, and ` +
      `the whole machine's (all cores busy, whatever ran)`,
  );
  const rows: string[][] = [];
  for (const connections of CONNECTIONS) {
    const runs = pgbenchRuns.filter((run) => run.connections === connections);
    const clients = [...new Set(runs.map((run) => run.clients))].join(', ');
    rows.push([
      'pgbench',
      clients === String(connections) ? clients : `${connections} (ran ${clients})`,
      byRound(runs.map((run) => run.tps)),
      fixed(mean(runs.map((run) => run.tps))),
      fixed(mean(runs.map((run) => percentile(run.latencies, 50))), 2),
      fixed(mean(runs.map((run) => percentile(run.latencies, 99))), 2),
      fixed(Math.max(...runs.map((run) => run.latencies.at(-1)!)), 2),
      ...Array<string>(5).fill(''),
      fixed(mean(runs.map((run) => run.cpu.postgres)), 3),
      '',
      '',
      fixed(mean(runs.map((run) => run.cpu.machine)), 3),
      '',
      '',
      percent(mean(runs.map((run) => run.busy))),
    ]);
    for (const config of CONFIG_NAMES) {
      const runs = serverRuns.filter((r) => r.config === config && r.connections === connections);
      const cpu = (key: keyof ServerRun['cpu']) =>
        runs[0]!.cpu[key] === undefined ? '' : fixed(mean(runs.map((run) => run.cpu[key]!)), 2);
      rows.push([
        config,
        String(connections),
        byRound(runs.map((run) => run.rps)),
        fixed(mean(runs.map((run) => run.rps))),
        fixed(mean(runs.map((run) => run.latency.p50))),
        fixed(mean(runs.map((run) => run.latency.p99))),
        fixed(Math.max(...runs.map((run) => run.latency.max)), 0),
        String(runs.reduce((sum, run) => sum + run.noAnswer, 0)),
        String(runs.reduce((sum, run) => sum + run.non2xx, 0)),
        cpu('total'),
        cpu('api'),
        cpu('worker'),
        cpu('postgres'),
        cpu('redis'),
        cpu('generator'),
        cpu('machine'),
        byRound(
          runs.map((run) => run.rps / tps(run.round, connections)),
          2,
        ),
        String(Math.max(...runs.map((run) => run.backlog))),
        percent(mean(runs.map((run) => run.busy))),
      ]);
    }
  }
  table(
    [
      'subject',
      'conns',
      'req/s by round',
      'req/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'no answer',
      'non-2xx',
      'CPU ms/req',
      'api',
      'worker',
      'PG',
      'Redis',
      'load',
      'machine',
      'x pgbench',
      'backlog',
      'busy',
    ],
    rows,
  );
  console.log(
    `\nProcessing lag (applied_at - created_at) at ${LAG_LOAD * 100} % of the req/s at ` +
      `${LAG_CONNECTIONS} connections, ${SECONDS} s, autocannon's per-second bursts (see the header)`,
  );
  table(
    [
      'config',
      'round',
      'target req/s',
      'req/s',
      'http p50 ms',
      'http p99 ms',
      'lag p50 ms',
      'lag p99 ms',
      'lag max ms',
      'scores',
      'no answer',
      'non-2xx',
    ],
    lagRuns.map((run) => [
      run.config,
      String(run.round),
      String(run.target),
      fixed(run.rps),
      String(run.latency.p50),
      String(run.latency.p99),
      fixed(percentile(run.lags, 50)),
      fixed(percentile(run.lags, 99)),
      fixed(run.lags.at(-1)!),
      String(run.lags.length),
      String(run.noAnswer),
      String(run.non2xx),
    ]),
  );
}

/** Columns `left` aligned left (names), the others right (figures). */
function table(header: string[], rows: string[][], left = [0]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  rows.forEach((row) => console.log(line(row)));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void releaseEverything().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await releaseEverything();
    process.exit(1);
  },
);
