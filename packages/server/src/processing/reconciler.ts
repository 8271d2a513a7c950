import type { DataSource } from 'typeorm';

export type Drift = {
  userId: string;
  expected: {
    totalScores: number;
    sumScores: bigint;
    highScore: number | null;
    achievedAt: Date | null;
  };
  stored: {
    totalScores: number | null;
    sumScores: bigint | null;
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
  SELECT coalesce(t.user_id, s.user_id) AS user_id,
         t.total, t.total_sum::text, t.high, t.achieved_at,
         s.total_scores, s.sum_scores::text, s.high_score, s.achieved_at AS stored_achieved_at
    FROM truth t
    FULL JOIN user_stats s ON s.user_id = t.user_id
   WHERE t.total IS DISTINCT FROM s.total_scores
      OR t.total_sum IS DISTINCT FROM s.sum_scores
      OR t.high IS DISTINCT FROM s.high_score
      OR t.achieved_at IS DISTINCT FROM s.achieved_at
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
const toBigInt = (value: string | null) => (value === null ? null : BigInt(value));

/** The maintained number of ranked players against a count of their rows. */
export type CountDrift = { stored: number; expected: number };

const COUNT_DRIFT = `
  SELECT (SELECT coalesce(sum(players), 0) FROM leaderboard_counts)::text AS stored,
         (SELECT count(*) FROM user_stats)::text AS expected`;

/** Compares the stored aggregates with a recomputation from `scores`, and repairs them. */
export class Reconciler {
  constructor(private readonly dataSource: DataSource) {}

  /** Reads one consistent snapshot: scores and aggregates are always committed together. */
  findDrift(): Promise<Drift[]> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) =>
      (await manager.query(DRIFT)).map(toDrift),
    );
  }

  /** The player count's drift, or null when it is right. */
  async findCountDrift(): Promise<CountDrift | null> {
    const [row] = await this.dataSource.query(COUNT_DRIFT);
    return toCountDrift(row);
  }

  /**
   * Rewrites every drifted user's aggregates from the recomputation. The table is locked against
   * concurrent applies meanwhile; an apply waiting on the lock adds its scores on top afterwards.
   */
  repair(): Promise<{ drift: Drift[]; countDrift: CountDrift | null }> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('LOCK TABLE user_stats IN SHARE ROW EXCLUSIVE MODE');
      const drift: Drift[] = (await manager.query(DRIFT)).map(toDrift);
      const users = drift.map((d) => d.userId);
      if (users.length > 0) {
        await manager.query(`DELETE FROM user_stats WHERE user_id = ANY($1::bigint[])`, [users]);
        await manager.query(
          `WITH ${TRUTH}
           INSERT INTO user_stats (user_id, total_scores, sum_scores, high_score, achieved_at,
                                   high_score_updated_at, updated_at)
           SELECT user_id, total, total_sum, high, achieved_at, now(), now()
             FROM truth WHERE user_id = ANY($1::bigint[])`,
          [users],
        );
      }
      // The count, after the rows: repairing them may have removed or added players.
      const [row] = await manager.query(COUNT_DRIFT);
      const countDrift = toCountDrift(row);
      if (countDrift) {
        await manager.query(
          `UPDATE leaderboard_counts SET players = CASE WHEN stripe = 0 THEN $1::bigint ELSE 0 END`,
          [countDrift.expected],
        );
      }
      return { drift, countDrift };
    });
  }
}

function toCountDrift(row: { stored: string; expected: string }): CountDrift | null {
  const stored = Number(row.stored);
  const expected = Number(row.expected);
  return stored === expected ? null : { stored, expected };
}

function toDrift(row: DriftRow): Drift {
  return {
    userId: row.user_id,
    expected: {
      totalScores: toNumber(row.total) ?? 0,
      sumScores: toBigInt(row.total_sum) ?? 0n,
      highScore: row.high,
      achievedAt: row.achieved_at,
    },
    stored: {
      totalScores: toNumber(row.total_scores),
      sumScores: toBigInt(row.sum_scores),
      highScore: row.high_score,
      achievedAt: row.stored_achieved_at,
    },
  };
}
