import type { DataSource } from 'typeorm';

export type Drift = {
  userId: string;
  expected: {
    totalScores: number;
    sumScores: number;
    highScore: number | null;
    achievedAt: Date | null;
  };
  stored: {
    totalScores: number | null;
    sumScores: number | null;
    highScore: number | null;
    achievedAt: Date | null;
  };
};

/**
 * The aggregates recomputed from the applied scores: count, exact sum, max, and when the max was
 * first reached (the earliest accepted score with that value).
 */
const TRUTH = `
  applied AS (
    SELECT user_id, value, created_at, max(value) OVER (PARTITION BY user_id) AS high
      FROM scores WHERE applied_at IS NOT NULL
  ),
  truth AS (
    SELECT user_id, count(*) AS total, sum(value) AS total_sum, max(high) AS high,
           min(created_at) FILTER (WHERE value = high) AS achieved_at
      FROM applied GROUP BY user_id
  )`;

const DRIFT = `
  WITH ${TRUTH}
  SELECT coalesce(t.user_id, s.user_id, h.user_id) AS user_id,
         t.total, t.total_sum, t.high, t.achieved_at,
         s.total_scores, s.sum_scores, h.high_score, h.achieved_at AS stored_achieved_at
    FROM truth t
    FULL JOIN user_stats s ON s.user_id = t.user_id
    FULL JOIN user_high_scores h ON h.user_id = coalesce(t.user_id, s.user_id)
   WHERE t.total IS DISTINCT FROM s.total_scores
      OR t.total_sum IS DISTINCT FROM s.sum_scores
      OR t.high IS DISTINCT FROM h.high_score
      OR t.achieved_at IS DISTINCT FROM h.achieved_at
   ORDER BY 1`;

type DriftRow = {
  user_id: string;
  total: string | null;
  total_sum: string | null;
  high: number | null;
  achieved_at: Date | null;
  total_scores: string | null;
  sum_scores: string | null;
  high_score: number | null;
  stored_achieved_at: Date | null;
};

const toNumber = (value: string | null) => (value === null ? null : Number(value));

/** Compares the stored aggregates with a recomputation from `scores`, and repairs them. */
export class Reconciler {
  constructor(private readonly dataSource: DataSource) {}

  /** Reads one consistent snapshot: scores and aggregates are always committed together. */
  findDrift(): Promise<Drift[]> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) =>
      (await manager.query(DRIFT)).map(toDrift),
    );
  }

  /**
   * Rewrites every drifted user's aggregates from the recomputation. The tables are locked against
   * concurrent applies meanwhile; an apply waiting on the lock adds its scores on top afterwards.
   */
  repair(): Promise<Drift[]> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('LOCK TABLE user_stats, user_high_scores IN SHARE ROW EXCLUSIVE MODE');
      const drift: Drift[] = (await manager.query(DRIFT)).map(toDrift);
      const users = drift.map((d) => d.userId);
      if (users.length === 0) return drift;
      await manager.query(`DELETE FROM user_stats WHERE user_id = ANY($1::bigint[])`, [users]);
      await manager.query(`DELETE FROM user_high_scores WHERE user_id = ANY($1::bigint[])`, [
        users,
      ]);
      await manager.query(
        `WITH ${TRUTH}
         INSERT INTO user_stats (user_id, total_scores, sum_scores, updated_at)
         SELECT user_id, total, total_sum, now() FROM truth WHERE user_id = ANY($1::bigint[])`,
        [users],
      );
      await manager.query(
        `WITH ${TRUTH}
         INSERT INTO user_high_scores (user_id, high_score, achieved_at, updated_at)
         SELECT user_id, high, achieved_at, now() FROM truth WHERE user_id = ANY($1::bigint[])`,
        [users],
      );
      return drift;
    });
  }
}

function toDrift(row: DriftRow): Drift {
  return {
    userId: row.user_id,
    expected: {
      totalScores: toNumber(row.total) ?? 0,
      sumScores: toNumber(row.total_sum) ?? 0,
      highScore: row.high,
      achievedAt: row.achieved_at,
    },
    stored: {
      totalScores: toNumber(row.total_scores),
      sumScores: toNumber(row.sum_scores),
      highScore: row.high_score,
      achievedAt: row.stored_achieved_at,
    },
  };
}
