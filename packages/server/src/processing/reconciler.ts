import type { DataSource } from 'typeorm';
import { BEST_RANK_OF_VALUE, STANDING_AGGREGATES } from './standing-sql';

/** A standing that differs from its recomputation from `scores`. */
export type Drift = {
  boardId: string;
  periodId: string;
  userId: string;
  expected: {
    totalScores: number;
    sumScores: bigint;
    highScore: number | null;
    /** When the best was first reached. */
    achievedAt: Date | null;
    latestValue: number | null;
    latestAt: Date | null;
    ranked: boolean;
  };
  stored: {
    totalScores: number | null;
    sumScores: bigint | null;
    highScore: number | null;
    achievedAt: Date | null;
    latestValue: number | null;
    latestAt: Date | null;
    ranked: boolean | null;
  };
};

/** A period whose maintained number of ranked players differs from a count of them. */
export type CountDrift = { periodId: string; stored: number; expected: number };

/**
 * The standings recomputed from the applied scores that were not removed, per (period, user):
 * what the apply statement keeps (see standing-sql.ts: count, exact sum, the best and the latest
 * with the scores that set them), and the board's ranking and sort, from which a standing's
 * ranked value and time follow (generated columns). A standing is ranked when it has a score and
 * its player is not suspended.
 */
const TRUTH = `
  applied AS (
    SELECT s.period_id, s.board_id, s.user_id, s.id, s.value, s.created_at, b.ranking,
           b.sort = 'desc' AS descending, ${BEST_RANK_OF_VALUE} AS best_rank,
           u.banned_at IS NULL AS allowed
      FROM scores s JOIN boards b ON b.id = s.board_id JOIN users u ON u.id = s.user_id
     WHERE s.applied_at IS NOT NULL AND s.removed_at IS NULL
  ),
  truth AS (
    SELECT period_id, user_id, min(board_id) AS board_id, min(ranking) AS ranking,
           bool_and(descending) AS descending, bool_and(allowed) AS ranked, ${STANDING_AGGREGATES}
      FROM applied GROUP BY period_id, user_id
  )`;

/**
 * Standings that differ from the truth. A stored standing with no counted score (all its scores
 * removed) stands for none, and must not be ranked.
 */
const DRIFT = `
  WITH ${TRUTH}
  SELECT coalesce(t.board_id, s.board_id) AS board_id,
         coalesce(t.period_id, s.period_id)::text AS period_id,
         coalesce(t.user_id, s.user_id)::text AS user_id,
         t.total, t.total_sum::text, t.best AS high, t.best_at AS achieved_at, t.latest,
         t.latest_at, coalesce(t.ranked, false) AS ranked,
         s.total_scores, s.sum_scores::text, s.high_score, s.best_at AS stored_achieved_at,
         s.latest_value AS stored_latest, s.latest_at AS stored_latest_at,
         s.ranked AS stored_ranked
    FROM truth t
    FULL JOIN user_stats s ON s.period_id = t.period_id AND s.user_id = t.user_id
    LEFT JOIN users u ON u.id = s.user_id
   WHERE s.suspended <> (u.banned_at IS NOT NULL)
      OR CASE WHEN t.total IS NULL THEN s.total_scores <> 0 OR s.ranked
         ELSE s.total_scores IS NULL
           OR t.total <> s.total_scores
           OR t.total_sum <> s.sum_scores
           OR t.best <> s.high_score
           OR t.best_at <> s.best_at
           OR t.best_id IS DISTINCT FROM s.best_score_id
           OR t.latest IS DISTINCT FROM s.latest_value
           OR t.latest_at IS DISTINCT FROM s.latest_at
           OR t.latest_id IS DISTINCT FROM s.latest_score_id
           OR t.ranking <> s.ranking
           OR t.descending <> s.descending
           OR t.ranked <> s.ranked END
   ORDER BY 2, 3`;

const COUNT_DRIFT = `
  WITH stored AS (
    SELECT period_id, sum(players) AS players FROM leaderboard_counts GROUP BY period_id
  ),
  counted AS (
    SELECT period_id, count(*) AS players FROM user_stats WHERE ranked GROUP BY period_id
  )
  SELECT coalesce(c.period_id, s.period_id)::text AS period_id,
         coalesce(s.players, 0)::text AS stored, coalesce(c.players, 0)::text AS expected
    FROM counted c FULL JOIN stored s ON s.period_id = c.period_id
   WHERE coalesce(s.players, 0) <> coalesce(c.players, 0)
   ORDER BY 1`;

type DriftRow = {
  board_id: string;
  period_id: string;
  user_id: string;
  total: string | null;
  total_sum: string | null;
  high: number | null;
  achieved_at: Date | null;
  latest: number | null;
  latest_at: Date | null;
  ranked: boolean;
  total_scores: string | null;
  sum_scores: string | null;
  high_score: number | null;
  stored_achieved_at: Date | null;
  stored_latest: number | null;
  stored_latest_at: Date | null;
  stored_ranked: boolean | null;
};
type CountRow = { period_id: string; stored: string; expected: string };

