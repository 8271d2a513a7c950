import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { RedisClients } from '../redis/redis-clients';
import { AuditModule } from '../audit/audit.module';
import { BoardsModule } from '../boards/boards.module';
import { BoardLeaderboards } from './board-leaderboards';
import { BoardLeaderboardController, LeaderboardController } from './leaderboard.controller';
import { LeaderboardService } from './leaderboard.service';
import { LeaderboardStore } from './leaderboard-store';
import { PostgresLeaderboardStore } from './postgres-leaderboard.store';
import { PublicLeaderboards } from './public-leaderboards';
import { RedisLeaderboardStore } from './redis-leaderboard.store';

/** The rankings' store, chosen in this one place: Redis sorted sets when REDIS_URL is set. */
@Global()
@Module({
  providers: [
    {
      provide: PostgresLeaderboardStore,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new PostgresLeaderboardStore(dataSource),
    },
    {
      provide: LeaderboardStore,
      inject: [RedisClients, PostgresLeaderboardStore, AppConfig],
      useFactory: (
        redis: RedisClients,
        postgres: PostgresLeaderboardStore,
        config: AppConfig,
      ): LeaderboardStore =>
        redis.enabled
          ? new RedisLeaderboardStore(redis, postgres, config.leaderboardTombstoneTtlMs)
          : postgres,
    },
  ],
  exports: [LeaderboardStore, PostgresLeaderboardStore],
})
export class LeaderboardStoreModule {}

/** The API side: the global leaderboard's routes and every board's, by period. */
@Module({
  imports: [AuditModule, BoardsModule],
  controllers: [LeaderboardController, BoardLeaderboardController],
  providers: [LeaderboardService, BoardLeaderboards, PublicLeaderboards],
  exports: [LeaderboardService, BoardLeaderboards],
})
export class LeaderboardModule {}
