import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/sql';

export type UserAggregates = {
  userId: string;
  totalScores: number;
  sumScores: number;
  highScore: number;
  highScoreAchievedAt: Date;
  /** The same instant in microseconds since the epoch, exact (the leaderboard's tie-break). */
  highScoreAchievedAtMicros: string;
  updatedAt: Date;
};

export type ClaimedScore = { id: string; userId: string; value: number; createdAt: Date };

export type AppliedBatch = {
  /** The scores this call applied (others in the batch were applied before, or are dead). */
  applied: Array<ClaimedScore & { appliedAt: Date }>;
  /** The new aggregates of every user the batch changed. */
  users: UserAggregates[];
  /** How long the apply statement took, waits for row locks included. */
  seconds: number;
};

/** Rows as rendered in JSON: bigints as text (exact), timestamps as ISO strings. */
type AppliedJson = {
  id: string;
  user_id: string;
  value: number;
  created_at: string;
  applied_at: string;
};
type UserJson = {
  user_id: string;
  total_scores: string;
  sum_scores: string;
  updated_at: string;
  high_score: number;
  achieved_at: string;
  achieved_at_us: string;
};

export type DeadLetter = {
  id: string;
  userId: string;
  value: number;
  createdAt: Date;
  attempts: number;
  lastError: string | null;
  deadAt: Date;
};

