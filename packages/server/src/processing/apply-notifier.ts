import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { LeaderboardStore } from '../leaderboard/leaderboard-store';
import { UpdatesBus, type Update } from '../live/updates-bus';
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
            ...movement(user),
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

/**
 * How the batch moved the player's ranked standing, if it did (a first one counts): better or,
 * on a `latest`, `sum` or `count` board, worse.
 */
function movement(user: UserAggregates): Pick<Extract<Update, { type: 'stats' }>, 'moved'> {
  const { before } = user;
  if (!user.ranked) return {};
  if (!before) return { moved: { periodId: user.periodId, before: null, worse: false } };
  const order = compareKeys(
    { rankScore: user.rankScore, achievedAtMicros: user.highScoreAchievedAtMicros },
    before,
  );
  if (order === 0) return {};
  return { moved: { periodId: user.periodId, before, worse: order > 0 } };
}

function compareKeys(
  a: { rankScore: string; achievedAtMicros: string },
  b: { rankScore: string; achievedAtMicros: string },
): number {
  const rank = BigInt(a.rankScore) - BigInt(b.rankScore);
  if (rank !== 0n) return rank < 0n ? -1 : 1;
  const at = BigInt(a.achievedAtMicros) - BigInt(b.achievedAtMicros);
  return at === 0n ? 0 : at < 0n ? -1 : 1;
}
