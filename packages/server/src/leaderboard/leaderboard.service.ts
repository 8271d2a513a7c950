import { Injectable } from '@nestjs/common';
import type { Board } from '../boards/boards.service';
import type { Period } from '../boards/boards.repository';
import { UsersRepository } from '../users/users.repository';
import type { LeaderboardEntryDto, LeaderboardPageDto, MyStandingDto } from './dto/leaderboard.dto';
import { LeaderboardStore, type PeriodKey, type RankedStanding } from './leaderboard-store';
import { PostgresLeaderboardStore } from './postgres-leaderboard.store';

/**
 * Leaderboards of a board's periods. The current period is read from the store (Redis when
 * configured); a period that has ended is read from PostgreSQL, which keeps every one.
 */
@Injectable()
export class LeaderboardService {
  constructor(
    private readonly store: LeaderboardStore,
    private readonly postgres: PostgresLeaderboardStore,
    private readonly users: UsersRepository,
  ) {}

  async page(board: Board, period: Period, limit = 10, offset = 0): Promise<LeaderboardPageDto> {
    const { standings, total } = await this.storeFor(period).page(key(period), limit, offset);
    return { items: await this.entries(board, standings), total_players: total };
  }

  async around(board: Board, period: Period, userId: string, radius = 5): Promise<MyStandingDto> {
    const found = await this.storeFor(period).around(key(period), userId, radius);
    if (!found) return { rank: null, items: [] };
    return { rank: found.rank, items: await this.entries(board, found.standings) };
  }

  /** The player's rank in the period, or null before their first score in it. */
  async rank(period: Period, userId: string): Promise<number | null> {
    return (await this.storeFor(period).around(key(period), userId, 0))?.rank ?? null;
  }

  /**
   * The rank a player held with a former standing (`before`), counted in today's ranking, where
   * their better standing now stands ahead of it: the rank their own score moved them from.
   */
  async rankBefore(
    period: Period,
    userId: string,
    before: { rankScore: number; achievedAtMicros: string },
  ): Promise<number> {
    return this.storeFor(period).countAhead(key(period), { userId, ...before });
  }

  private storeFor(period: Period): LeaderboardStore {
    return period.endsAt && period.endsAt.getTime() <= Date.now() ? this.postgres : this.store;
  }

  /** Display names only: emails never reach a leaderboard. */
  private async entries(board: Board, standings: RankedStanding[]): Promise<LeaderboardEntryDto[]> {
    if (standings.length === 0) return [];
    const names = await this.users.displayNames(standings.map((s) => s.userId));
    return standings.map((s) => ({
      rank: s.rank,
      user_id: s.userId,
      display_name: names.get(s.userId) ?? '',
      high_score: board.sort === 'asc' ? s.rankScore : -s.rankScore,
      achieved_at: new Date(Number(BigInt(s.achievedAtMicros) / 1000n)).toISOString(),
    }));
  }
}

const key = (period: Period): PeriodKey => ({ boardId: period.boardId, periodId: period.id });