/** The SQL of applying scores to the aggregates, exactly once, and of the retry bookkeeping. */
@Injectable()
export class ProcessingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Applies a batch in one statement (so one transaction and one round trip): claims the batch's
   * still-pending scores, marking them applied, and adds them to their users' aggregates with one
   * row update per user: the count, the exact sum, and the highest value with the earliest time it
   * was accepted. A redelivered score is no longer pending, so it is neither claimed nor counted
   * again. Rows are locked in one fixed order (scores by id, then each aggregate table by user id)
   * so that concurrent batches do not deadlock.
   *
   * The aggregates are written with INSERT ... ON CONFLICT DO UPDATE: a user's first scores
   * arriving in two batches at once cannot both insert (the second waits on the key, then updates
   * the first one's row under its lock), so there is neither a unique violation nor a lost update.
   */
  async applyBatch(scoreIds: string[]): Promise<AppliedBatch> {
    const started = process.hrtime.bigint();
    const [row] = await queryRows<{ applied: AppliedJson[]; users: UserJson[] }>(
      this.dataSource,
      `WITH pending AS (
         SELECT id FROM scores
          WHERE id = ANY($1::bigint[]) AND applied_at IS NULL AND dead_at IS NULL
          ORDER BY id
          FOR UPDATE
       ),
       claimed AS (
         UPDATE scores s SET applied_at = clock_timestamp()
           FROM pending WHERE s.id = pending.id
         RETURNING s.id, s.user_id, s.value, s.created_at, s.applied_at
       ),
       stats AS (
         INSERT INTO user_stats AS st (user_id, total_scores, sum_scores, updated_at)
         SELECT user_id, count(*), sum(value), now() FROM claimed
          GROUP BY user_id ORDER BY user_id
         ON CONFLICT (user_id) DO UPDATE
           SET total_scores = st.total_scores + excluded.total_scores,
               sum_scores   = st.sum_scores + excluded.sum_scores,
               updated_at   = excluded.updated_at
         RETURNING user_id, total_scores, sum_scores, updated_at
       ),
       highs AS (
         INSERT INTO user_high_scores AS h (user_id, high_score, achieved_at, updated_at)
         SELECT DISTINCT ON (user_id) user_id, value, created_at, now() FROM claimed
          ORDER BY user_id, value DESC, created_at ASC
         ON CONFLICT (user_id) DO UPDATE
           SET high_score  = GREATEST(h.high_score, excluded.high_score),
               achieved_at = CASE
                 WHEN excluded.high_score > h.high_score THEN excluded.achieved_at
                 WHEN excluded.high_score = h.high_score THEN LEAST(h.achieved_at, excluded.achieved_at)
                 ELSE h.achieved_at END,
               updated_at  = CASE
                 WHEN excluded.high_score >= h.high_score THEN excluded.updated_at
                 ELSE h.updated_at END
         RETURNING user_id, high_score, achieved_at
       )
       SELECT
         (SELECT coalesce(json_agg(json_build_object(
                   'id', id::text, 'user_id', user_id::text, 'value', value,
                   'created_at', created_at, 'applied_at', applied_at)), '[]')
            FROM claimed) AS applied,
         (SELECT coalesce(json_agg(json_build_object(
                   'user_id', stats.user_id::text, 'total_scores', stats.total_scores::text,
                   'sum_scores', stats.sum_scores::text, 'updated_at', stats.updated_at,
                   'high_score', highs.high_score, 'achieved_at', highs.achieved_at,
                   'achieved_at_us', (extract(epoch FROM highs.achieved_at) * 1000000)::bigint::text
                 )), '[]')
            FROM stats JOIN highs USING (user_id)) AS users`,
      [scoreIds],
    );
    return {
      applied: row!.applied.map((score) => ({
        id: score.id,
        userId: score.user_id,
        value: score.value,
        createdAt: new Date(score.created_at),
        appliedAt: new Date(score.applied_at),
      })),
      users: row!.users.map((user) => ({
        userId: user.user_id,
        totalScores: Number(user.total_scores),
        sumScores: Number(user.sum_scores),
        highScore: user.high_score,
        highScoreAchievedAt: new Date(user.achieved_at),
        highScoreAchievedAtMicros: user.achieved_at_us,
        updatedAt: new Date(user.updated_at),
      })),
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  }

  /**
   * Records a failed attempt; `nextAttemptInMs` null means it was the last one and the score is
   * dead-lettered. Returns the attempt count, or null when the score was meanwhile applied.
   */
  async recordFailure(
    scoreId: string,
    error: string,
    schedule: (attempt: number) => number | null,
  ): Promise<{ attempts: number; dead: boolean } | null> {
    return this.dataSource.transaction(async (manager) => {
      const [row]: Array<{ attempts: number }> = await manager.query(
        `SELECT attempts FROM scores WHERE id = $1 AND applied_at IS NULL AND dead_at IS NULL FOR UPDATE`,
        [scoreId],
      );
      if (!row) return null;
      const attempts = row.attempts + 1;
      const delayMs = schedule(attempts);
      await manager.query(
        `UPDATE scores
            SET attempts = $2, last_error = $3,
                retry_at = now() + make_interval(secs => $4::double precision / 1000),
                dead_at = CASE WHEN $5 THEN now() END
          WHERE id = $1`,
        [scoreId, attempts, error.slice(0, 2000), delayMs ?? 0, delayMs === null],
      );
      return { attempts, dead: delayMs === null };
    });
  }

  /**
   * Takes up to `limit` pending scores that are due (never delivered in time, or waiting for a
   * retry) and pushes their due time `leaseMs` ahead, so that other workers skip them meanwhile.
   */
  async claimDue(limit: number, leaseMs: number): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE scores SET retry_at = now() + make_interval(secs => $2::double precision / 1000)
        WHERE id IN (
          SELECT id FROM scores
           WHERE applied_at IS NULL AND dead_at IS NULL AND retry_at <= now()
           ORDER BY retry_at
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [limit, leaseMs],
    );
    return rows.map((row) => row.id);
  }

  async pendingCount(): Promise<number> {
    const [row]: Array<{ n: string }> = await this.dataSource.query(
      `SELECT count(*) AS n FROM scores WHERE applied_at IS NULL AND dead_at IS NULL`,
    );
    return Number(row!.n);
  }

  async listDeadLetters(limit = 1000): Promise<DeadLetter[]> {
    const rows: Array<{
      id: string;
      user_id: string;
      value: number;
      created_at: Date;
      attempts: number;
      last_error: string | null;
      dead_at: Date;
    }> = await this.dataSource.query(
      `SELECT id, user_id, value, created_at, attempts, last_error, dead_at
         FROM scores WHERE dead_at IS NOT NULL ORDER BY dead_at, id LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      id: row.id,
      userId: row.user_id,
      value: row.value,
      createdAt: row.created_at,
      attempts: row.attempts,
      lastError: row.last_error,
      deadAt: row.dead_at,
    }));
  }

  /** Puts dead letters back in the queue with fresh attempts; the sweeper delivers them. */
  async replayDeadLetters(ids: string[] | 'all'): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE scores SET dead_at = NULL, attempts = 0, retry_at = now()
        WHERE dead_at IS NOT NULL AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
        RETURNING id`,
      [ids === 'all' ? null : ids],
    );
    return rows.map((row) => row.id);
  }
}
