import { Module } from '@nestjs/common';
import { ApplyNotifier } from './apply-notifier';
import { LeaderboardMaintainer } from './leaderboard-maintainer';
import { ProcessingRepository } from './processing.repository';
import { ScoreProcessor } from './score-processor';
import { ScoreSweeper } from './score-sweeper';
import { ScoreWorker } from './score-worker';

/** The worker role: consumes score events and sweeps PostgreSQL for pending scores. */
@Module({
  providers: [
    ProcessingRepository,
    ScoreProcessor,
    ScoreWorker,
    ScoreSweeper,
    ApplyNotifier,
    LeaderboardMaintainer,
  ],
  exports: [ScoreProcessor],
})
export class ProcessingModule {}
