import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Redis from 'ioredis';
import { waitFor } from './wait-for';

const DIST = join(__dirname, '..', '..', 'dist');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export type NodeProcess = {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

/** Runs a built entry point (dist/main.js, dist/cli.js) as a real process. */
export function runNode(
  entry: 'main.js' | 'cli.js',
  env: Record<string, string>,
  args: string[] = [],
): NodeProcess {
  const child = spawn(process.execPath, [join(DIST, entry), ...args], {
    // Tests sign up many players from 127.0.0.1; the signup limit has tests of its own.
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', SIGNUP_MAX_PER_HOUR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * A redis-server of the test's own, on a free port, for tests that stop or flush it without
 * disturbing anything else running on the machine.
 */
export class PrivateRedis {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitFor(() => this.command((client) => client.ping()), { what: 'redis-server' });
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** REDIS_URL and REDIS_CLUSTER for an app over it. */
  get env(): { REDIS_URL: string; REDIS_CLUSTER: string } {
    return { REDIS_URL: this.url, REDIS_CLUSTER: 'false' };
  }

  async flushAll(): Promise<void> {
    await this.command((client) => client.flushall());
  }

  /** Runs a server-wide command (CLIENT PAUSE, INFO) on the one server there is. */
  async onEveryNode<T>(work: (client: Redis) => Promise<T>): Promise<T[]> {
    return [await this.command(work)];
  }

  /** Stops the server for good. */
  async destroy(): Promise<void> {
    await this.stop();
  }

  command<T>(work: (client: Redis) => Promise<T>): Promise<T> {
    return withRedis(this.url, work);
  }
}

/** A connection of its own to one Redis server, for one piece of work; no retries. */
export function withRedis<T>(url: string, work: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // the command's promise reports it
  return client
    .connect()
    .then(() => work(client))
    .finally(() => client.disconnect());
}
