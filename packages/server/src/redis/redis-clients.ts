import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { AppConfig } from '../config/app-config';

/** A Lua script on the shared connection, called with its keys and arguments. */
export type RedisScript = (keys: string[], args: Array<string | number>) => Promise<unknown>;

/**
 * The process's Redis connections, all made here and closed on shutdown. Commands fail fast while
 * Redis is away (no offline queue, a command timeout) so that nothing waits on it; ioredis
 * reconnects by itself.
 */
@Injectable()
export class RedisClients implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisClients.name);
  private readonly clients: Redis[] = [];
  private shared: Redis | undefined;
  private publishing: Redis | undefined;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.redisUrl !== undefined;
  }

  /** Every key this deployment uses starts with this. */
  key(name: string): string {
    return `${this.config.redisKeyPrefix}${name}`;
  }

  /** The connection for ordinary commands, shared by the whole process. */
  get commands(): Redis {
    this.shared ??= this.create('commands', { commandTimeout: 2000 });
    return this.shared;
  }

  /**
   * The connection that publishes (score events, live updates): auto-pipelined, so the commands
   * issued in one turn of the event loop (a submission's event and update, and those of the
   * other requests of that turn) go to Redis in one write and one round trip. No scripts run on
   * it.
   */
  get publisher(): Redis {
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
    const client = this.commands as Redis & Record<string, unknown>;
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
  create(purpose: string, options: RedisOptions = {}): Redis {
    if (!this.config.redisUrl) throw new Error('REDIS_URL is not set');
    const client = new Redis(this.config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
      connectionName: `scoreboard-${purpose}`,
      ...options,
    });
    client.on('error', (error: Error) => this.logger.debug(`Redis (${purpose}): ${error.message}`));
    this.clients.push(client);
    return client;
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

function whenReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
