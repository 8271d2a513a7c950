import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { LeaderboardStore } from '../leaderboard/leaderboard-store';
import { UpdatesBus } from '../live/updates-bus';
import type { AppliedBatch, UserAggregates } from './processing.repository';
import { ScoreProcessor } from './score-processor';
import { StandingsRepository } from './standings.repository';

/**
 * After each committed batch: records the new standings in the leaderboard (and then forgets
 * their outbox rows), then tells every API instance whose stats changed and that the top 10 may
 * have. The leaderboard is written first, so a client that reads after an event sees at least
 * that state. A standing that could not be recorded (Redis away, or this process dies first)
 * keeps its outbox row in PostgreSQL, and LeaderboardMaintainer records it later.
 */
@Injectable()
export class ApplyNotifier implements OnModuleInit {
  private readonly logger = new Logger(ApplyNotifier.name);

  constructor(
    private readonly processor: ScoreProcessor,
    private readonly leaderboard: LeaderboardStore,
    private readonly standings: StandingsRepository,
    private readonly bus: UpdatesBus,
  ) {}

  onModuleInit(): void {
    this.processor.onApplied((batch) => this.notify(batch));
  }

  private async notify(batch: AppliedBatch): Promise<void> {
    if (this.leaderboard.recordsStandings) {
      try {
        await this.leaderboard.record(
          batch.users.map((user) => ({
            boardId: user.boardId,
            periodId: user.periodId,
            userId: user.userId,
            rankScore: user.rankScore,
            achievedAtMicros: user.highScoreAchievedAtMicros,
            version: user.version,
            ranked: user.ranked,
          })),
        );
        await this.standings.forgetChanges(batch.changeIds);
      } catch (error) {
        this.logger.warn(
          { err: error, users: batch.users.length },
          'Recording standings failed; the leaderboard upkeep will record them',
        );
      }
    }
    try {
      await Promise.all(
        batch.users.map((user) =>
          this.bus.publish({
            type: 'stats',
            userId: user.userId,
            boardId: user.boardId,
            ...(improved(user)
              ? { improved: { periodId: user.periodId, before: user.before } }
              : {}),
          }),
        ),
      );
      const boards = new Set(batch.users.map((user) => user.boardId));
      await Promise.all(
        [...boards].map((boardId) => this.bus.publish({ type: 'leaderboard', boardId })),
      );
    } catch (error) {
      // Live updates are best effort: the state itself is committed and readable.
      this.logger.debug({ err: error }, 'Publishing updates failed');
    }
  }
}

/** Whether the batch gave the player a better ranked standing (a first one counts). */
function improved(user: UserAggregates): boolean {
  const { before } = user;
  if (!user.ranked) return false;
  if (!before) return true;
  if (user.rankScore !== before.rankScore) return user.rankScore < before.rankScore;
  return BigInt(user.highScoreAchievedAtMicros) < BigInt(before.achievedAtMicros);
}
