import { Logger } from '@nestjs/common';
import { RedisClients, type RedisConnection } from '../redis/redis-clients';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Delivery, ScoreEvent, ScoreEventTransport } from './score-event-transport';

const GROUP = 'score-workers';
/** The stream is trimmed to about this many entries; the sweeper covers anything trimmed unread. */
const MAX_LENGTH = 100_000;

type StreamEntry = [id: string, fields: string[]];

/**
 * Redis Streams with one consumer group: events survive a worker being down, each is handed to
 * one worker at a time, and one left unacknowledged by a dead worker is claimed by another.
 */
export class RedisStreamTransport extends ScoreEventTransport {
  private readonly logger = new Logger(RedisStreamTransport.name);
  private readonly stream: string;
  private readonly consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  /** Publishing and acknowledging: fails fast while Redis is away instead of queueing. */
  private readonly commands: RedisConnection;
  /** XREADGROUP ... BLOCK holds its connection, so it gets its own (in workers only). */
  private blockingReader: RedisConnection | undefined;
  private lastClaimAt = 0;
  private readonly claimEveryMs: number;

  /** `claimIdleMs`: an event received but not acknowledged this long is taken over by another worker. */
  constructor(
    private readonly redis: RedisClients,
    private readonly claimIdleMs: number,
  ) {
    super();
    this.claimEveryMs = Math.min(5000, Math.ceil(claimIdleMs / 2));
    this.stream = redis.key('score-events');
    this.commands = redis.commands;
  }

  private get reader(): RedisConnection {
    this.blockingReader ??= this.redis.create('stream-reader');
    return this.blockingReader;
  }

  async publish(event: ScoreEvent): Promise<void> {
    await this.redis.publisher.xadd(
      this.stream,
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
    // The reader's first connection is made on first use: wait for it rather than fail.
    if (this.reader.status === 'connecting' || this.reader.status === 'wait') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.reader.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    try {
      if (Date.now() - this.lastClaimAt > this.claimEveryMs) {
        this.lastClaimAt = Date.now();
        const claimed = await this.claimAbandoned(max);
        if (claimed.length > 0) return claimed;
      }
      const result = (await this.reader.xreadgroup(
        'GROUP',
        GROUP,
        this.consumer,
        'COUNT',
        max,
        'BLOCK',
        waitMs,
        'STREAMS',
        this.stream,
        '>',
      )) as Array<[string, StreamEntry[]]> | null;
      return toDeliveries(result?.[0]?.[1] ?? []);
    } catch (error) {
      // A new Redis, or one that lost its data, has no group yet: create it and read again.
      if (error instanceof Error && error.message.startsWith('NOGROUP')) {
        await this.createGroup();
        return [];
      }
      throw error;
    }
  }

  async ack(deliveries: Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.commands.xack(this.stream, GROUP, ...deliveries.map((d) => d.receipt));
  }

  async close(): Promise<void> {
    // The connections belong to RedisClients, which closes them on shutdown.
  }

  private async claimAbandoned(max: number): Promise<Delivery[]> {
    const [, entries] = (await this.reader.xautoclaim(
      this.stream,
      GROUP,
      this.consumer,
      this.claimIdleMs,
      '0-0',
      'COUNT',
      max,
    )) as [string, StreamEntry[]];
    return toDeliveries(entries);
  }

  private async createGroup(): Promise<void> {
    try {
      // From the start of the stream: events published before any worker existed are read too.
      await this.reader.xgroup('CREATE', this.stream, GROUP, '0', 'MKSTREAM');
      this.logger.log(`Created consumer group ${GROUP} on ${this.stream}`);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
    }
  }
}

function toDeliveries(entries: StreamEntry[]): Delivery[] {
  return entries
    .filter((entry): entry is StreamEntry => Array.isArray(entry?.[1]))
    .map(([id, fields]) => {
      const value = (name: string) => fields[fields.indexOf(name) + 1] ?? '';
      return { receipt: id, event: { scoreId: value('score_id'), userId: value('user_id') } };
    });
}
