import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { LeaderboardEntryDto, LeaderboardPageDto, MyStandingDto } from './dto/leaderboard.dto';
import { LeaderboardStore, type RankedStanding } from './leaderboard-store';

@Injectable()
export class LeaderboardService {
  constructor(
    private readonly store: LeaderboardStore,
    private readonly dataSource: DataSource,
  ) {}

  async page(limit = 10, offset = 0): Promise<LeaderboardPageDto> {
    const { standings, total } = await this.store.page(limit, offset);
    return { items: await this.withNames(standings), total_players: total };
  }

  async around(userId: string, radius = 5): Promise<MyStandingDto> {
    const found = await this.store.around(userId, radius);
    if (!found) return { rank: null, items: [] };
    return { rank: found.rank, items: await this.withNames(found.standings) };
  }

  /** Display names only: emails never reach the leaderboard. */
  private async withNames(standings: RankedStanding[]): Promise<LeaderboardEntryDto[]> {
    if (standings.length === 0) return [];
    const rows: Array<{ id: string; display_name: string }> = await this.dataSource.query(
      `SELECT id::text, display_name FROM users WHERE id = ANY($1::bigint[])`,
      [standings.map((s) => s.userId)],
    );
    const names = new Map(rows.map((row) => [row.id, row.display_name]));
    return standings.map((s) => ({
      rank: s.rank,
      user_id: s.userId,
      display_name: names.get(s.userId) ?? '',
      high_score: s.highScore,
      achieved_at: new Date(Number(BigInt(s.achievedAtMicros) / 1000n)).toISOString(),
    }));
  }
}
