import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditRepository } from '../audit/audit.repository';
import { queryRows } from '../database/sql';
import { DELETED_VERSION, type Standing } from '../leaderboard/leaderboard-store';
import { toStanding, type StandingRow } from '../leaderboard/standing-row';
import {
  BEST_RANK_OF_VALUE,
  SET_FROM_AGGREGATES,
  STANDING_AGGREGATES,
} from '../processing/standing-sql';
import { PeriodResultsRepository, type MyResult } from '../results/period-results.repository';
import type { ScoreStatus } from '../scores/dto/score.dto';
import { scoreStatus } from '../scores/score-status';
import { OutboxRepository } from '../webhooks/outbox.repository';

/**
 * Standings a moderation changed, for the leaderboards to learn after the commit, and the outbox
 * rows that stand for them (written only when the store keeps rankings apart from PostgreSQL).
 */
export type ChangedStandings = { standings: Standing[]; changeIds: string[] };

/** A score as admins and exports see it: its state, and why it was removed. */
export type ScoreRecord = {
  id: string;
  value: number;
  boardId: string;
  periodId: string;
  createdAt: Date;
  status: ScoreStatus;
  appliedAt: Date | null;
  removedAt: Date | null;
  removedReason: string | null;
  apiKeyId: string | null;
  metadata: Record<string, unknown> | null;
};

type ScoreRecordRow = {
  id: string;
  value: number;
  board_id: string;
  period_id: string;
  created_at: Date;
  applied_at: Date | null;
  dead_at: Date | null;
  removed_at: Date | null;
  removed_reason: string | null;
  api_key_id: string | null;
  metadata: Record<string, unknown> | null;
};

const SCORE_RECORD = `s.id::text, s.value, s.board_id, s.period_id::text, s.created_at,
  s.applied_at, s.dead_at, s.removed_at, s.removed_reason, s.api_key_id::text, s.metadata`;

export type UserExport = {
  account: {
    id: string;
    email: string;
    display_name: string;
    role: string;
    created_at: Date;
    banned_at: Date | null;
    ban_reason: string | null;
  };
  scores: ScoreRecord[];
  standings: Array<{
    board_id: string;
    period_id: string;
    starts_at: Date;
    ends_at: Date | null;
    total_scores: string;
    sum_scores: string;
    high_score: number;
    achieved_at: Date;
    ranked: boolean;
    updated_at: Date;
  }>;
  results: MyResult[];
};

export type ModeratedScore = {
  id: string;
  userId: string;
  boardId: string;
  periodId: string;
};

/** A changed standing rendered as JSON (exact: bigints as text). */
const STANDING_JSON = (alias: string) => `json_build_object(
  'board_id', ${alias}.board_id, 'period_id', ${alias}.period_id::text,
  'user_id', ${alias}.user_id::text, 'rank_score', ${alias}.rank_score::text,
  'achieved_us', (extract(epoch FROM ${alias}.achieved_at) * 1000000)::bigint::text,
  'version', ${alias}.version::text, 'ranked', ${alias}.ranked)`;

/**
 * Moderation's SQL: bans, score removals and account deletions, each in one transaction with its
 * audit log entry, each changing the standings it touches exactly (a new version of each, the
 * player counts, the leaderboard outbox).
 *
 * Locks are taken in the apply statement's order (see processing.repository.ts): a score row,
 * then the player's row in `users`, then standings by (period, user), then player counts by
 * period. A ban or unban locks the player's row FOR UPDATE, which waits for the applies that hold
 * it FOR KEY SHARE (those that create a standing, and the foreign key of every new standing) and
 * makes later ones wait, then marks every standing of the player under its row lock: an apply
 * that creates one sees the ban, and one that updates one keeps the standing's own mark. A
 * removal holds its score row and the standing's row lock before it recomputes the standing in a
 * statement of its own: every apply that committed before is in that statement's snapshot, and
 * every later one adds its scores on top of the recomputation. An account deletion locks the
 * player's row first, then deletes; it can deadlock with an apply of that player's pending scores
 * (which holds their rows and waits for the player's), a transient failure its caller retries.
 */
