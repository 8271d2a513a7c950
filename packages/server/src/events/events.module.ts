import { Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RedisClients } from '../redis/redis-clients';
import { InProcessTransport } from './in-process.transport';
import { RedisStreamTransport } from './redis-stream.transport';
import { ScoreEventTransport } from './score-event-transport';

/** Chooses the transport, in this one place: Redis Streams when REDIS_URL is set. */
@Global()
@Module({
  providers: [
    {
      provide: ScoreEventTransport,
      inject: [RedisClients, AppConfig],
      useFactory: (redis: RedisClients, config: AppConfig): ScoreEventTransport =>
        redis.enabled
          ? new RedisStreamTransport(redis, config.claimIdleMs, config.eventShards)
          : new InProcessTransport(),
    },
  ],
  exports: [ScoreEventTransport],
})
export class EventsModule implements OnApplicationShutdown {
  constructor(private readonly transport: ScoreEventTransport) {}

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }
}
