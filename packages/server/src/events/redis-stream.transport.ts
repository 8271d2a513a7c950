import { Logger } from '@nestjs/common';
import { RedisClients, type RedisConnection } from '../redis/redis-clients';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { eventShard, eventStreamName } from './event-shards';
import { Delivery, ScoreEvent, ScoreEventTransport } from './score-event-transport';

const GROUP = 'score-workers';
/**
 * Processed entries are deleted as they are acknowledged; this trim only bounds a backlog that no
 * worker reads. The sweeper covers anything trimmed unread.
 */
const MAX_LENGTH = 100_000;

type StreamEntry = [id: string, fields: string[]];

/** A blocking read on one shard, kept until it has been collected (it may outlast a `receive`). */
type PendingRead = {
  settled: boolean;
  entries: StreamEntry[];
  error?: unknown;
  done: Promise<void>;
};

/** One shard's stream and, in workers, the connection its blocking reads hold. */
type Shard = { index: number; stream: string; reader?: RedisConnection; read?: PendingRead };

/**
 * Redis Streams with one consumer group per stream: events survive a worker being down, each is
 * handed to one worker at a time, and one left unacknowledged by a dead worker is claimed by
 * another.
 *
 * Events are split over EVENT_SHARDS streams by user (see event-shards.ts), so one user's events
 * stay in one stream, in order. Every worker reads every shard in the same group, each with a
 * blocking read on a connection of its own: a Redis Cluster refuses one read over keys in
 * different slots, and one connection cannot block on two reads. A `receive` returns what the
 * first reads to answer brought; reads still blocking carry on, and what they bring is kept for
 * the next `receive` (it is already this consumer's, so a worker that dies holding it leaves it
 * to be claimed like any other).
 */
export class RedisStreamTransport extends ScoreEventTransport {
  private readonly logger = new Logger(RedisStreamTransport.name);
  private readonly shards: Shard[];
  private readonly consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  /** Publishing and acknowledging: fails fast while Redis is away instead of queueing. */
  private readonly commands: RedisConnection;
  /** Read from a shard but not handed to the worker yet. */
  private received: Delivery[] = [];
  private lastClaimAt = 0;
  private readonly claimEveryMs: number;

  /** `claimIdleMs`: an event received but not acknowledged this long is taken over by another worker. */
  constructor(
    private readonly redis: RedisClients,
    private readonly claimIdleMs: number,
    shardCount = 1,
  ) {
    super();
    this.claimEveryMs = Math.min(5000, Math.ceil(claimIdleMs / 2));
    this.shards = Array.from({ length: shardCount }, (_, index) => ({
      index,
      stream: redis.key(eventStreamName(index, shardCount)),
    }));
    this.commands = redis.commands;
  }

  /** XREADGROUP ... BLOCK holds its connection, so each shard gets its own (in workers only). */
  private reader(shard: Shard): RedisConnection {
    shard.reader ??= this.redis.create(
      this.shards.length === 1 ? 'stream-reader' : `stream-reader-${shard.index}`,
    );
    return shard.reader;
  }

  async publish(event: ScoreEvent): Promise<void> {
    const shard = this.shards[eventShard(event.userId, this.shards.length)]!;
    await this.redis.publisher.xadd(
      shard.stream,
      'MAXLEN',
      '~',
      MAX_LENGTH,
      '*',
      'score_id',
      event.scoreId,
      'user_id',
      event.userId,
    );
  }

  async receive(max: number, waitMs: number): Promise<Delivery[]> {
    if (this.received.length > 0) return this.received.splice(0, max);
    // The readers' first connections are made on first use: wait for them rather than fail.
    await Promise.all(this.shards.map((shard) => whenConnected(this.reader(shard), waitMs)));
    if (Date.now() - this.lastClaimAt > this.claimEveryMs) {
      this.lastClaimAt = Date.now();
      const claimed = await this.claimAbandoned(max);
      if (claimed.length > 0) return claimed;
    }
    for (const shard of this.shards) shard.read ??= this.startRead(shard, max, waitMs);
    await Promise.race(this.shards.map((shard) => shard.read!.done));
    let failure: unknown;
    for (const shard of this.shards) {
      const read = shard.read!;
      if (!read.settled) continue;
      shard.read = undefined;
      if (read.error === undefined) {
        this.received.push(...toDeliveries(shard.index, read.entries));
      } else if (isNoGroup(read.error)) {
        // A new Redis, or one that lost its data, has no group yet: create it and read again.
        await this.createGroup(shard);
      } else {
        failure ??= read.error;
      }
    }
    if (failure !== undefined && this.received.length === 0) throw failure;
    return this.received.splice(0, max);
  }

