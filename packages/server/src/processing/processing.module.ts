import { Module } from '@nestjs/common';
import { BoardsModule } from '../boards/boards.module';
import { OutboxModule } from '../webhooks/outbox.module';
import { ApplyNotifier } from './apply-notifier';
import { LeaderboardMaintainer } from './leaderboard-maintainer';
import { ProcessingRepository } from './processing.repository';
import { ScoreProcessor } from './score-processor';
import { ScoreSweeper } from './score-sweeper';
import { ScoreWorker } from './score-worker';
import { StandingsRepository } from './standings.repository';

/** The worker role: consumes score events and sweeps PostgreSQL for pending scores. */
@Module({
  imports: [BoardsModule, OutboxModule],
  providers: [
    ProcessingRepository,
    StandingsRepository,
    ScoreProcessor,
    ScoreWorker,
    ScoreSweeper,
    ApplyNotifier,
    LeaderboardMaintainer,
  ],
  exports: [ScoreProcessor],
})
export class ProcessingModule {}
