import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectBackgroundDataSource } from '../database/database.module';
import { queryRows } from '../database/sql';
import { rankedValueOf } from '../processing/standing-sql';
import { OutboxRepository } from '../webhooks/outbox.repository';

/** How many placements a period.finalized event carries. */
const EVENT_TOP = 100;

/** A period is final once it has ended and none of its scores is pending (as BoardsRepository). */
const FINAL = `(p.ends_at IS NOT NULL AND p.ends_at <= now() AND NOT EXISTS (
  SELECT 1 FROM scores s WHERE s.period_id = p.id AND s.applied_at IS NULL AND s.dead_at IS NULL
                             AND s.removed_at IS NULL))`;

export type PeriodResult = {
  id: string;
  rank: number;
  userId: string;
  displayName: string | null;
  value: number;
  achievedAt: Date;
  claimedAt: Date | null;
};

export type MyResult = {
  id: string;
  boardId: string;
  periodId: string;
  startsAt: Date;
  endsAt: Date;
  revision: number;
  rank: number;
  value: number;
  achievedAt: Date;
  claimedAt: Date | null;
};

/**
 * Period results (SPEC 2d): the placements of a period written once when it becomes final, a new
 * revision whenever a moderation changes a final period's standings, and claims.
 *
 * Writing a revision and deciding that there is one to write are serialized per period by an
 * advisory lock, taken before anything is read: a moderation that commits before a finalization
 * is in the finalization's reading, and one that commits after finds the finalization and writes
 * the next revision. A finalization locks nothing a moderation holds (results have no foreign
 * key to users; see the migration), so the two cannot deadlock.
 */
