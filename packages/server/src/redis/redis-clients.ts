import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import { AppConfig, splitRedisUrls } from '../config/app-config';

/**
 * A connection to one Redis, or to a Redis Cluster (REDIS_CLUSTER=true): the same commands. On a
 * cluster, the keys of one script call or one MULTI must share a hash slot (see `key`).
 */
export type RedisConnection = Redis | Cluster;

/** A Lua script on the shared connection, called with its keys and arguments. */
export type RedisScript = (keys: string[], args: Array<string | number>) => Promise<unknown>;

type ConnectionOptions = Pick<
  RedisOptions,
  'commandTimeout' | 'enableAutoPipelining' | 'enableOfflineQueue'
>;

/**
 * The process's Redis connections, all made here and closed on shutdown. Commands fail fast while
 * Redis is away (no offline queue, a command timeout) so that nothing waits on it; ioredis
 * reconnects by itself.
 */
@Injectable()
export class RedisClients implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisClients.name);
  private readonly clients: RedisConnection[] = [];
  private shared: RedisConnection | undefined;
  private publishing: RedisConnection | undefined;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.redisUrl !== undefined;
  }

  /**
   * Every key this deployment uses starts with this. It is written into the names here, not
   * left to ioredis' keyPrefix option: that one prefixes only what ioredis knows to be a key (not
   * the pub/sub channel), and a Cluster computes slots from the names before a per-node prefix
   * is added. Here the stream, the channel and every script's KEYS carry it alike, on one node
   * or a cluster. A cluster hashes a key by its first `{...}`, and the prefix may hold no braces,
   * so the hash tag a name carries (`{board:<id>}`) is the one that counts.
   */
  key(name: string): string {
    return `${this.config.redisKeyPrefix}${name}`;
  }

  /** The connection for ordinary commands, shared by the whole process. */
  get commands(): RedisConnection {
    this.shared ??= this.create('commands', { commandTimeout: 2000 });
    return this.shared;
  }

  /**
   * The connection that publishes (score events, live updates): auto-pipelined, so the commands
   * issued in one turn of the event loop (a submission's event and update, and those of the
   * other requests of that turn) go to Redis in one write and one round trip. No scripts run on
   * it.
   */
  get publisher(): RedisConnection {
    this.publishing ??= this.create('publisher', {
      commandTimeout: 2000,
      enableAutoPipelining: true,
    });
    return this.publishing;
  }

  /**
   * A Lua script for the shared connection, defined once (ioredis' defineCommand): it is called
   * by its SHA (EVALSHA), and sent whole only when Redis does not know it yet (after a restart).
   */
  script(name: string, lua: string): RedisScript {
    const client = this.commands as RedisConnection & Record<string, unknown>;
    if (typeof client[name] !== 'function') client.defineCommand(name, { lua });
    const command = client[name] as (...args: Array<string | number>) => Promise<unknown>;
    return (keys, args) => command.call(client, keys.length, ...keys, ...args);
  }

  /**
   * Connects the shared and publishing connections at start, so that the first commands do not
   * find them still connecting. A Redis that is down does not stop the start: it is waited for
   * 2 s at most.
   */
  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    await Promise.all([this.commands, this.publisher].map((client) => whenReady(client, 2000)));
  }

  /** A connection of its own, for blocking reads or subscriptions. */
  create(purpose: string, options: ConnectionOptions = {}): RedisConnection {
    if (!this.config.redisUrl) throw new Error('REDIS_URL is not set');
    const client = this.config.redisCluster
      ? this.createCluster(this.config.redisUrl, purpose, options)
      : new Redis(this.config.redisUrl, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          retryStrategy,
          connectionName: `scoreboard-${purpose}`,
          ...options,
        });
    client.on('error', (error: Error) => this.logger.debug(`Redis (${purpose}): ${error.message}`));
    this.clients.push(client);
    return client;
  }

  /**
   * A Cluster client that learns the cluster's nodes from the seeds and follows its slots. The
   * queueing and pipelining options are the Cluster's own; the credentials (of the first seed),
   * TLS and the timeout apply to its connection to every node, seed or not.
   */
  private createCluster(urls: string, purpose: string, options: ConnectionOptions): Cluster {
    const seeds = splitRedisUrls(urls).map((url) => new URL(url));
    const { enableOfflineQueue = false, enableAutoPipelining, commandTimeout } = options;
    const { username, password, protocol } = seeds[0]!;
    return new Cluster(
      seeds.map(({ hostname, port }) => ({ host: hostname, port: Number(port || 6379) })),
      {
        enableOfflineQueue,
        enableAutoPipelining,
        clusterRetryStrategy: retryStrategy,
        redisOptions: {
          maxRetriesPerRequest: 1,
          connectionName: `scoreboard-${purpose}`,
          commandTimeout,
          username: username ? decodeURIComponent(username) : undefined,
          password: password ? decodeURIComponent(password) : undefined,
          tls: protocol === 'rediss:' ? {} : undefined,
        },
      },
    );
  }

  /** QUIT where connected (it waits for replies in flight); a dead connection is just dropped. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.clients.map((client) =>
        client.status === 'ready'
          ? client.quit().catch(() => client.disconnect())
          : client.disconnect(),
      ),
    );
  }
}

/** How long to wait before reconnecting, by attempt: 200 ms more each time, 2 s at most. */
function retryStrategy(attempt: number): number {
  return Math.min(attempt * 200, 2000);
}

function whenReady(client: RedisConnection, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
