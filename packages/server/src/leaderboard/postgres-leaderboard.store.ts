import { DataSource } from 'typeorm';
import { LeaderboardStore, type RankedStanding, type Standing } from './leaderboard-store';

/**
 * The ranking key, ascending: high score desc, then achieved_at, then user id. It matches the
 * expression index user_stats_ranking_key_idx, so orderings and row comparisons on it are
 * index range scans. (Qualified: a bare user_id would mean the text output column below.)
 */
const KEY = '(-h.high_score, h.achieved_at, h.user_id)';
const ASCENDING = '-h.high_score, h.achieved_at, h.user_id';
const DESCENDING = '-h.high_score DESC, h.achieved_at DESC, h.user_id DESC';
const COLUMNS = `h.user_id::text, h.high_score,
  (extract(epoch FROM h.achieved_at) * 1000000)::bigint::text AS achieved_us`;

type Row = { user_id: string; high_score: number; achieved_us: string };

/**
 * The ranking read straight from user_stats. Pages (their offset capped) and a player's
 * neighbours are index range scans, and the number of players is maintained, not counted; a
 * player's rank counts the index entries ahead of them (tens of milliseconds at a million
 * players), which is why Redis is the store whenever it is configured.
 */
export class PostgresLeaderboardStore extends LeaderboardStore {
  readonly recordsStandings = false;

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async page(limit: number, offset: number) {
    const [rows, [count]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${COLUMNS} FROM user_stats h ORDER BY ${ASCENDING} LIMIT $1 OFFSET $2`,
        [limit, offset],
      ) as Promise<Row[]>,
      // Maintained by the apply statement (see leaderboard_counts), not counted here.
      this.dataSource.query(`SELECT sum(players) AS n FROM leaderboard_counts`) as Promise<
        Array<{ n: string }>
      >,
    ]);
    return {
      standings: rows.map((row, i) => toRanked(row, offset + i + 1)),
      total: Number(count!.n),
    };
  }

  async around(userId: string, radius: number) {
    const me = `(SELECT -high_score, achieved_at, user_id FROM user_stats WHERE user_id = $1)`;
    const [own]: Array<{ rank: string }> = await this.dataSource.query(
      `SELECT 1 + (SELECT count(*) FROM user_stats h WHERE ${KEY} < ${me}) AS rank
        WHERE EXISTS (SELECT 1 FROM user_stats WHERE user_id = $1)`,
      [userId],
    );
    if (!own) return null;
    const rank = Number(own.rank);
    const [above, fromMe]: [Row[], Row[]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${COLUMNS} FROM user_stats h WHERE ${KEY} < ${me} ORDER BY ${DESCENDING} LIMIT $2`,
        [userId, radius],
      ),
      this.dataSource.query(
        `SELECT ${COLUMNS} FROM user_stats h WHERE ${KEY} >= ${me} ORDER BY ${ASCENDING} LIMIT $2`,
        [userId, radius + 1],
      ),
    ]);
    const standings = [
      ...above.reverse().map((row, i) => toRanked(row, rank - above.length + i)),
      ...fromMe.map((row, i) => toRanked(row, rank + i)),
    ];
    return { rank, standings };
  }

  async record(_standings: Standing[]): Promise<void> {
    // PostgreSQL is the store: the worker's commit already recorded them.
  }

  async status() {
    return { ready: true, size: Number.NaN };
  }

  async rebuild(): Promise<boolean> {
    return true; // Nothing to build: the ranking is the table.
  }

  async invalidate(): Promise<void> {
    // Nothing to do: the ranking is the table.
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