  async ack(deliveries: Delivery[]): Promise<void> {
    const byShard = new Map<number, string[]>();
    for (const delivery of deliveries) {
      const [shard, id] = parseReceipt(delivery.receipt);
      byShard.set(shard, [...(byShard.get(shard) ?? []), id]);
    }
    await Promise.all([...byShard].map(([shard, ids]) => this.ackAndDelete(shard, ids)));
  }

  /**
   * Acknowledges the entries and deletes them from the stream, in one transaction: a processed
   * event keeps nothing (its user's id, its score's) in Redis, and the stream holds only the
   * backlog. One consumer group reads each stream, so nobody else needs the entry.
   */
  private async ackAndDelete(shard: number, ids: string[]): Promise<void> {
    const stream = this.shards[shard]!.stream;
    const results = await this.commands
      .multi()
      .xack(stream, GROUP, ...ids)
      .xdel(stream, ...ids)
      .exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (!results || failed) throw failed ?? new Error('XACK and XDEL were not executed');
  }

  async close(): Promise<void> {
    // The connections belong to RedisClients, which closes them on shutdown.
  }

  private startRead(shard: Shard, max: number, waitMs: number): PendingRead {
    const read: PendingRead = { settled: false, entries: [], done: Promise.resolve() };
    read.done = (
      this.reader(shard).xreadgroup(
        'GROUP',
        GROUP,
        this.consumer,
        'COUNT',
        max,
        'BLOCK',
        waitMs,
        'STREAMS',
        shard.stream,
        '>',
      ) as Promise<Array<[string, StreamEntry[]]> | null>
    ).then(
      (result) => {
        read.entries = result?.[0]?.[1] ?? [];
        read.settled = true;
      },
      (error: unknown) => {
        read.error = error ?? new Error('XREADGROUP failed');
        read.settled = true;
      },
    );
    return read;
  }

  /** Takes over events left unacknowledged too long, shard after shard, up to `max` in all. */
  private async claimAbandoned(max: number): Promise<Delivery[]> {
    const claimed: Delivery[] = [];
    for (const shard of this.shards) {
      if (claimed.length >= max) break;
      try {
        const [, entries] = (await this.commands.xautoclaim(
          shard.stream,
          GROUP,
          this.consumer,
          this.claimIdleMs,
          '0-0',
          'COUNT',
          max - claimed.length,
        )) as [string, StreamEntry[]];
        claimed.push(...toDeliveries(shard.index, entries));
      } catch (error) {
        if (!isNoGroup(error)) throw error;
        await this.createGroup(shard);
      }
    }
    return claimed;
  }

  private async createGroup(shard: Shard): Promise<void> {
    try {
      // From the start of the stream: events published before any worker existed are read too.
      await this.commands.xgroup('CREATE', shard.stream, GROUP, '0', 'MKSTREAM');
      this.logger.log(`Created consumer group ${GROUP} on ${shard.stream}`);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
    }
  }
}

function isNoGroup(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOGROUP');
}

/** A receipt names the shard and the entry: `<shard>/<entry id>`. */
function parseReceipt(receipt: string): [shard: number, id: string] {
  const slash = receipt.indexOf('/');
  return [Number(receipt.slice(0, slash)), receipt.slice(slash + 1)];
}

function toDeliveries(shard: number, entries: StreamEntry[]): Delivery[] {
  return entries
    .filter((entry): entry is StreamEntry => Array.isArray(entry?.[1]))
    .map(([id, fields]) => {
      const value = (name: string) => fields[fields.indexOf(name) + 1] ?? '';
      return {
        receipt: `${shard}/${id}`,
        event: { scoreId: value('score_id'), userId: value('user_id') },
      };
    });
}

function whenConnected(client: RedisConnection, timeoutMs: number): Promise<void> {
  if (client.status !== 'connecting' && client.status !== 'wait') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