const toNumber = (value: string | null) => (value === null ? null : Number(value));
const toBigInt = (value: string | null) => (value === null ? null : BigInt(value));

/** Compares the stored standings with a recomputation from `scores`, and repairs them. */
export class Reconciler {
  constructor(private readonly dataSource: DataSource) {}

  /** Reads one consistent snapshot: scores and standings are always committed together. */
  findDrift(): Promise<Drift[]> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) =>
      (await manager.query(DRIFT)).map(toDrift),
    );
  }

  /** The periods whose player count has drifted. */
  async findCountDrift(): Promise<CountDrift[]> {
    return (await this.dataSource.query(COUNT_DRIFT)).map(toCountDrift);
  }

  /**
   * Rewrites every drifted standing from the recomputation (one without any counted score becomes
   * a row with none), raising its version, then the player counts that differ from a count of
   * the ranked rows. The table is locked against concurrent applies meanwhile; an apply waiting on
   * the lock adds its scores on top afterwards.
   */
  repair(): Promise<{ drift: Drift[]; countDrift: CountDrift[] }> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('LOCK TABLE user_stats IN SHARE ROW EXCLUSIVE MODE');
      const drift: Drift[] = (await manager.query(DRIFT)).map(toDrift);
      if (drift.length > 0) {
        const keys = [drift.map((d) => d.periodId), drift.map((d) => d.userId)];
        const drifted = `(period_id, user_id) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[]))`;
        await manager.query(
          `WITH ${TRUTH}
           INSERT INTO user_stats AS st
                  (period_id, user_id, board_id, ranking, descending, total_scores, sum_scores,
                   high_score, best_at, best_score_id, latest_value, latest_at, latest_score_id,
                   high_score_updated_at, updated_at, suspended, ranked)
           SELECT period_id, user_id, board_id, ranking, descending, total, total_sum, best,
                  best_at, best_id, latest, latest_at, latest_id, now(), now(), NOT ranked, ranked
             FROM truth WHERE ${drifted}
           ON CONFLICT (period_id, user_id) DO UPDATE SET
             ranking = excluded.ranking, descending = excluded.descending,
             total_scores = excluded.total_scores, sum_scores = excluded.sum_scores,
             high_score = excluded.high_score, best_at = excluded.best_at,
             best_score_id = excluded.best_score_id, latest_value = excluded.latest_value,
             latest_at = excluded.latest_at, latest_score_id = excluded.latest_score_id,
             high_score_updated_at = now(), updated_at = now(), suspended = excluded.suspended,
             ranked = excluded.ranked, version = st.version + 1`,
          keys,
        );
        await manager.query(
          `UPDATE user_stats s
              SET total_scores = 0, sum_scores = 0, best_score_id = NULL, latest_value = NULL,
                  latest_at = NULL, latest_score_id = NULL, ranked = false,
                  suspended = EXISTS (SELECT 1 FROM users u
                                       WHERE u.id = s.user_id AND u.banned_at IS NOT NULL),
                  high_score_updated_at = now(), updated_at = now(), version = s.version + 1
            WHERE ${drifted.replace('(period_id, user_id)', '(s.period_id, s.user_id)')}
              AND NOT EXISTS (SELECT 1 FROM scores c
                               WHERE c.period_id = s.period_id AND c.user_id = s.user_id
                                 AND c.applied_at IS NOT NULL AND c.removed_at IS NULL)`,
          keys,
        );
      }
      // The counts after the rows: repairing them may have removed or added players.
      const countDrift: CountDrift[] = (await manager.query(COUNT_DRIFT)).map(toCountDrift);
      for (const { periodId, expected } of countDrift) {
        await manager.query(`DELETE FROM leaderboard_counts WHERE period_id = $1`, [periodId]);
        await manager.query(
          `INSERT INTO leaderboard_counts (period_id, stripe, players) VALUES ($1, 0, $2)`,
          [periodId, expected],
        );
      }
      return { drift, countDrift };
    });
  }
}

function toDrift(row: DriftRow): Drift {
  return {
    boardId: row.board_id,
    periodId: row.period_id,
    userId: row.user_id,
    expected: {
      totalScores: toNumber(row.total) ?? 0,
      sumScores: toBigInt(row.total_sum) ?? 0n,
      highScore: row.high,
      achievedAt: row.achieved_at,
      latestValue: row.latest,
      latestAt: row.latest_at,
      ranked: row.ranked,
    },
    stored: {
      totalScores: toNumber(row.total_scores),
      sumScores: toBigInt(row.sum_scores),
      highScore: row.high_score,
      achievedAt: row.stored_achieved_at,
      latestValue: row.stored_latest,
      latestAt: row.stored_latest_at,
      ranked: row.stored_ranked,
    },
  };
}

function toCountDrift(row: CountRow): CountDrift {
  return { periodId: row.period_id, stored: Number(row.stored), expected: Number(row.expected) };
}
