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
const COLUMNS = `h.user_id::text, h.rank_score::text,
  (extract(epoch FROM h.achieved_at) * 1000000)::bigint::text AS achieved_us`;
const ME = `(SELECT rank_score, achieved_at, user_id FROM user_stats
              WHERE period_id = $1 AND user_id = $2 AND ranked)`;
/** The period's ranked standings (the ranking index is partial on it). */
const RANKED = 'h.period_id = $1 AND h.ranked';

type Row = { user_id: string; rank_score: string; achieved_us: string };

export type EntryDetails = {
  displayName: string;
  highScore: number | null;
  metadata: Record<string, unknown> | null;
};

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
    const [rows, total] = await Promise.all([
      this.dataSource.query(
        `SELECT ${COLUMNS} FROM user_stats h WHERE ${RANKED}
          ORDER BY ${ASCENDING} LIMIT $2 OFFSET $3`,
        [period.periodId, limit, offset],
      ) as Promise<Row[]>,
      this.count(period),
    ]);
    return { standings: rows.map((row, i) => toRanked(period, row, offset + i + 1)), total };
  }

  /** Maintained by the apply statement (see leaderboard_counts), not counted here. */
  async count(period: PeriodKey): Promise<number> {
    const [row]: Array<{ n: string }> = await this.dataSource.query(
      `SELECT coalesce(sum(players), 0) AS n FROM leaderboard_counts WHERE period_id = $1`,
      [period.periodId],
    );
    return Number(row!.n);
  }

  /** Each player's rank counts the index entries ahead of them (see the class comment). */
  async ranks(period: PeriodKey, userIds: string[]): Promise<RankedStanding[]> {
    const rows: Array<Row & { rank: string }> = await this.dataSource.query(
      `SELECT ${COLUMNS},
              1 + (SELECT count(*) FROM user_stats a
                    WHERE a.period_id = $1 AND a.ranked
                      AND (a.rank_score, a.achieved_at, a.user_id) < ${KEY}) AS rank
         FROM user_stats h WHERE ${RANKED} AND h.user_id = ANY($2::bigint[])
        ORDER BY ${ASCENDING}`,
      [period.periodId, userIds],
    );
    return rows.map((row) => toRanked(period, row, Number(row.rank)));
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

  /**
   * What a leaderboard entry shows beyond the ranking itself, by user id: the display name (read
   * at every request, so a new name shows at once on every board and period), the standing's best,
   * and the metadata of the score that set the ranked value (on `best` and `latest` boards).
   * Users that no longer exist are left out.
   */
  async entryDetails(periodId: string, userIds: string[]): Promise<Map<string, EntryDetails>> {
    const rows: Array<{
      user_id: string;
      display_name: string;
      high_score: number | null;
      metadata: Record<string, unknown> | null;
    }> = await this.dataSource.query(
      `SELECT u.id::text AS user_id, u.display_name, st.high_score, sc.metadata
         FROM users u
         LEFT JOIN user_stats st ON st.period_id = $1 AND st.user_id = u.id
         LEFT JOIN scores sc ON sc.id = CASE st.ranking WHEN 'best' THEN st.best_score_id
                                                        WHEN 'latest' THEN st.latest_score_id END
        WHERE u.id = ANY($2::bigint[])`,
      [periodId, userIds],
    );
    return new Map(
      rows.map((row) => [
        row.user_id,
        { displayName: row.display_name, highScore: row.high_score, metadata: row.metadata },
      ]),
    );
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
