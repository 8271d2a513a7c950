import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectBackgroundDataSource } from '../database/database.module';
import { queryRows } from '../database/sql';
import { OutboxRepository } from '../webhooks/outbox.repository';
import { MERGE_STANDING, STANDING_AGGREGATES } from './standing-sql';

/** A player's standing in one period of one board, as the apply statement left it. */
export type UserAggregates = {
  boardId: string;
  periodId: string;
  userId: string;
  totalScores: number;
  /** Exact at any size: PostgreSQL's bigint, never a float. */
  sumScores: bigint;
  /** The best by the board's sort (on an `asc` board, the lowest). */
  highScore: number;
  /** The ranked value made comparable (lower is better whatever the sort), a bigint as text. */
  rankScore: string;
  /** When the standing first reached its ranked value. */
  highScoreAchievedAt: Date;
  /** The same instant in microseconds since the epoch, exact (the leaderboard's tie-break). */
  highScoreAchievedAtMicros: string;
  updatedAt: Date;
  /** The standing's version after this batch (see Standing.version). */
  version: string;
  /** On the leaderboard (false while the player is suspended). */
  ranked: boolean;
  /**
   * The ranked standing before this batch (its rank score and time reached); null for a first
   * score, or when the player was not on the leaderboard.
   */
  before: { rankScore: string; achievedAtMicros: string } | null;
};

export type ClaimedScore = { id: string; userId: string; value: number; createdAt: Date };

