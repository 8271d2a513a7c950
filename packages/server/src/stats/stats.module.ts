import { Module } from '@nestjs/common';
import { BoardsModule } from '../boards/boards.module';
import { LeaderboardModule } from '../leaderboard/leaderboard.module';
import { StatsController } from './stats.controller';
import { StatsRepository } from './stats.repository';
import { StatsService } from './stats.service';

@Module({
  imports: [BoardsModule, LeaderboardModule],
  controllers: [StatsController],
  providers: [StatsService, StatsRepository],
  exports: [StatsService],
})
export class StatsModule {}
