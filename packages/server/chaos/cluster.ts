import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort, PrivateRedis } from '../test/support/processes';
import { PrivatePostgres } from '../test/support/private-postgres';
import { elapsedSeconds, log, sleep } from './log';

export type ServerRole = 'api' | 'worker';

/** A server process that ended without the nemesis (or the run's end) having stopped it. */
export type UnexpectedExit = {
  process: string;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  atSeconds: number;
  /** How long this start of the process had been running. */
  uptimeSeconds: number;
  /** The end of what this start of the process wrote. */
  logTail: string;
};

export type ClusterOptions = {
  runDir: string;
  redisKeyPrefix: string;
  /** WORKER_CLAIM_IDLE_MS for the workers: how long an unacknowledged event waits to be claimed. */
  claimIdleMs: number;
  /** EVENT_SHARDS for every process: how many streams the score events are split over. */
  eventShards: number;
  /** API_PROCESSES for each API: above 1, a primary and that many HTTP processes sharing its port. */
  apiProcesses: number;
};

/**
 * A crashed process is started again as a supervisor would: after 1 s, doubling up to 16 s while
 * it keeps crashing within 10 s of its start.
 */
const RESTART_DELAY_MS = { first: 1000, max: 16_000 };
const CRASH_LOOP_UPTIME_S = 10;
const READY_TIMEOUT_MS = 60_000;

/**
 * Everything the system under test runs on: a private PostgreSQL and Redis, two API processes and
 * two workers from dist/main.js, each process's output appended to its own log file in the run
 * directory (one file across restarts, with a line marking each start).
 */
export class Cluster {
  /** Exits nobody asked for: each is an invariant violation. */
  readonly unexpectedExits: UnexpectedExit[] = [];
  private redisUp = true;
  private closing = false;
  private readonly crashStreaks = new Map<ServerProcess, number>();

  private constructor(
    readonly postgres: PrivatePostgres,
    readonly redis: PrivateRedis,
    readonly apis: ServerProcess[],
    readonly workers: ServerProcess[],
  ) {}

  static async start(options: ClusterOptions): Promise<Cluster> {
    const postgres = await PrivatePostgres.start({ logFile: join(options.runDir, 'postgres.log') });
    let redis: PrivateRedis;
    try {
      redis = await PrivateRedis.start();
    } catch (error) {
      await postgres.destroy();
      throw error;
    }
    // The processes get only this environment (and the PATH to find their tools), never the
    // caller's database or Redis.
    const common: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: options.redisKeyPrefix,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      DATA_DIR: join(options.runDir, 'data'),
      // Short, so that scores whose events were lost are swept up within the run.
      SWEEP_DELAY_MS: '2000',
      SWEEP_INTERVAL_MS: '500',
      WORKER_CLAIM_IDLE_MS: String(options.claimIdleMs),
      EVENT_SHARDS: String(options.eventShards),
      // Pinned, since NODE_ENV=production would make it the number of cores.
      API_PROCESSES: '1',
      // The SPEC's signup limit per client address (default 30 an hour): the players all sign up
      // from 127.0.0.1.
      SIGNUP_MAX_PER_HOUR: '0',
      // The run's webhook receiver listens on 127.0.0.1; short timeouts and backoff, so that its
      // unanswered requests and 500s are retried within the run.
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_RETRY_BASE_MS: '100',
      WEBHOOK_RETRY_MAX_MS: '2000',
      LOG_LEVEL: 'warn',
    };
    const cluster = new Cluster(postgres, redis, [], []);
    for (const [name, role] of [
      ['api-1', 'api'],
      ['api-2', 'api'],
      ['worker-1', 'worker'],
      ['worker-2', 'worker'],
    ] as const) {
      const port = role === 'api' ? await freePort() : undefined;
      const env = {
        ...common,
        ROLE: role,
        ...(port ? { PORT: String(port), API_PROCESSES: String(options.apiProcesses) } : {}),
      };
      const server = new ServerProcess(name, role, port, env, join(options.runDir, `${name}.log`));
      server.onUnexpectedExit = (exit) => cluster.crashed(server, exit);
      (role === 'api' ? cluster.apis : cluster.workers).push(server);
    }
    for (const server of cluster.servers) server.start();
    if (!(await cluster.waitForApis())) {
      await cluster.shutdown();
      throw new Error(`The APIs did not become ready; see the logs in ${options.runDir}`);
    }
    return cluster;
  }

  get servers(): ServerProcess[] {
    return [...this.apis, ...this.workers];
  }

  async stopRedis(): Promise<void> {
    this.redisUp = false;
    await this.redis.stop();
  }

  async startRedis(): Promise<void> {
    if (this.closing) return;
    await this.redis.start();
    this.redisUp = true;
  }

  async flushRedis(): Promise<void> {
    await this.redis.command((client) => client.flushall());
  }

  /**
   * Undoes whatever is still broken: PostgreSQL and Redis up, every process resumed and running.
   * Returns whether both APIs then answer ready within a minute.
   */
  async healAll(): Promise<boolean> {
    if (!this.postgres.running) await this.postgres.start();
    if (!this.redisUp || !(await this.redis.command((c) => c.ping()).catch(() => false))) {
      await this.startRedis();
    }
    for (const server of this.servers) {
      if (server.paused) server.resume();
      if (!server.running) server.start();
    }
    return this.waitForApis();
  }

  async waitForApis(): Promise<boolean> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (const api of this.apis) {
      while (!(await api.ready())) {
        if (Date.now() > deadline) return false;
        await sleep(200);
      }
    }
    return true;
  }

  /** Stops everything it started; safe to call more than once and after a partial start. */
  async shutdown(): Promise<void> {
    this.closing = true;
    await Promise.all(this.servers.map((server) => server.close()));
    await this.redis.stop();
    await this.postgres.destroy();
  }

  private crashed(server: ServerProcess, exit: UnexpectedExit): void {
    this.unexpectedExits.push(exit);
    const streak =
      exit.uptimeSeconds < CRASH_LOOP_UPTIME_S ? (this.crashStreaks.get(server) ?? 0) + 1 : 1;
    this.crashStreaks.set(server, streak);
    const delayMs = Math.min(RESTART_DELAY_MS.max, RESTART_DELAY_MS.first * 2 ** (streak - 1));
    log(
      `VIOLATION ${server.name} exited on its own after ${exit.uptimeSeconds.toFixed(1)} s ` +
        `(code ${exit.code}, signal ${exit.signal}); restarting it in ${delayMs / 1000} s`,
    );
    // Restarted so that the run goes on; the exit stays recorded.
    setTimeout(() => {
      if (!this.closing && !server.running) server.start();
    }, delayMs);
  }
}

