import { Global, Module } from '@nestjs/common';
import { BoardsModule } from '../boards/boards.module';
import { LeaderboardModule } from '../leaderboard/leaderboard.module';
import { RedisClients } from '../redis/redis-clients';
import { StatsModule } from '../stats/stats.module';
import { LiveUpdatesService } from './live-updates.service';
import { StreamAdmission } from './stream-admission';
import { StreamController } from './stream.controller';
import { InProcessUpdatesBus, RedisUpdatesBus, UpdatesBus } from './updates-bus';

/** The updates bus, chosen in this one place: Redis pub/sub when REDIS_URL is set. */
@Global()
@Module({
  providers: [
    {
      provide: UpdatesBus,
      inject: [RedisClients],
      useFactory: (redis: RedisClients): UpdatesBus =>
        redis.enabled ? new RedisUpdatesBus(redis) : new InProcessUpdatesBus(),
    },
  ],
  exports: [UpdatesBus],
})
export class UpdatesBusModule {}

/** The API side of live updates: /api/stream, and the limits on open streams. */
@Module({
  imports: [BoardsModule, StatsModule, LeaderboardModule],
  controllers: [StreamController],
  providers: [LiveUpdatesService, StreamAdmission],
  exports: [LiveUpdatesService],
})
export class LiveModule {}
