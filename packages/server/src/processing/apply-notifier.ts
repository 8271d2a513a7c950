import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { LeaderboardStore, type Standing } from '../leaderboard/leaderboard-store';
import { UpdatesBus } from '../live/updates-bus';
import type { AppliedBatch } from './processing.repository';
import { ScoreProcessor } from './score-processor';

/**
 * After each committed batch: records the new standings in the leaderboard, then tells every API
 * instance whose stats changed and that the top 10 may have. The leaderboard is written first, so
 * a client that reads after an event sees at least that state. A standing that could not be
 * recorded (Redis away) is kept for the maintainer to record later.
 */
@Injectable()
export class ApplyNotifier implements OnModuleInit {
  private readonly logger = new Logger(ApplyNotifier.name);
  private readonly unrecorded = new Map<string, Standing>();

  constructor(
    private readonly processor: ScoreProcessor,
    private readonly leaderboard: LeaderboardStore,
    private readonly bus: UpdatesBus,
  ) {}

  onModuleInit(): void {
    this.processor.onApplied((batch) => this.notify(batch));
  }

  /** Tries again to record the standings whose recording failed; keeps them if it fails again. */
  async recordUnrecorded(): Promise<void> {
    const standings = [...this.unrecorded.values()];
    if (standings.length === 0) return;
    await this.leaderboard.record(standings);
    // Merges are monotonic, so a newer standing recorded meanwhile is never overwritten.
    standings.forEach((standing) => {
      if (this.unrecorded.get(standing.userId) === standing)
        this.unrecorded.delete(standing.userId);
    });
  }

  private async notify(batch: AppliedBatch): Promise<void> {
    const standings = batch.users.map((user) => ({
      userId: user.userId,
      highScore: user.highScore,
      achievedAtMicros: user.highScoreAchievedAtMicros,
    }));
    try {
      await this.leaderboard.record(standings);
    } catch (error) {
      standings.forEach((standing) => this.unrecorded.set(standing.userId, standing));
      this.logger.warn(
        `Recording ${standings.length} standings failed, will retry: ${(error as Error).message}`,
      );
    }
    try {
      await Promise.all(
        batch.users.map((user) => this.bus.publish({ type: 'stats', userId: user.userId })),
      );
      await this.bus.publish({ type: 'leaderboard' });
    } catch (error) {
      // Live updates are best effort: the state itself is committed and readable.
      this.logger.debug(`Publishing updates failed: ${(error as Error).message}`);
    }
  }
}
