import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RedisClients } from '../redis/redis-clients';
import { LeaderboardController } from './leaderboard.controller';
import { LeaderboardService } from './leaderboard.service';
import { LeaderboardStore } from './leaderboard-store';
import { PostgresLeaderboardStore } from './postgres-leaderboard.store';
import { RedisLeaderboardStore } from './redis-leaderboard.store';

/** The ranking's store, chosen in this one place: a Redis sorted set when REDIS_URL is set. */
@Global()
@Module({
  providers: [
    {
      provide: LeaderboardStore,
      inject: [RedisClients, DataSource],
      useFactory: (redis: RedisClients, dataSource: DataSource): LeaderboardStore => {
        const postgres = new PostgresLeaderboardStore(dataSource);
        return redis.enabled ? new RedisLeaderboardStore(redis, postgres) : postgres;
      },
    },
  ],
  exports: [LeaderboardStore],
})
export class LeaderboardStoreModule {}

/** The API side: GET /api/leaderboard and /api/leaderboard/me. */
@Module({
  controllers: [LeaderboardController],
  providers: [LeaderboardService],
  exports: [LeaderboardService],
})
export class LeaderboardModule {}
