import { Injectable } from '@nestjs/common';
import {
  BoardsService,
  GLOBAL_BOARD,
  toPeriodDto,
  type PeriodSelector,
} from '../boards/boards.service';
import type { BoardRanking } from '../boards/boards.repository';
import { LeaderboardService } from '../leaderboard/leaderboard.service';
import type { HighScoreDto, MyBoardsDto, StatsDto } from './dto/stats.dto';
import { StatsRepository, type UserStatsRow } from './stats.repository';

/** A player's standings: on one board and period (global's current one by default), or all. */
@Injectable()
export class StatsService {
  constructor(
    private readonly repository: StatsRepository,
    private readonly boards: BoardsService,
    private readonly leaderboard: LeaderboardService,
  ) {}

  async highScore(
    userId: string,
    boardId = GLOBAL_BOARD,
    selector?: PeriodSelector,
  ): Promise<HighScoreDto> {
    const row = await this.standing(userId, boardId, selector);
    return {
      user_id: userId,
      value: row.highScore ?? 0,
      updated_at: row.highScoreUpdatedAt?.toISOString() ?? null,
    };
  }

  async stats(
    userId: string,
    boardId = GLOBAL_BOARD,
    selector?: PeriodSelector,
  ): Promise<StatsDto> {
    return toStatsDto(userId, await this.standing(userId, boardId, selector));
  }

  /** The caller's standing in the current period of every board they have a score on. */
  async myBoards(userId: string): Promise<MyBoardsDto> {
    const boardIds = await this.repository.boardsWithScores(userId);
    const items = await Promise.all(
      boardIds.map(async (boardId) => {
        const board = await this.boards.get(boardId);
        const period = await this.boards.currentPeriod(board);
        const [row, rank] = await Promise.all([
          this.repository.forUser(userId, period.id),
          this.leaderboard.rank(period, userId),
        ]);
        return {
          board: board.id,
          ranking: board.ranking,
          period: toPeriodDto(period),
          rank,
          value: rankedValue(board.ranking, row),
          best: row.highScore,
          total_scores: row.totalScores,
          average: exactAverage(row.sumScores, row.totalScores),
        };
      }),
    );
    return { items };
  }

  private async standing(
    userId: string,
    boardId: string,
    selector: PeriodSelector | undefined,
  ): Promise<UserStatsRow> {
    const board = await this.boards.get(boardId);
    const period = await this.boards.period(board, selector);
    return this.repository.forUser(userId, period.id);
  }
}

/**
 * The average is derived from the exact integer sum, never stored rounded. A sum beyond 2^53 is not
 * exact as a double, so then its quotient and remainder are taken in integers first.
 */
export function exactAverage(sum: bigint, count: number): number {
  if (count === 0) return 0;
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  if (sum <= safe && sum >= -safe) return Number(sum) / count;
  const divisor = BigInt(count);
  return Number(sum / divisor) + Number(sum % divisor) / count;
}

export function toStatsDto(
  userId: string,
  row: Omit<UserStatsRow, 'highScoreUpdatedAt'>,
): StatsDto {
  return {
    user_id: userId,
    total_scores: row.totalScores,
    average: exactAverage(row.sumScores, row.totalScores),
    high_score: row.highScore ?? 0,
    pending_scores: row.pendingScores,
    updated_at: row.statsUpdatedAt?.toISOString() ?? null,
  };
}

/** The standing's ranked value by the board's ranking; null before any counted score. */
function rankedValue(ranking: BoardRanking, row: UserStatsRow): number | null {
  if (row.totalScores === 0) return null;
  if (ranking === 'latest') return row.latestValue;
  if (ranking === 'sum') return Number(row.sumScores);
  if (ranking === 'count') return row.totalScores;
  return row.highScore;
}
