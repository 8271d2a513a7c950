import { DataSource } from 'typeorm';
import { LeaderboardStore, type RankedStanding, type Standing } from './leaderboard-store';

// Qualified: an unqualified user_id in ORDER BY would mean the text output column below.
const ORDER = 'h.high_score DESC, h.achieved_at ASC, h.user_id ASC';
const COLUMNS = `h.user_id::text, h.high_score, (extract(epoch FROM h.achieved_at) * 1000000)::bigint::text AS achieved_us`;

type Row = { user_id: string; high_score: number; achieved_us: string };

/**
 * The ranking read straight from user_high_scores and its ordering index. Pages are index scans;
 * a player's rank counts the rows ahead (about 100 ms at a million players), which is why Redis is
 * the store whenever it is configured.
 */
export class PostgresLeaderboardStore extends LeaderboardStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async page(limit: number, offset: number) {
    const [rows, [count]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${COLUMNS} FROM user_high_scores h ORDER BY ${ORDER} LIMIT $1 OFFSET $2`,
        [limit, offset],
      ) as Promise<Row[]>,
      this.dataSource.query(`SELECT count(*) AS n FROM user_high_scores`) as Promise<
        Array<{ n: string }>
      >,
    ]);
    return {
      standings: rows.map((row, i) => toRanked(row, offset + i + 1)),
      total: Number(count!.n),
    };
  }

  async around(userId: string, radius: number) {
    const [own]: Array<{ rank: string }> = await this.dataSource.query(
      `SELECT 1 + (SELECT count(*) FROM user_high_scores o
                    WHERE o.high_score > h.high_score
                       OR (o.high_score = h.high_score AND (o.achieved_at, o.user_id) < (h.achieved_at, h.user_id))
                  ) AS rank
         FROM user_high_scores h WHERE h.user_id = $1`,
      [userId],
    );
    if (!own) return null;
    const rank = Number(own.rank);
    const first = Math.max(1, rank - radius);
    const { standings } = await this.page(rank + radius - first + 1, first - 1);
    return { rank, standings };
  }

  async record(_standings: Standing[]): Promise<void> {
    // PostgreSQL is the store: the worker's commit already recorded them.
  }
}

function toRanked(row: Row, rank: number): RankedStanding {
  return {
    rank,
    userId: row.user_id,
    highScore: row.high_score,
    achievedAtMicros: row.achieved_us,
  };
}
