import type { Standing } from './leaderboard-store';

/** A standing as SQL renders it for the leaderboards: bigints and instants as exact text. */
export type StandingRow = {
  board_id: string;
  period_id: string;
  user_id: string;
  rank_score: string;
  /** achieved_at in microseconds since the epoch. */
  achieved_us: string;
  version: string;
  ranked: boolean;
};

export function toStanding(row: StandingRow): Standing {
  return {
    boardId: row.board_id,
    periodId: row.period_id,
    userId: row.user_id,
    rankScore: String(row.rank_score),
    achievedAtMicros: row.achieved_us,
    version: row.version,
    ranked: row.ranked,
  };
}
