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
 * REDIS_URL is set, in-process otherwise (see LiveModule). Updates about a board reach every
 * listener; updates about one player (`stats`, `account-closed`) only those of a process that
 * watches the player (one of their streams is open there), so that no process receives, for
 * every score of the cluster, two messages it would drop.
 */
export abstract class UpdatesBus {
  protected readonly listeners = new Set<UpdateListener>();
  /** Per watched player, how many watches are open. */
  private readonly watched = new Map<string, number>();
  private readonly quietLogger = new Logger(UpdatesBus.name);

  abstract publish(update: Update): Promise<void>;

  /**
   * From now until `unwatch`, this process receives the player's updates; resolves once it does
   * (an update published after that is received). Calls nest: each `watch` needs an `unwatch`.
   */
  async watch(userId: string): Promise<void> {
    this.watched.set(userId, (this.watched.get(userId) ?? 0) + 1);
    await this.listenTo(userId);
  }

  unwatch(userId: string): void {
    const count = this.watched.get(userId);
    if (count === undefined) return;
    if (count > 1) return void this.watched.set(userId, count - 1);
    this.watched.delete(userId);
    this.stopListeningTo(userId);
  }

  /** The players watched, for tests that check nothing is left behind. */
  get watchedPlayers(): number {
    return this.watched.size;
  }

  /** Receive the player's updates from now on (again for a nested watch: it must be harmless). */
  protected abstract listenTo(userId: string): Promise<void>;
  protected abstract stopListeningTo(userId: string): void;

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

/** One process: every update reaches every listener, watched or not. */
export class InProcessUpdatesBus extends UpdatesBus {
  async publish(update: Update): Promise<void> {
    this.deliver(update);
  }

  protected async listenTo(): Promise<void> {}

  protected stopListeningTo(): void {}
}

/**
 * One subscriber connection per process: board updates on one channel, each player's on a
 * channel of their own, subscribed while the player is watched. Messages are small JSON updates.
 */
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

  private playerChannel(userId: string): string {
    return `${this.channel}:user:${userId}`;
  }

  async publish(update: Update): Promise<void> {
    const channel =
      update.type === 'leaderboard' ? this.channel : this.playerChannel(update.userId);
    await this.publisher.publish(channel, JSON.stringify(update));
  }

  override subscribe(listener: UpdateListener): () => void {
    this.subscribed();
    return super.subscribe(listener);
  }

  protected async listenTo(userId: string): Promise<void> {
    // SUBSCRIBE again (a nested watch) is harmless, and waits for the same subscription.
    await this.subscribed().subscribe(this.playerChannel(userId));
  }

  protected stopListeningTo(userId: string): void {
    // Commands on one connection run in order: a watch that follows re-subscribes after this.
    this.subscribed()
      .unsubscribe(this.playerChannel(userId))
      .catch((error: Error) => this.logger.debug({ err: error, userId }, 'Unsubscribing failed'));
  }

  /** The subscriber connection, made (and subscribed to board updates) on first use. */
  private subscribed(): RedisConnection {
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
    return this.subscriber;
  }
}
