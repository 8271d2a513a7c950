import { DataSource } from 'typeorm';
import {
  LeaderboardStore,
  type PeriodKey,
  type RankedStanding,
  type Standing,
  type StandingKey,
} from './leaderboard-store';

/**
 * The ranking key within a period, ascending: rank score, then achieved_at, then user id. It
 * matches the index user_stats_ranking_idx (period_id, rank_score, achieved_at, user_id, over
 * ranked standings), so
 * orderings and row comparisons on it are index range scans. (Qualified: a bare user_id would mean
 * the text output column below.)
 */
const KEY = '(h.rank_score, h.achieved_at, h.user_id)';
const ASCENDING = 'h.rank_score, h.achieved_at, h.user_id';
const DESCENDING = 'h.rank_score DESC, h.achieved_at DESC, h.user_id DESC';
const COLUMNS = `h.user_id::text, h.rank_score,
  (extract(epoch FROM h.achieved_at) * 1000000)::bigint::text AS achieved_us`;
const ME = `(SELECT rank_score, achieved_at, user_id FROM user_stats
              WHERE period_id = $1 AND user_id = $2 AND ranked)`;
/** The period's ranked standings (the ranking index is partial on it). */
const RANKED = 'h.period_id = $1 AND h.ranked';

type Row = { user_id: string; rank_score: number; achieved_us: string };

/**
 * Rankings read straight from user_stats, one period at a time. Pages (their offset capped) and
 * a player's neighbours are index range scans, and the number of players is maintained, not
 * counted; a player's rank counts the index entries ahead of them (tens of milliseconds at a
 * million players), which is why Redis is the store of current periods whenever it is configured.
 */
export class PostgresLeaderboardStore extends LeaderboardStore {
  readonly recordsStandings = false;

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async page(period: PeriodKey, limit: number, offset: number) {
    const [rows, [count]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${COLUMNS} FROM user_stats h WHERE ${RANKED}
          ORDER BY ${ASCENDING} LIMIT $2 OFFSET $3`,
        [period.periodId, limit, offset],
      ) as Promise<Row[]>,
      // Maintained by the apply statement (see leaderboard_counts), not counted here.
      this.dataSource.query(
        `SELECT coalesce(sum(players), 0) AS n FROM leaderboard_counts WHERE period_id = $1`,
        [period.periodId],
      ) as Promise<Array<{ n: string }>>,
    ]);
    return {
      standings: rows.map((row, i) => toRanked(period, row, offset + i + 1)),
      total: Number(count!.n),
    };
  }

  async around(period: PeriodKey, userId: string, radius: number) {
    const params = [period.periodId, userId];
    const [own]: Array<{ rank: string }> = await this.dataSource.query(
      `SELECT 1 + (SELECT count(*) FROM user_stats h
                    WHERE ${RANKED} AND ${KEY} < ${ME}) AS rank
        WHERE EXISTS ${ME}`,
      params,
    );
    if (!own) return null;
    const rank = Number(own.rank);
    const [above, fromMe]: [Row[], Row[]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${COLUMNS} FROM user_stats h WHERE ${RANKED} AND ${KEY} < ${ME}
          ORDER BY ${DESCENDING} LIMIT $3`,
        [...params, radius],
      ),
      this.dataSource.query(
        `SELECT ${COLUMNS} FROM user_stats h WHERE ${RANKED} AND ${KEY} >= ${ME}
          ORDER BY ${ASCENDING} LIMIT $3`,
        [...params, radius + 1],
      ),
    ]);
    const standings = [
      ...above.reverse().map((row, i) => toRanked(period, row, rank - above.length + i)),
      ...fromMe.map((row, i) => toRanked(period, row, rank + i)),
    ];
    return { rank, standings };
  }

  async countAhead(period: PeriodKey, key: StandingKey): Promise<number> {
    const [row]: Array<{ n: string }> = await this.dataSource.query(
      `SELECT count(*) AS n FROM user_stats h
        WHERE ${RANKED}
          AND ${KEY} < ($2, 'epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4)`,
      [period.periodId, key.rankScore, key.achievedAtMicros, key.userId],
    );
    return Number(row!.n);
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

function toRanked(period: PeriodKey, row: Row, rank: number): RankedStanding {
  return {
    ...period,
    rank,
    userId: row.user_id,
    rankScore: row.rank_score,
    achievedAtMicros: row.achieved_us,
  };
}