@Injectable()
export class PeriodResultsRepository {
  constructor(
    @InjectBackgroundDataSource() private readonly background: DataSource,
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Periods that are final and have no results yet, oldest first. */
  async dueForFinalization(limit: number): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.background,
      `SELECT p.id::text FROM board_periods p
        WHERE p.results_written_at IS NULL AND ${FINAL}
        ORDER BY p.ends_at, p.id LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Writes the period's results (revision 1) and its period.finalized event, in one transaction;
   * false when it is not final or another process finalized it first.
   */
  finalize(periodId: string): Promise<boolean> {
    return this.background.transaction(async (manager) => {
      await lockPeriod(manager, periodId);
      const [created] = await queryRows<{ revision: number }>(
        manager,
        `INSERT INTO period_finalizations (period_id, board_id)
         SELECT p.id, p.board_id FROM board_periods p WHERE p.id = $1 AND ${FINAL}
         ON CONFLICT (period_id) DO NOTHING
         RETURNING revision`,
        [periodId],
      );
      if (!created) return false;
      await this.writeRevision(manager, periodId, created.revision);
      await manager.query(`UPDATE board_periods SET results_written_at = now() WHERE id = $1`, [
        periodId,
      ]);
      return true;
    });
  }

  /**
   * In a moderation's transaction: every period among `periodIds` that already has results gets
   * a new revision (from the standings as the moderation left them) and a new period.finalized
   * event. Periods are taken in id order, so two moderations cannot deadlock on them.
   */
  async reviseFinalPeriods(manager: EntityManager, periodIds: string[]): Promise<void> {
    const ids = [...new Set(periodIds)].sort((a, b) => Number(a) - Number(b));
    for (const periodId of ids) {
      await lockPeriod(manager, periodId);
      const [revised] = await queryRows<{ revision: number }>(
        manager,
        `UPDATE period_finalizations SET revision = revision + 1, revised_at = now()
          WHERE period_id = $1 RETURNING revision`,
        [periodId],
      );
      if (revised) await this.writeRevision(manager, periodId, revised.revision);
    }
  }

  /** In an account deletion's transaction: the player's placements of every revision go. */
  async forgetUser(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(`DELETE FROM period_results WHERE user_id = $1`, [userId]);
  }

  /**
   * A page of the period's current results by rank (after `afterRank`), with the revision; null
   * when the period has no results (not final yet).
   */
  async page(
    periodId: string,
    afterRank: number,
    limit: number,
  ): Promise<{ revision: number; items: PeriodResult[] } | null> {
    const [row] = await queryRows<{
      revision: number;
      items: Array<{
        id: string;
        rank: number;
        user_id: string;
        display_name: string | null;
        value: number;
        achieved_at: string;
        claimed_at: string | null;
      }>;
    }>(
      this.dataSource,
      `SELECT f.revision,
              (SELECT coalesce(json_agg(json_build_object(
                        'id', r.id::text, 'rank', r.rank, 'user_id', r.user_id::text,
                        'display_name', u.display_name, 'value', r.value,
                        'achieved_at', r.achieved_at, 'claimed_at', c.claimed_at) ORDER BY r.rank),
                        '[]')
                 FROM (SELECT * FROM period_results r
                        WHERE r.period_id = f.period_id AND r.revision = f.revision
                          AND r.rank > $2
                        ORDER BY r.rank LIMIT $3) r
                 LEFT JOIN users u ON u.id = r.user_id
                 LEFT JOIN result_claims c ON c.period_id = r.period_id AND c.user_id = r.user_id
              ) AS items
         FROM period_finalizations f WHERE f.period_id = $1`,
      [periodId, afterRank, limit],
    );
    if (!row) return null;
    return {
      revision: row.revision,
      items: row.items.map((item) => ({
        id: item.id,
        rank: item.rank,
        userId: item.user_id,
        displayName: item.display_name,
        value: item.value,
        achievedAt: new Date(item.achieved_at),
        claimedAt: item.claimed_at === null ? null : new Date(item.claimed_at),
      })),
    };
  }

  /** The player's placements in the current results of final periods, newest first. */
  mine(
    userId: string,
    claimed: boolean | undefined,
    limit: number,
    beforeId: string | undefined,
  ): Promise<MyResult[]> {
    return this.placementsOf(this.dataSource.manager, userId, { claimed, limit, beforeId });
  }

  /** As `mine`, in a transaction of the caller's (the export reads everything in one snapshot). */
  async placementsOf(
    db: EntityManager,
    userId: string,
    {
      claimed,
      limit,
      beforeId,
    }: { claimed?: boolean; limit: number | null; beforeId?: string | undefined },
  ): Promise<MyResult[]> {
    const rows = await queryRows<{
      id: string;
      board_id: string;
      period_id: string;
      starts_at: Date;
      ends_at: Date;
      revision: number;
      rank: number;
      value: number;
      achieved_at: Date;
      claimed_at: Date | null;
    }>(
      db,
      `SELECT r.id::text, f.board_id, r.period_id::text, p.starts_at, p.ends_at, r.revision,
              r.rank, r.value::float8 AS value, r.achieved_at, c.claimed_at
         FROM period_results r
         JOIN period_finalizations f ON f.period_id = r.period_id AND f.revision = r.revision
         JOIN board_periods p ON p.id = r.period_id
         LEFT JOIN result_claims c ON c.period_id = r.period_id AND c.user_id = r.user_id
        WHERE r.user_id = $1 AND ($2::bigint IS NULL OR r.id < $2::bigint)
          AND ($3::boolean IS NULL OR (c.claimed_at IS NOT NULL) = $3)
        ORDER BY r.id DESC LIMIT $4`,
      [userId, beforeId ?? null, claimed ?? null, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      boardId: row.board_id,
      periodId: row.period_id,
      startsAt: row.starts_at,
      endsAt: row.ends_at,
      revision: row.revision,
      rank: row.rank,
      value: row.value,
      achievedAt: row.achieved_at,
      claimedAt: row.claimed_at,
    }));
  }

  /**
   * Claims the reward of the player's placement `resultId` (a result of any revision, as long as
   * the player is placed in the current one): `first` is true for the one call that inserted the
   * claim, whatever the concurrency (the primary key of result_claims decides; a concurrent
   * claimant waits for the first to commit, then inserts nothing). Null when the result is not
   * the player's, or they are no longer placed.
   */
  async claim(
    resultId: string,
    userId: string,
  ): Promise<{ claimedAt: Date; first: boolean } | null> {
    const [inserted] = await queryRows<{ period_id: string | null; claimed_at: Date | null }>(
      this.dataSource,
      `WITH target AS (
         SELECT r.period_id, r.user_id FROM period_results r
          WHERE r.id = $1 AND r.user_id = $2
            AND EXISTS (SELECT 1 FROM period_results cur
                          JOIN period_finalizations f
                            ON f.period_id = cur.period_id AND f.revision = cur.revision
                         WHERE cur.period_id = r.period_id AND cur.user_id = r.user_id)
       ),
       claimed AS (
         INSERT INTO result_claims (period_id, user_id)
         SELECT period_id, user_id FROM target
         ON CONFLICT (period_id, user_id) DO NOTHING
         RETURNING claimed_at
       )
       SELECT (SELECT period_id::text FROM target) AS period_id,
              (SELECT claimed_at FROM claimed) AS claimed_at`,
      [resultId, userId],
    );
    if (!inserted?.period_id) return null;
    if (inserted.claimed_at) return { claimedAt: inserted.claimed_at, first: true };
    // A statement of its own: its snapshot holds the claim that the insert found committed.
    const [existing] = await queryRows<{ claimed_at: Date }>(
      this.dataSource,
      `SELECT claimed_at FROM result_claims WHERE period_id = $1 AND user_id = $2`,
      [inserted.period_id, userId],
    );
    return existing ? { claimedAt: existing.claimed_at, first: false } : null;
  }

  /**
   * Writes the period's placements as revision `revision` (every ranked standing, in leaderboard
   * order) and the period.finalized event with the top placements. A period that ends with no
   * player at all (a resetting board nobody played in that period) gets no event: there is nothing
   * to tell, and a minute board would send one a minute.
   */
  private async writeRevision(
    manager: EntityManager,
    periodId: string,
    revision: number,
  ): Promise<void> {
    const [row] = await queryRows<{
      board_id: string;
      starts_at: Date;
      ends_at: Date;
      players: number;
      top: unknown[];
    }>(
      manager,
      `WITH placed AS (
         INSERT INTO period_results (period_id, revision, rank, user_id, value, achieved_at)
         SELECT $1, $2,
                row_number() OVER (ORDER BY st.rank_score, st.achieved_at, st.user_id),
                st.user_id, ${rankedValueOf('st')}, st.achieved_at
           FROM user_stats st WHERE st.period_id = $1 AND st.ranked
         RETURNING id, rank, user_id, value, achieved_at
       )
       SELECT p.board_id, p.starts_at, p.ends_at,
              (SELECT count(*)::int FROM placed) AS players,
              (SELECT coalesce(json_agg(json_build_object(
                        'id', id::text, 'rank', rank, 'user_id', user_id::text, 'value', value,
                        'achieved_at', achieved_at) ORDER BY rank), '[]')
                 FROM placed WHERE rank <= $3) AS top
         FROM board_periods p WHERE p.id = $1`,
      [periodId, revision, EVENT_TOP],
    );
    if (revision === 1 && row!.players === 0) return;
    await this.outbox.append(manager, [
      {
        type: 'period.finalized',
        boardId: row!.board_id,
        data: {
          board: row!.board_id,
          period: {
            id: periodId,
            starts_at: new Date(row!.starts_at).toISOString(),
            ends_at: new Date(row!.ends_at).toISOString(),
          },
          revision,
          players: row!.players,
          top: row!.top,
        },
      },
    ]);
  }
}

async function lockPeriod(manager: EntityManager, periodId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
    `period-results:${periodId}`,
  ]);
}