@Injectable()
export class ModerationRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRepository,
    private readonly outbox: OutboxRepository,
    private readonly results: PeriodResultsRepository,
  ) {}

  /**
   * Suspends the player (false when there is no such user): their standings leave every
   * leaderboard (unranked, nothing deleted). Banning a suspended player changes nothing.
   */
  ban(
    userId: string,
    audit: { actorId: string; reason: string },
    track: boolean,
  ): Promise<ChangedStandings | null> {
    return this.dataSource.transaction(async (manager) => {
      const state = await this.lockUser(manager, userId);
      if (!state) return null;
      if (state.banned) return unchanged();
      await manager.query(`UPDATE users SET banned_at = now(), ban_reason = $2 WHERE id = $1`, [
        userId,
        audit.reason,
      ]);
      const changed = await this.setSuspended(manager, userId, true, track);
      await this.audit.append(manager, { ...audit, action: 'users.ban', target: `user:${userId}` });
      await this.results.reviseFinalPeriods(manager, periodsOf(changed));
      await this.outbox.append(manager, [
        { type: 'player.banned', boardId: null, data: { user_id: userId, reason: audit.reason } },
      ]);
      return changed;
    });
  }

  /** Lifts the suspension: every standing with a counted score is ranked again, as it was. */
  unban(
    userId: string,
    audit: { actorId: string; reason: string | null },
    track: boolean,
  ): Promise<ChangedStandings | null> {
    return this.dataSource.transaction(async (manager) => {
      const state = await this.lockUser(manager, userId);
      if (!state) return null;
      if (!state.banned) return unchanged();
      await manager.query(`UPDATE users SET banned_at = NULL, ban_reason = NULL WHERE id = $1`, [
        userId,
      ]);
      const changed = await this.setSuspended(manager, userId, false, track);
      await this.audit.append(manager, {
        ...audit,
        action: 'users.unban',
        target: `user:${userId}`,
      });
      await this.results.reviseFinalPeriods(manager, periodsOf(changed));
      await this.outbox.append(manager, [
        { type: 'player.unbanned', boardId: null, data: { user_id: userId } },
      ]);
      return changed;
    });
  }

  /**
   * Marks the score removed, with its reason (null when there is no such score). If it had been
   * applied, its (board, period, user) standing is recomputed from the applied scores that are
   * still counted: count, sum, best and when the best was first reached; with none left it stays
   * as a row with no score, unranked. A pending score is removed before any worker applies it
   * (the apply skips removed scores); removing a removed score changes nothing.
   */
  removeScore(
    scoreId: string,
    audit: { actorId: string; reason: string },
    track: boolean,
  ): Promise<{ score: ModeratedScore; changed: ChangedStandings } | null> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = await queryRows<{
        user_id: string;
        board_id: string;
        period_id: string;
        applied: boolean;
        removed: boolean;
      }>(
        manager,
        `SELECT user_id::text, board_id, period_id::text, applied_at IS NOT NULL AS applied,
                removed_at IS NOT NULL AS removed
           FROM scores WHERE id = $1 FOR UPDATE`,
        [scoreId],
      );
      if (!row) return null;
      const score = {
        id: scoreId,
        userId: row.user_id,
        boardId: row.board_id,
        periodId: row.period_id,
      };
      if (row.removed) return { score, changed: unchanged() };
      await manager.query(
        `UPDATE scores SET removed_at = now(), removed_reason = $2 WHERE id = $1`,
        [scoreId, audit.reason],
      );
      const changed = row.applied
        ? await this.recompute(manager, score.userId, score.periodId, track)
        : unchanged();
      await this.audit.append(manager, {
        ...audit,
        action: 'scores.remove',
        target: `score:${scoreId}`,
      });
      await this.results.reviseFinalPeriods(manager, periodsOf(changed));
      await this.outbox.append(manager, [
        {
          type: 'score.removed',
          boardId: score.boardId,
          data: {
            score_id: scoreId,
            user_id: score.userId,
            board: score.boardId,
            period: score.periodId,
            reason: audit.reason,
          },
        },
      ]);
      return { score, changed };
    });
  }

  /**
   * Deletes the account and everything of it: scores, standings, submission windows (by cascade),
   * its login throttle count, and the player counts it was part of; the leaderboards learn of
   * each standing as deleted. Returns null when there is no such user. The audit log entry (of an
   * admin's deletion) names the user by id only.
   */
  deleteUser(
    userId: string,
    loginKeyOf: (email: string) => string,
    audit: { actorId: string } | null,
    track: boolean,
  ): Promise<ChangedStandings | null> {
    return this.dataSource.transaction(async (manager) => {
      const [user] = await queryRows<{ email: string }>(
        manager,
        `SELECT email FROM users WHERE id = $1 FOR UPDATE`,
        [userId],
      );
      if (!user) return null;
      const [row] = await queryRows<{ standings: StandingRow[]; change_ids: string[] }>(
        manager,
        `WITH gone AS (
           DELETE FROM user_stats WHERE user_id = $1
           RETURNING period_id, board_id, user_id, ranked
         ),
         counted AS (
           INSERT INTO leaderboard_counts AS c (period_id, stripe, players)
           SELECT period_id, pg_backend_pid() % 16, -count(*) FROM gone WHERE ranked
            GROUP BY period_id ORDER BY period_id
           ON CONFLICT (period_id, stripe) DO UPDATE SET players = c.players + excluded.players
         ),
         changes AS (
           INSERT INTO leaderboard_changes (period_id, user_id)
           SELECT period_id, user_id FROM gone WHERE $2 RETURNING id
         )
         SELECT (SELECT coalesce(json_agg(json_build_object(
                   'board_id', g.board_id, 'period_id', g.period_id::text,
                   'user_id', g.user_id::text, 'rank_score', '0', 'achieved_us', '0',
                   'version', $3::text, 'ranked', false)), '[]') FROM gone g) AS standings,
                (SELECT coalesce(array_agg(id::text), '{}') FROM changes) AS change_ids`,
        [userId, track, DELETED_VERSION],
      );
      await manager.query(`DELETE FROM users WHERE id = $1`, [userId]);
      await manager.query(`DELETE FROM login_failures WHERE key = $1`, [loginKeyOf(user.email)]);
      if (audit) {
        await this.audit.append(manager, {
          actorId: audit.actorId,
          action: 'users.delete',
          target: `user:${userId}`,
        });
      }
      const changed = toChanged(row!);
      const periods = periodsOf(changed);
      await this.results.forgetUser(manager, userId);
      await this.outbox.forgetUser(manager, userId, periods);
      await this.results.reviseFinalPeriods(manager, periods);
      await this.outbox.append(manager, [
        { type: 'player.deleted', boardId: null, data: { user_id: userId } },
      ]);
      return changed;
    });
  }

  /** A page of the player's scores, newest first, removed ones with their reason. */
  async scoresOf(
    userId: string,
    limit: number,
    beforeId: string | undefined,
    boardId: string | undefined,
  ): Promise<ScoreRecord[]> {
    const rows = await queryRows<ScoreRecordRow>(
      this.dataSource,
      `SELECT ${SCORE_RECORD} FROM scores s
        WHERE s.user_id = $1 AND ($2::bigint IS NULL OR s.id < $2::bigint)
          AND ($4::varchar IS NULL OR s.board_id = $4)
        ORDER BY s.id DESC LIMIT $3`,
      [userId, beforeId ?? null, limit, boardId ?? null],
    );
    return rows.map(toScoreRecord);
  }

  /**
   * Everything stored of the user, from one snapshot: the account (without its password hash),
   * every score with its state, and every standing; null when there is no such user.
   */
  exportOf(userId: string): Promise<UserExport | null> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [account] = await queryRows<UserExport['account']>(
        manager,
        `SELECT id::text, email, display_name, role, created_at, banned_at, ban_reason
           FROM users WHERE id = $1`,
        [userId],
      );
      if (!account) return null;
      const scores = await queryRows<ScoreRecordRow>(
        manager,
        `SELECT ${SCORE_RECORD} FROM scores s WHERE s.user_id = $1 ORDER BY s.id`,
        [userId],
      );
      const standings = await queryRows<UserExport['standings'][number]>(
        manager,
        `SELECT s.board_id, s.period_id::text, p.starts_at, p.ends_at, s.total_scores::text,
                s.sum_scores::text, s.high_score, s.best_at AS achieved_at, s.ranked, s.updated_at
           FROM user_stats s JOIN board_periods p ON p.id = s.period_id
          WHERE s.user_id = $1 AND s.total_scores > 0
          ORDER BY s.board_id, p.starts_at`,
        [userId],
      );
      const results = await this.results.placementsOf(manager, userId, { limit: null });
      return { account, scores: scores.map(toScoreRecord), standings, results };
    });
  }

  /** The outbox rows are recorded: forget them. */
  async forgetChanges(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query('DELETE FROM leaderboard_changes WHERE id = ANY($1::bigint[])', [
      ids,
    ]);
  }

  /** The player's row, locked FOR UPDATE (see the class comment), or null. */
  private async lockUser(
    manager: EntityManager,
    userId: string,
  ): Promise<{ banned: boolean } | null> {
    const [row] = await queryRows<{ banned: boolean }>(
      manager,
      `SELECT banned_at IS NOT NULL AS banned FROM users WHERE id = $1 FOR UPDATE`,
      [userId],
    );
    return row ?? null;
  }

  /**
   * Marks every standing of the player suspended and takes it off the leaderboards, or lifts
   * that and puts back those with a counted score, each with a new version, and moves the player
   * counts with them.
   */
  private async setSuspended(
    manager: EntityManager,
    userId: string,
    suspended: boolean,
    track: boolean,
  ): Promise<ChangedStandings> {
    const [row] = await queryRows<{ standings: StandingRow[]; change_ids: string[] }>(
      manager,
      `WITH target AS (
         SELECT period_id, user_id FROM user_stats
          WHERE user_id = $1 AND suspended <> $2
          ORDER BY period_id
          FOR UPDATE
       ),
       changed AS (
         UPDATE user_stats s
            SET suspended = $2, ranked = NOT $2 AND s.total_scores > 0, version = s.version + 1
           FROM target t WHERE s.period_id = t.period_id AND s.user_id = t.user_id
         RETURNING s.*
       ),
       counted AS (
         INSERT INTO leaderboard_counts AS c (period_id, stripe, players)
         SELECT period_id, pg_backend_pid() % 16, CASE WHEN $2 THEN -count(*) ELSE count(*) END
           FROM changed WHERE total_scores > 0 GROUP BY period_id ORDER BY period_id
         ON CONFLICT (period_id, stripe) DO UPDATE SET players = c.players + excluded.players
       ),
       changes AS (
         INSERT INTO leaderboard_changes (period_id, user_id)
         SELECT period_id, user_id FROM changed WHERE $3 RETURNING id
       )
       SELECT (SELECT coalesce(json_agg(${STANDING_JSON('c')}), '[]') FROM changed c) AS standings,
              (SELECT coalesce(array_agg(id::text), '{}') FROM changes) AS change_ids`,
      [userId, suspended, track],
    );
    return toChanged(row!);
  }

  /**
   * Recomputes one standing from the player's applied, counted scores in the period. The
   * standing's row is locked by a statement of its own first, so that the recomputation's
   * snapshot holds every apply that committed before (see the class comment).
   */
  private async recompute(
    manager: EntityManager,
    userId: string,
    periodId: string,
    track: boolean,
  ): Promise<ChangedStandings> {
    const [before] = await queryRows<{ ranked: boolean }>(
      manager,
      `SELECT ranked FROM user_stats WHERE period_id = $1 AND user_id = $2 FOR UPDATE`,
      [periodId, userId],
    );
    if (!before) return unchanged();
    const [row] = await queryRows<{ standings: StandingRow[]; change_ids: string[] }>(
      manager,
      `WITH counted_scores AS (
         SELECT s.id, s.value, s.created_at, ${BEST_RANK_OF_VALUE} AS best_rank
           FROM scores s JOIN boards b ON b.id = s.board_id
          WHERE s.user_id = $2 AND s.period_id = $1
            AND s.applied_at IS NOT NULL AND s.removed_at IS NULL
       ),
       truth AS (SELECT ${STANDING_AGGREGATES} FROM counted_scores),
       updated AS (
         UPDATE user_stats st
            SET ${SET_FROM_AGGREGATES}
                high_score_updated_at = now(), updated_at = now(),
                version = st.version + 1, ranked = t.total > 0 AND NOT st.suspended
           FROM truth t
          WHERE st.period_id = $1 AND st.user_id = $2
         RETURNING st.*
       ),
       counted AS (
         INSERT INTO leaderboard_counts AS c (period_id, stripe, players)
         SELECT period_id, pg_backend_pid() % 16, CASE WHEN ranked THEN 1 ELSE -1 END
           FROM updated WHERE ranked <> $3
         ON CONFLICT (period_id, stripe) DO UPDATE SET players = c.players + excluded.players
       ),
       changes AS (
         INSERT INTO leaderboard_changes (period_id, user_id)
         SELECT period_id, user_id FROM updated WHERE $4 RETURNING id
       )
       SELECT (SELECT coalesce(json_agg(${STANDING_JSON('u')}), '[]') FROM updated u) AS standings,
              (SELECT coalesce(array_agg(id::text), '{}') FROM changes) AS change_ids`,
      [periodId, userId, before.ranked, track],
    );
    return toChanged(row!);
  }
}

const unchanged = (): ChangedStandings => ({ standings: [], changeIds: [] });

const periodsOf = (changed: ChangedStandings): string[] =>
  changed.standings.map((standing) => standing.periodId);

function toScoreRecord(row: ScoreRecordRow): ScoreRecord {
  return {
    id: row.id,
    value: row.value,
    boardId: row.board_id,
    periodId: row.period_id,
    createdAt: row.created_at,
    status: scoreStatus(row),
    appliedAt: row.applied_at,
    removedAt: row.removed_at,
    removedReason: row.removed_reason,
    apiKeyId: row.api_key_id,
    metadata: row.metadata,
  };
}

function toChanged(row: { standings: StandingRow[]; change_ids: string[] }): ChangedStandings {
  return { standings: row.standings.map(toStanding), changeIds: row.change_ids };
}
