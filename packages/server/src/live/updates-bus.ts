import { Logger } from '@nestjs/common';
import { RedisClients, type RedisConnection } from '../redis/redis-clients';

/**
 * "Something changed": the API instances look up what, for the clients connected to them. A
 * player's score on a board was accepted (their pending count changed) or applied or removed
 * (their standing changed), a board's current leaderboard may have changed, or an account was
 * closed.
 */
export type Update =
  | {
      type: 'stats';
      userId: string;
      boardId: string;
      /** Set when an applied score moved the player's ranked standing in this period. */
      moved?: {
        periodId: string;
        /** The standing it moved from; null for the player's first score in the period. */
        before: { rankScore: string; achievedAtMicros: string } | null;
        /** The standing is now worse than `before` (a `latest`, `sum` or `count` board). */
        worse: boolean;
      };
    }
  | { type: 'leaderboard'; boardId: string }
  /** The account was suspended or deleted: its streams end. */
  | { type: 'account-closed'; userId: string };
export type UpdateListener = (update: Update) => void;

/**
 * Fan-out of updates from the worker (and the API) to every API instance: Redis pub/sub when
 * REDIS_URL is set, in-process otherwise (see LiveModule).
 */
export abstract class UpdatesBus {
  protected readonly listeners = new Set<UpdateListener>();
  private readonly quietLogger = new Logger(UpdatesBus.name);

  abstract publish(update: Update): Promise<void>;

  /**
   * Publishes, for callers to whom live updates are best effort (the state itself is committed
   * and readable): a failure (Redis away) is logged, not thrown.
   */
  async publishBestEffort(update: Update): Promise<void> {
    try {
      await this.publish(update);
    } catch (error) {
      this.quietLogger.debug({ err: error, type: update.type }, 'Publishing an update failed');
    }
  }

  subscribe(listener: UpdateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected deliver(update: Update): void {
    for (const listener of this.listeners) listener(update);
  }
}

export class InProcessUpdatesBus extends UpdatesBus {
  async publish(update: Update): Promise<void> {
    this.deliver(update);
  }
}

/** One subscriber connection per process; messages are small JSON updates on one channel. */
export class RedisUpdatesBus extends UpdatesBus {
  private readonly logger = new Logger(RedisUpdatesBus.name);
  private readonly channel: string;
  private readonly publisher: RedisConnection;
  private subscriber: RedisConnection | undefined;

  constructor(private readonly redis: RedisClients) {
    super();
    this.channel = redis.key('updates');
    this.publisher = redis.publisher;
  }

  async publish(update: Update): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(update));
  }

  override subscribe(listener: UpdateListener): () => void {
    if (!this.subscriber) {
      // Subscriptions are re-established by ioredis after a reconnect.
      this.subscriber = this.redis.create('updates-subscriber', { enableOfflineQueue: true });
      this.subscriber.on('message', (_channel: string, message: string) => {
        try {
          this.deliver(JSON.parse(message) as Update);
        } catch (error) {
          this.logger.warn(`Ignoring a malformed update: ${(error as Error).message}`);
        }
      });
      void this.subscriber.subscribe(this.channel).catch((error: Error) => {
        this.logger.warn(`Subscribing to ${this.channel} failed: ${error.message}`);
      });
    }
    return super.subscribe(listener);
  }
}
