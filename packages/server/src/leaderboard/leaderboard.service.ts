import { Injectable } from '@nestjs/common';
import type { Board } from '../boards/boards.service';
import type { Period } from '../boards/boards.repository';
import type {
  LeaderboardEntryDto,
  LeaderboardPageDto,
  RankedStandingDto,
} from './dto/leaderboard.dto';
import { LeaderboardStore, type PeriodKey, type RankedStanding } from './leaderboard-store';
import { PostgresLeaderboardStore, type EntryDetails } from './postgres-leaderboard.store';

/**
 * Leaderboards of a board's periods. The current period is read from the store (Redis when
 * configured); a period that has ended is read from PostgreSQL, which keeps every one.
 */
@Injectable()
export class LeaderboardService {
  constructor(
    private readonly store: LeaderboardStore,
    private readonly postgres: PostgresLeaderboardStore,
  ) {}

  async page(board: Board, period: Period, limit = 10, offset = 0): Promise<LeaderboardPageDto> {
    const { standings, total } = await this.storeFor(period).page(key(period), limit, offset);
    return { items: await this.entries(board, period, standings), total_players: total };
  }

  /**
   * The named players' entries, with their real ranks, in rank order (see LeaderboardStore). The
   * ids are known before the ranks, so their details are read from PostgreSQL meanwhile.
   */
  async players(board: Board, period: Period, userIds: string[]): Promise<LeaderboardPageDto> {
    const store = this.storeFor(period);
    const [standings, total, details] = await Promise.all([
      store.ranks(key(period), userIds),
      store.count(key(period)),
      this.postgres.entryDetails(period.id, userIds),
    ]);
    return { items: toEntries(board, standings, details), total_players: total };
  }

  /**
   * The player's entry with up to `radius` above and below, the number of ranked players, and the
   * player's percentile: rank / players × 100, two decimals (rank 1 of 200 is 0.5: "top 0.5 %").
   */
  async around(
    board: Board,
    period: Period,
    userId: string,
    radius = 5,
  ): Promise<RankedStandingDto> {
    const store = this.storeFor(period);
    const [found, players] = await Promise.all([
      store.around(key(period), userId, radius),
      store.count(key(period)),
    ]);
    if (!found) return { rank: null, items: [], players, percentile: null };
    return {
      rank: found.rank,
      items: await this.entries(board, period, found.standings),
      players,
      percentile: percentile(found.rank, Math.max(players, found.rank)),
    };
  }

  /** The player's rank in the period, or null before their first score in it. */
  async rank(period: Period, userId: string): Promise<number | null> {
    return (await this.storeFor(period).around(key(period), userId, 0))?.rank ?? null;
  }

  /**
   * The rank a player held with a former standing (`before`), counted in today's ranking: the
   * rank their own score moved them from. Their standing now is ahead of the former one when it
   * improved (and so counted among those ahead), behind it when it got `worse`.
   */
  async rankBefore(
    period: Period,
    userId: string,
    before: { rankScore: string; achievedAtMicros: string },
    worse = false,
  ): Promise<number> {
    const ahead = await this.storeFor(period).countAhead(key(period), { userId, ...before });
    return worse ? ahead + 1 : ahead;
  }

  private storeFor(period: Period): LeaderboardStore {
    return period.endsAt && period.endsAt.getTime() <= Date.now() ? this.postgres : this.store;
  }

  /** Entries of the standings, with the details entryDetails reads. */
  private async entries(
    board: Board,
    period: Period,
    standings: RankedStanding[],
  ): Promise<LeaderboardEntryDto[]> {
    if (standings.length === 0) return [];
    const details = await this.postgres.entryDetails(
      period.id,
      standings.map((s) => s.userId),
    );
    return toEntries(board, standings, details);
  }
}

/**
 * Entries with display names (emails never reach a leaderboard), the ranked value, the best, and
 * the metadata of the score that set the value where there is one such score.
 */
function toEntries(
  board: Board,
  standings: RankedStanding[],
  details: Map<string, EntryDetails>,
): LeaderboardEntryDto[] {
  return standings.flatMap((s) => {
    const found = details.get(s.userId);
    if (!found) return []; // deleted since the ranking was read
    const value = rankedValue(board, s.rankScore);
    return [
      {
        rank: s.rank,
        user_id: s.userId,
        display_name: found.displayName,
        value,
        high_score: board.ranking === 'best' ? value : (found.highScore ?? value),
        achieved_at: new Date(Number(BigInt(s.achievedAtMicros) / 1000n)).toISOString(),
        ...(found.metadata && (board.ranking === 'best' || board.ranking === 'latest')
          ? { metadata: found.metadata }
          : {}),
      },
    ];
  });
}

/** The ranked value from its comparable form (lower is better): negated on a `desc` board. */
function rankedValue(board: Board, rankScore: string): number {
  return Number(board.sort === 'asc' ? BigInt(rankScore) : -BigInt(rankScore));
}

export function percentile(rank: number, players: number): number {
  return Math.round((rank / players) * 10_000) / 100;
}

const key = (period: Period): PeriodKey => ({ boardId: period.boardId, periodId: period.id });