export type AppliedBatch = {
  /** The scores this call applied (others in the batch were applied before, or are dead). */
  applied: Array<ClaimedScore & { appliedAt: Date }>;
  /** The new aggregates of every user the batch changed. */
  users: UserAggregates[];
  /** The outbox rows written for standings the leaderboard must learn (see leaderboard_changes). */
  changeIds: string[];
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
  period_id: string;
  board_id: string;
  user_id: string;
  total_scores: string;
  sum_scores: string;
  updated_at: string;
  high_score: number;
  rank_score: string;
  achieved_at: string;
  achieved_at_us: string;
  version: string;
  ranked: boolean;
  before_rank_score: string | null;
  before_achieved_us: string | null;
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

/**
 * The apply statement. Standings are kept per (period, user): the count, the exact sum, the best
 * by the board's sort with the earliest time it was reached, and the latest by acceptance time
 * (see standing-sql.ts). `rank_score` (generated from those by the board's `ranking`) is the
 * ranked value made comparable whatever the sort: lower is better. Every write raises the
 * standing's `version`; it is `ranked` unless its player is `suspended`.
 *
 * It locks rows in one global order, so that concurrent batches cannot deadlock: first the
 * batch's score rows, in id order (`pending` sorts before it locks), then, for the standings the
 * batch creates (none in the statement's snapshot), the players' rows in `users`, in id order
 * and FOR KEY SHARE (which only a ban, an unban or a deletion of that player waits for, or makes
 * this wait: so a standing inserted here is suspended if the ban committed first, and the ban
 * finds it otherwise); then one standings row per (period, user), in that order (the insert's
 * input is sorted, and `batch` aggregates all of `ranked` first), then, when the batch brings
 * players onto a leaderboard, one row of leaderboard_counts per period (`counted` aggregates all
 * of `standings` first, and sorts). A standing that exists keeps its own `suspended`, which bans
 * and unbans write under the standing's row lock, so updating it needs no lock on the player.
 * Every batch takes its locks in that same order, and so do bans and removals (see
 * ModerationRepository); the outbox insert takes none that another transaction can hold (new
 * rows, no unique key but its identity). test/apply-contention.test.ts runs concurrent
 * overlapping batches against it, test/moderation-redis.test.ts bans, removals and applies.
 *
 * `before` reads the ranked standings as they were (the statement's snapshot; a plain read that
 * locks nothing), so that a player can be told the rank their score moved them from.
 * MATERIALIZED: inlined, the planner joined it once per standing (quadratic in the batch).
 *
 * A standing is written with INSERT ... ON CONFLICT DO UPDATE: a user's first scores in a period
 * arriving in two batches at once cannot both insert (the second waits on the key, then updates
 * the first one's row under its lock), so there is neither a unique violation nor a lost update.
 * A row with no counted score (count 0) takes the batch's best and latest as if it were new; it
 * joins the leaderboard again then, and is counted, like a new one (its old count is 0). A
 * standing goes to the Redis outbox (`changes`) when its ranked value or time may have moved: on
 * a `best` board only when the batch reached or beat the best, on the others at every apply.
 */
const APPLY = `
  WITH pending AS (
    SELECT id FROM scores
     WHERE id = ANY($1::bigint[]) AND applied_at IS NULL AND dead_at IS NULL
       AND removed_at IS NULL
     ORDER BY id
     FOR UPDATE
  ),
  claimed AS (
    UPDATE scores s SET applied_at = clock_timestamp()
      FROM pending WHERE s.id = pending.id
    RETURNING s.id, s.user_id, s.board_id, s.period_id, s.value, s.created_at, s.applied_at
  ),
  players AS (
    SELECT u.id AS user_id, u.banned_at IS NOT NULL AS suspended FROM users u
     WHERE u.id IN (SELECT c.user_id FROM claimed c
                     WHERE NOT EXISTS (SELECT 1 FROM user_stats st
                                        WHERE st.period_id = c.period_id
                                          AND st.user_id = c.user_id))
     ORDER BY u.id
     FOR KEY SHARE
  ),
  ranked AS (
    SELECT c.*, coalesce(p.suspended, false) AS suspended, b.ranking, b.sort = 'desc' AS descending,
           CASE b.sort WHEN 'asc' THEN c.value ELSE -c.value END AS best_rank
      FROM claimed c JOIN boards b ON b.id = c.board_id LEFT JOIN players p USING (user_id)
  ),
  batch AS (
    SELECT period_id, user_id, min(board_id) AS board_id, bool_or(suspended) AS suspended,
           min(ranking) AS ranking, bool_and(descending) AS descending,
           ${STANDING_AGGREGATES}
      FROM ranked GROUP BY period_id, user_id
  ),
  before AS MATERIALIZED (
    SELECT st.period_id, st.user_id, st.rank_score::text AS rank_score,
           (extract(epoch FROM st.achieved_at) * 1000000)::bigint::text AS achieved_us
      FROM user_stats st JOIN batch b USING (period_id, user_id)
     WHERE st.ranked
  ),
  standings AS (
    INSERT INTO user_stats AS st
           (period_id, user_id, board_id, ranking, descending, total_scores, sum_scores,
            high_score, best_at, best_score_id, latest_value, latest_at, latest_score_id,
            high_score_updated_at, updated_at, version, suspended, ranked)
    SELECT period_id, user_id, board_id, ranking, descending, total, total_sum,
           best, best_at, best_id, latest, latest_at, latest_id, now(), now(),
           1, suspended, NOT suspended
      FROM batch
     ORDER BY period_id, user_id
    ON CONFLICT (period_id, user_id) DO UPDATE SET
      total_scores = st.total_scores + excluded.total_scores,
      sum_scores   = st.sum_scores + excluded.sum_scores,
      ${MERGE_STANDING}
      updated_at = excluded.updated_at,
      version = st.version + 1,
      ranked = NOT st.suspended
    RETURNING period_id, user_id, board_id, ranking, total_scores, sum_scores, updated_at,
              high_score, rank_score, achieved_at, high_score_updated_at, version, ranked,
              xmax = 0 AS inserted
  ),
  counted AS (
    INSERT INTO leaderboard_counts AS c (period_id, stripe, players)
    SELECT s.period_id, pg_backend_pid() % 16, count(*)
      FROM standings s JOIN batch b USING (period_id, user_id)
     WHERE s.ranked AND (s.inserted OR s.total_scores = b.total)
     GROUP BY s.period_id ORDER BY s.period_id
    ON CONFLICT (period_id, stripe) DO UPDATE SET players = c.players + excluded.players
  ),
  changes AS (
    INSERT INTO leaderboard_changes (period_id, user_id)
    SELECT period_id, user_id FROM standings
     WHERE $2 AND (ranking <> 'best' OR high_score_updated_at = now())
    RETURNING id
  )
  SELECT
    (SELECT coalesce(json_agg(json_build_object(
              'id', id::text, 'user_id', user_id::text, 'value', value,
              'created_at', created_at, 'applied_at', applied_at)), '[]')
       FROM claimed) AS applied,
    (SELECT coalesce(json_agg(json_build_object(
              'period_id', s.period_id::text, 'board_id', s.board_id, 'user_id', s.user_id::text,
              'total_scores', s.total_scores::text, 'sum_scores', s.sum_scores::text,
              'updated_at', s.updated_at, 'high_score', s.high_score,
              'rank_score', s.rank_score::text,
              'achieved_at', s.achieved_at,
              'achieved_at_us', (extract(epoch FROM s.achieved_at) * 1000000)::bigint::text,
              'version', s.version::text, 'ranked', s.ranked,
              'before_rank_score', b.rank_score, 'before_achieved_us', b.achieved_us)), '[]')
       FROM standings s LEFT JOIN before b USING (period_id, user_id)) AS users,
    (SELECT coalesce(array_agg(id::text), '{}') FROM changes) AS change_ids`;

/** The SQL of applying scores to the aggregates, exactly once, and of the retry bookkeeping. */
@Injectable()
export class ProcessingRepository {
  constructor(
    @InjectBackgroundDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
  ) {}

  /**
   * Applies a batch in one statement (and its events in the same transaction): claims the batch's
   * still-pending scores, marking them applied, and adds them to their users' aggregates with one
   * row update per user: the count, the exact sum, and the highest value with the earliest time it
   * was accepted. A redelivered score is no longer pending, so it is neither claimed nor counted
   * again. With `trackStandings`, every standing that changed is also written to the outbox of the
   * Redis leaderboard, in the same transaction; so is a score.applied event of each applied score.
   */
  async applyBatch(scoreIds: string[], { trackStandings = false } = {}): Promise<AppliedBatch> {
    const started = process.hrtime.bigint();
    const [row] = await this.dataSource.transaction(async (manager) => {
      const rows = await queryRows<{
        applied: AppliedJson[];
        users: UserJson[];
        change_ids: string[];
      }>(manager, APPLY, [scoreIds, trackStandings]);
      // The score.applied events, in the transaction of the apply (see OutboxRepository).
      await this.outbox.appendScoresApplied(
        manager,
        rows[0]!.applied.map((score) => score.id),
      );
      return rows;
    });
    return {
      applied: row!.applied.map((score) => ({
        id: score.id,
        userId: score.user_id,
        value: score.value,
        createdAt: new Date(score.created_at),
        appliedAt: new Date(score.applied_at),
      })),
      users: row!.users.map((user) => ({
        boardId: user.board_id,
        periodId: user.period_id,
        userId: user.user_id,
        totalScores: Number(user.total_scores),
        sumScores: BigInt(user.sum_scores),
        highScore: user.high_score,
        rankScore: user.rank_score,
        highScoreAchievedAt: new Date(user.achieved_at),
        highScoreAchievedAtMicros: user.achieved_at_us,
        version: user.version,
        ranked: user.ranked,
        updatedAt: new Date(user.updated_at),
        before:
          user.before_rank_score === null
            ? null
            : { rankScore: user.before_rank_score, achievedAtMicros: user.before_achieved_us! },
      })),
      changeIds: row!.change_ids,
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
        `SELECT attempts FROM scores
          WHERE id = $1 AND applied_at IS NULL AND dead_at IS NULL AND removed_at IS NULL
          FOR UPDATE`,
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
           WHERE applied_at IS NULL AND dead_at IS NULL AND removed_at IS NULL
             AND retry_at <= now()
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
      `SELECT count(*) AS n FROM scores
        WHERE applied_at IS NULL AND dead_at IS NULL AND removed_at IS NULL`,
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
         FROM scores WHERE dead_at IS NOT NULL AND removed_at IS NULL
        ORDER BY dead_at, id LIMIT $1`,
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
        WHERE dead_at IS NOT NULL AND removed_at IS NULL
          AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
        RETURNING id`,
      [ids === 'all' ? null : ids],
    );
    return rows.map((row) => row.id);
  }
}