/**
 * Where a server process runs: by default on this host's loopback; in the multi-host run, inside a
 * network namespace (`ip netns exec`, which execs, so the child is still the node process itself),
 * reached at that namespace's address.
 */
export type Placement = { netns: string; host: string };

/** One server process in one role; started again (same port, same log file) after each stop. */
export class ServerProcess {
  onUnexpectedExit: (exit: UnexpectedExit) => void = () => undefined;
  private child: ChildProcess | undefined;
  /** Set just before the run itself kills the current process, so that its exit is expected. */
  private killing = false;
  private stopped = false;
  /** Closed for good: a heal or restart arriving late starts nothing. */
  private closed = false;
  private startedAt = 0;
  /** Where in the log file the current start's output begins. */
  private logOffset = 0;

  constructor(
    readonly name: string,
    readonly role: ServerRole,
    readonly port: number | undefined,
    private readonly env: NodeJS.ProcessEnv,
    readonly logFile: string,
    private readonly placement?: Placement,
  ) {}

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  get paused(): boolean {
    return this.running && this.stopped;
  }

  start(): void {
    if (this.running || this.closed) return;
    appendFileSync(this.logFile, `--- ${new Date().toISOString()} chaos: starting ${this.name}\n`);
    this.logOffset = statSync(this.logFile).size;
    this.startedAt = Date.now();
    const output = openSync(this.logFile, 'a');
    // Its own process group: a terminal's Ctrl-C reaches the run, which then kills it.
    const node = [process.execPath, join(serverRoot(), 'dist', 'main.js')];
    const [command, ...args] = this.placement
      ? ['ip', 'netns', 'exec', this.placement.netns, ...node]
      : node;
    const child = spawn(command!, args, {
      env: this.env,
      detached: true,
      stdio: ['ignore', output, output],
    });
    closeSync(output);
    this.child = child;
    this.killing = false;
    this.stopped = false;
    child.once('exit', (code, signal) => {
      if (this.child !== child || this.killing) return;
      this.onUnexpectedExit({
        process: this.name,
        pid: child.pid,
        code,
        signal,
        atSeconds: elapsedSeconds(),
        uptimeSeconds: (Date.now() - this.startedAt) / 1000,
        logTail: tail(this.logFile, this.logOffset),
      });
    });
  }

  /** SIGKILL (works on a stopped process too); resolves once it has exited. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.killing = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** With API_PROCESSES above 1, the HTTP processes its primary forked (none otherwise). */
  httpProcesses(): number[] {
    const pid = this.running ? this.child!.pid : undefined;
    if (pid === undefined) return [];
    try {
      return readdirSync(`/proc/${pid}/task`)
        .flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' '))
        .filter(Boolean)
        .map(Number)
        .sort((a, b) => a - b);
    } catch {
      return []; // it exited meanwhile
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.kill();
  }

  pause(): void {
    if (!this.running) return;
    this.stopped = true;
    this.child!.kill('SIGSTOP');
  }

  resume(): void {
    if (!this.running) return;
    this.child!.kill('SIGCONT');
    this.stopped = false;
  }

  get baseUrl(): string {
    return `http://${this.placement?.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** An API answers ready (PostgreSQL, migrations and Redis up); a worker is running. */
  async ready(): Promise<boolean> {
    if (this.role === 'worker') return this.running && !this.stopped;
    try {
      const response = await fetch(`${this.baseUrl}/api/health/ready`, {
        signal: AbortSignal.timeout(2000),
      });
      return response.status === 200;
    } catch {
      return false;
    }
  }
}

/** packages/server, found from here whether this runs from its source or compiled elsewhere. */
function serverRoot(): string {
  let directory = __dirname;
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`No package.json above ${__dirname}`);
    directory = parent;
  }
  return directory;
}

/** The last lines of a log file from `offset` on (at most its last 4 KB: logs grow under errors). */
function tail(file: string, offset: number): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(offset, size - 4096);
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    return buffer.toString('utf8').trimEnd();
  } finally {
    closeSync(fd);
  }
}
