import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { AppConfig } from '../config/app-config';
import { RedisClients } from '../redis/redis-clients';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * RATE_LIMIT_PER_MINUTE requests per client address and minute on every route (off at 0, the
 * default). Counted in Redis when it is configured, so the limit holds across instances.
 */
@Module({})
export class RateLimitModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (config.rateLimitPerMinute === 0) return { module: RateLimitModule };
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [RedisClients],
          useFactory: (redis: RedisClients) => ({
            throttlers: [{ ttl: 60_000, limit: config.rateLimitPerMinute }],
            storage: redis.enabled ? new RedisThrottlerStorage(redis) : undefined,
            errorMessage: `Too many requests: the limit is ${config.rateLimitPerMinute} a minute`,
          }),
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
