import type { DataSource } from 'typeorm';
import { lockPeriods } from '../boards/boards.repository';
import { queryRows } from '../database/sql';

export type PastPeriod = { startsAt: Date; endsAt: Date };
export type PastScore = {
  userId: string;
  key: string;
  value: number;
  createdAt: Date;
  metadata: Record<string, unknown> | null;
};

/**
 * The demo's one departure from the API: no route accepts a score with a time in the past, so
 * the demo writes its history the way a test fixture does, as rows, and leaves the rest to the
 * product. The scores are inserted unapplied and due at once, so the sweeper applies them through
 * the same statement as any score (standings, counts, leaderboards, events), and the period
 * finalizer writes the results of the periods that have ended.
 */
export class DemoHistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The database's clock, which gives scores and periods their times. */
  async now(): Promise<Date> {
    const [row] = await queryRows<{ now: Date }>(this.dataSource, `SELECT now() AS now`);
    return row!.now;
  }

  /**
   * Gives a board that is younger than `since` and still in its first period a past: its creation
   * moves to `since`, its current period starts at `currentStartsAt` at the latest, the closed
   * `periods` are inserted before it, and `scores` go into the periods holding their times (keys
   * already taken are left alone). In one transaction, under the board's period lock. Answers
   * how many scores it inserted, or null when the board already has a past (a second run).
   */
  async writePast(
    boardId: string,
    since: Date,
    currentStartsAt: Date,
    periods: PastPeriod[],
    scores: PastScore[],
  ): Promise<number | null> {
    return this.dataSource.transaction(async (manager) => {
      await lockPeriods(manager, boardId);
      const [state] = await queryRows<{ young: boolean; periods: string }>(
        manager,
        `SELECT b.created_at > $2 AS young,
                (SELECT count(*) FROM board_periods p WHERE p.board_id = b.id)::text AS periods
           FROM boards b WHERE b.id = $1 FOR UPDATE`,
        [boardId, since],
      );
      if (!state?.young || state.periods !== '1') return null;
      await manager.query(`UPDATE boards SET created_at = $2 WHERE id = $1`, [boardId, since]);
      await manager.query(
        `UPDATE board_periods SET starts_at = least(starts_at, $2)
          WHERE board_id = $1 AND starts_at <= now() AND (ends_at IS NULL OR now() < ends_at)`,
        [boardId, currentStartsAt],
      );
      await manager.query(
        `INSERT INTO board_periods (board_id, starts_at, ends_at)
         SELECT $1, p.starts_at, p.ends_at
           FROM jsonb_to_recordset($2::jsonb) AS p(starts_at timestamptz, ends_at timestamptz)`,
        [
          boardId,
          JSON.stringify(periods.map((p) => ({ starts_at: p.startsAt, ends_at: p.endsAt }))),
        ],
      );
      const inserted = await queryRows<{ id: string }>(
        manager,
        `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, created_at,
                             retry_at, metadata)
         SELECT s.user_id, s.key, s.value, p.board_id, p.id, s.created_at, now(), s.metadata
           FROM jsonb_to_recordset($2::jsonb)
                  AS s(user_id bigint, key text, value integer, created_at timestamptz, metadata jsonb)
           JOIN board_periods p ON p.board_id = $1 AND p.starts_at <= s.created_at
                               AND (p.ends_at IS NULL OR s.created_at < p.ends_at)
         ORDER BY s.user_id, s.key
         ON CONFLICT (user_id, idempotency_key) DO NOTHING
         RETURNING id::text`,
        [
          boardId,
          JSON.stringify(
            scores.map((s) => ({
              user_id: s.userId,
              key: s.key,
              value: s.value,
              created_at: s.createdAt,
              metadata: s.metadata,
            })),
          ),
        ],
      );
      return inserted.length;
    });
  }

  /** How many of these scores exist already (their player holds their key). */
  async countExisting(scores: PastScore[]): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      this.dataSource,
      `SELECT count(*)::text AS n
         FROM scores s
         JOIN jsonb_to_recordset($1::jsonb) AS k(user_id bigint, key text)
           ON s.user_id = k.user_id AND s.idempotency_key = k.key`,
      [JSON.stringify(scores.map((score) => ({ user_id: score.userId, key: score.key })))],
    );
    return Number(row!.n);
  }
}
