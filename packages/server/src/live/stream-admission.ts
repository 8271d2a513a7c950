import {
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  ServiceUnavailableException,
  type OnModuleDestroy,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { RedisClients, type RedisScript } from '../redis/redis-clients';

/** A slot frees when one of the user's streams ends, which cannot be foreseen: retry now and then. */
const USER_LIMIT_RETRY_AFTER_SECONDS = 10;
/** Another instance behind the load balancer, or this one a little later, may have room. */
const PROCESS_LIMIT_RETRY_AFTER_SECONDS = 5;

/**
 * How long a stream's lease in Redis lasts unless renewed, and how often this instance renews
 * the leases of its open streams. Leases of an instance that died (no renewal) lapse within
 * LEASE_MS, which frees its users' slots; three renewals may fail before a live stream's lease
 * lapses.
 */
const LEASE_MS = 45_000;
const RENEW_INTERVAL_MS = 15_000;

/**
 * KEYS: the user's leases (sorted set: lease id -> expiry in ms). ARGV: lease ms, limit, new
 * lease id. Drops lapsed leases, then adds the new one if the user's other leases are below the
 * limit (a renewal that ran while this script was on its way may have added it already). Redis'
 * clock is the only clock, so clock skew between instances cannot stretch or cut a lease.
 */
const ACQUIRE = `
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local others = redis.call('ZCARD', KEYS[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then others = others - 1 end
if others >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

/**
 * KEYS: the user's leases. ARGV: lease ms, then the ids of the user's streams open here. Renews
 * them, and adds back any that Redis lost (restart, flush, or admitted while it was away), so
 * that the count across instances again includes every open stream.
 */
const RENEW = `
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

/** An admitted stream's place in the counts; `release` is idempotent. */
export type StreamTicket = { release(): void };

/**
 * Admits live streams within SPEC's limits, before the SSE response starts, so that a refusal is
 * an ordinary error answer (429 or 503 with Retry-After):
 *
 * - STREAM_MAX_CONNECTIONS streams in this process (503 beyond).
 * - STREAM_MAX_PER_USER streams per user across all API instances (429 beyond). With Redis, each
 *   open stream holds a lease in a sorted set per user, renewed by its instance and deleted when
 *   the stream ends; an instance that dies stops renewing, and its leases lapse within LEASE_MS.
 *   Without Redis (a single process), or while Redis is unreachable, the count is this process's
 *   alone: a Redis outage must not take live updates down with it, and the leases of streams
 *   admitted meanwhile are added by the next renewal once Redis is back.
 *
 * A stream holds its place from admission (not from its first event) until it is released, so
 * that concurrent requests cannot all pass the same check.
 */
@Injectable()
export class StreamAdmission implements OnModuleDestroy {
  private readonly logger = new Logger(StreamAdmission.name);
  /** Lease ids of the streams open in this process, by user. */
  private readonly leasesByUser = new Map<string, Set<string>>();
  private open = 0;
  private readonly acquire: RedisScript | undefined;
  private readonly renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisClients,
  ) {
    if (redis.enabled) {
      this.acquire = redis.script('streamLeaseAcquire', ACQUIRE);
      const renew = redis.script('streamLeaseRenew', RENEW);
      this.renewal = setInterval(() => void this.renewLeases(renew), RENEW_INTERVAL_MS);
      this.renewal.unref();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.renewal);
  }

  /** Streams admitted in this process and not yet released. */
  get openStreams(): number {
    return this.open;
  }

  /** Admits a stream of `userId`, or throws the HttpException to answer with. */
  async admit(userId: string): Promise<StreamTicket> {
    if (this.open >= this.config.streamMaxConnections) {
      throw new ServiceUnavailableException({
        message: 'This server has too many live streams open; reconnect shortly',
        retryAfterSeconds: PROCESS_LIMIT_RETRY_AFTER_SECONDS,
      });
    }
    const leases = this.leasesByUser.get(userId) ?? new Set<string>();
    if (leases.size >= this.config.streamMaxPerUser) throw this.tooManyForUser();

    const leaseId = randomUUID();
    leases.add(leaseId);
    this.leasesByUser.set(userId, leases);
    this.open += 1;
    let released = false;
    const ticket: StreamTicket = {
      release: () => {
        if (released) return;
        released = true;
        this.open -= 1;
        leases.delete(leaseId);
        if (leases.size === 0) this.leasesByUser.delete(userId);
        if (!this.acquire) return;
        void this.redis.commands.zrem(this.leaseKey(userId), leaseId).catch((error: Error) => {
          // The lease lapses by itself.
          this.logger.debug(`Releasing a stream lease failed: ${error.message}`);
        });
      },
    };
    if (!this.acquire) return ticket;

    let admitted: boolean;
    try {
      admitted =
        (await this.acquire(
          [this.leaseKey(userId)],
          [LEASE_MS, this.config.streamMaxPerUser, leaseId],
        )) === 1;
    } catch (error) {
      this.logger.warn(
        { err: error },
        'Redis unreachable: streams per user counted in this process only',
      );
      return ticket;
    }
    if (!admitted) {
      ticket.release();
      throw this.tooManyForUser();
    }
    return ticket;
  }

  private tooManyForUser(): HttpException {
    const limit = this.config.streamMaxPerUser;
    return new HttpException(
      {
        message: `At most ${limit} live ${limit === 1 ? 'stream' : 'streams'} per account may be open; close one and try again`,
        retryAfterSeconds: USER_LIMIT_RETRY_AFTER_SECONDS,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }

  private leaseKey(userId: string): string {
    return this.redis.key(`stream-leases:${userId}`);
  }

  private async renewLeases(renew: RedisScript): Promise<void> {
    const renewals = [...this.leasesByUser].map(([userId, leases]) =>
      renew([this.leaseKey(userId)], [LEASE_MS, ...leases]),
    );
    const failed = (await Promise.allSettled(renewals)).filter((r) => r.status === 'rejected');
    if (failed.length > 0) {
      this.logger.warn(
        { err: (failed[0] as PromiseRejectedResult).reason, users: failed.length },
        'Renewing stream leases failed; retrying at the next renewal',
      );
    }
  }
}
