import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type UserStatsRow = {
  totalScores: number;
  /** Exact: PostgreSQL's bigint, never a float. */
  sumScores: bigint;
  highScore: number | null;
  /** The score accepted last (null before any). */
  latestValue: number | null;
  highScoreUpdatedAt: Date | null;
  statsUpdatedAt: Date | null;
  pendingScores: number;
};

@Injectable()
export class StatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One round trip: the player's standing in the period (absent before their first applied score
   * in it, and when every one was removed) and how many of their scores in it are still pending.
   */
  async forUser(userId: string, periodId: string): Promise<UserStatsRow> {
    const [row]: Array<{
      total_scores: string | null;
      sum_scores: string | null;
      high_score: number | null;
      latest_value: number | null;
      high_updated_at: Date | null;
      stats_updated_at: Date | null;
      pending: string;
    }> = await this.dataSource.query(
      `SELECT s.total_scores, s.sum_scores::text, s.updated_at AS stats_updated_at,
              s.high_score, s.latest_value, s.high_score_updated_at AS high_updated_at,
              (SELECT count(*) FROM scores p
                WHERE p.user_id = $1 AND p.period_id = $2
                  AND p.applied_at IS NULL AND p.dead_at IS NULL
                  AND p.removed_at IS NULL) AS pending
         FROM (SELECT $1::bigint AS user_id) u
         LEFT JOIN user_stats s
           ON s.user_id = u.user_id AND s.period_id = $2 AND s.total_scores > 0`,
      [userId, periodId],
    );
    return {
      totalScores: Number(row!.total_scores ?? 0),
      sumScores: BigInt(row!.sum_scores ?? 0),
      highScore: row!.high_score,
      latestValue: row!.latest_value,
      highScoreUpdatedAt: row!.high_updated_at,
      statsUpdatedAt: row!.stats_updated_at,
      pendingScores: Number(row!.pending),
    };
  }

  /** The boards the player has a score on (not counting removed ones). */
  async boardsWithScores(userId: string): Promise<string[]> {
    const rows: Array<{ board_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT board_id FROM scores WHERE user_id = $1 AND removed_at IS NULL`,
      [userId],
    );
    return rows.map((row) => row.board_id);
  }
}
