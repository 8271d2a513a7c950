import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RedisClients, type RedisScript } from '../redis/redis-clients';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** KEYS: counter; ARGV: window in ms. A fixed window: the first hit starts it. */
const HIT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {hits, redis.call('PTTL', KEYS[1])}`;

/**
 * @nestjs/throttler's counters in Redis, so that every API instance counts the same requests.
 * While Redis is unreachable requests are let through: the limit protects the service, it must
 * not take it down with Redis.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly hit: RedisScript;

  constructor(private readonly redis: RedisClients) {
    this.hit = redis.script('rateLimitHit', HIT);
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    let hits: number;
    let remainingMs: number;
    try {
      [hits, remainingMs] = (await this.hit([this.redis.key(`rate-limit:${key}`)], [ttl])) as [
        number,
        number,
      ];
    } catch (error) {
      this.logger.warn({ err: error }, 'Rate limit not counted, Redis unreachable');
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
    const seconds = Math.max(1, Math.ceil(remainingMs / 1000));
    const isBlocked = hits > limit;
    return {
      totalHits: hits,
      timeToExpire: seconds,
      isBlocked,
      timeToBlockExpire: isBlocked ? seconds : 0,
    };
  }
}
