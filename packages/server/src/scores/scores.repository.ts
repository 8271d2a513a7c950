import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import type { Period } from '../boards/boards.repository';
import { queryRows } from '../database/sql';
import type { ScoreStatus } from './dto/score.dto';
import { scoreStatus } from './score-status';

export type StoredScore = {
  id: string;
  boardId: string;
  value: number;
  createdAt: Date;
  status: ScoreStatus;
};

type ScoreRow = {
  id: string;
  board_id: string;
  value: number;
  created_at: Date;
  applied_at: Date | null;
  dead_at: Date | null;
  removed_at: Date | null;
};

const COLUMNS = 'id, board_id, value, created_at, applied_at, dead_at, removed_at';
const FOREIGN_KEY_VIOLATION = '23503';
const WINDOW_SECONDS = 60;

/** A valid token whose user no longer exists. */
export class UnknownUserError extends Error {}

/** The period given is over (a reset came between choosing it and the insert): choose again. */
export const PERIOD_ENDED = 'period-ended';

/** What the insert is for: the player, and the API key that sent it for them (if one did). */
export type Submission = {
  userId: string;
  idempotencyKey: string;
  value: number;
  period: Period;
  apiKeyId: string | null;
  sweepAfterMs: number;
};

export type InsertOutcome =
  | { score: StoredScore; created: boolean }
  | typeof PERIOD_ENDED
  | { limited: true; retryAfterSeconds: number };

@Injectable()
export class ScoresRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findByKey(userId: string, idempotencyKey: string): Promise<StoredScore | null> {
    const [row]: ScoreRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM scores WHERE user_id = $1 AND idempotency_key = $2`,
      [userId, idempotencyKey],
    );
    return row ? toScore(row) : null;
  }

  /**
   * Inserts the score unless this user already has one under the key, into `period` if the
   * database's clock (which also sets created_at) is inside it. Returns the stored score and
   * whether this call created it, or PERIOD_ENDED. Concurrent calls with one key are settled by
   * the unique constraint: the losers wait for the winner's commit, find no row inserted, and read
   * the winner's.
   */
  async insertIfAbsent(submission: Submission): Promise<InsertOutcome> {
    const inserted = await this.insert(this.dataSource, submission);
    if (inserted) return { score: inserted, created: true };
    return this.existing(submission);
  }

  /**
   * As insertIfAbsent, on a board that accepts `limit` submissions per player in any 60 seconds:
   * the player's window (the times of their accepted submissions within the last minute) is
   * locked, and the score inserted only if the window has room, in one transaction; the window
   * then holds the score's created_at. A replay, found by the insert, takes no room (its
   * transaction is rolled back), and a refused submission stores nothing. The window's row lock
   * makes the count exact across every API instance.
   */
  async insertWithinRate(submission: Submission, limit: number): Promise<InsertOutcome> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const [window] = await queryRows<{ recent: Date[]; now: Date }>(
        manager,
        `INSERT INTO submission_windows AS w (user_id, board_id, accepted)
         VALUES ($1, $2, '{}')
         ON CONFLICT (user_id, board_id) DO UPDATE SET accepted = w.accepted
         RETURNING ARRAY(SELECT at FROM unnest(w.accepted) AS at
                          WHERE at > now() - make_interval(secs => $3) ORDER BY at) AS recent,
                   now() AS now`,
        [submission.userId, submission.period.boardId, WINDOW_SECONDS],
      ).catch(unknownUser(submission.userId));
      const { recent, now } = window!;
      if (recent.length >= limit) {
        // The next submission is allowed once enough of these have left the window.
        const freedAt = recent[recent.length - limit]!.getTime() + WINDOW_SECONDS * 1000;
        const seconds = Math.ceil((freedAt - now.getTime()) / 1000);
        return { limited: true as const, retryAfterSeconds: Math.max(1, seconds) };
      }
      const inserted = await this.insert(manager, submission);
      if (!inserted) return null;
      // now(): the transaction's start, which is also the score's created_at.
      await manager.query(
        `UPDATE submission_windows
            SET accepted = ARRAY(SELECT at FROM unnest(accepted) AS at
                                  WHERE at > now() - make_interval(secs => $3) ORDER BY at)
                           || now()
          WHERE user_id = $1 AND board_id = $2`,
        [submission.userId, submission.period.boardId, WINDOW_SECONDS],
      );
      return { score: inserted, created: true };
    });
    // No room, or nothing inserted: a concurrent copy of this submission may have been stored.
    if (outcome && 'score' in outcome) return outcome;
    const existing = await this.findByKey(submission.userId, submission.idempotencyKey);
    if (existing) return { score: existing, created: false };
    return outcome ?? PERIOD_ENDED;
  }

  private async insert(
    db: DataSource | EntityManager,
    { userId, idempotencyKey, value, period, apiKeyId, sweepAfterMs }: Submission,
  ): Promise<StoredScore | null> {
    // retry_at: when the sweeper takes over if no worker has applied the score by then.
    const [row] = await queryRows<ScoreRow>(
      db,
      `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, api_key_id,
                           retry_at)
       SELECT $1, $2, $3, p.board_id, p.id, $5,
              now() + make_interval(secs => $6::double precision / 1000)
         FROM board_periods p
        WHERE p.id = $4 AND p.starts_at <= now() AND (p.ends_at IS NULL OR now() < p.ends_at)
       ON CONFLICT (user_id, idempotency_key) DO NOTHING
       RETURNING ${COLUMNS}`,
      [userId, idempotencyKey, value, period.id, apiKeyId, sweepAfterMs],
    ).catch(unknownUser(userId));
    return row ? toScore(row) : null;
  }

  /** Nothing was inserted: the key's score, or PERIOD_ENDED when there is none. */
  private async existing(submission: Submission): Promise<InsertOutcome> {
    // A separate statement: its snapshot is taken after a conflicting insert committed.
    const existing = await this.findByKey(submission.userId, submission.idempotencyKey);
    return existing ? { score: existing, created: false } : PERIOD_ENDED;
  }

  /** Forgets the submission windows that hold nothing within the last minute. */
  async purgeWindows(): Promise<number> {
    const rows = await queryRows(
      this.dataSource,
      `DELETE FROM submission_windows
        WHERE coalesce(accepted[cardinality(accepted)], '-infinity') <
              now() - make_interval(secs => $1)
        RETURNING 1`,
      [WINDOW_SECONDS],
    );
    return rows.length;
  }

  /** One page of a user's scores, newest first; `before` is the last id of the previous page. */
  async listForUser(
    userId: string,
    limit: number,
    before: string | undefined,
    boardId: string | undefined,
  ): Promise<StoredScore[]> {
    const rows: ScoreRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM scores
        WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
          AND ($4::varchar IS NULL OR board_id = $4)
        ORDER BY id DESC
        LIMIT $3`,
      [userId, before ?? null, limit, boardId ?? null],
    );
    return rows.map(toScore);
  }

  async findForUser(userId: string, id: string): Promise<StoredScore | null> {
    const [row]: ScoreRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM scores WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    return row ? toScore(row) : null;
  }
}

function toScore(row: ScoreRow): StoredScore {
  return {
    id: row.id,
    boardId: row.board_id,
    value: row.value,
    createdAt: row.created_at,
    status: scoreStatus(row),
  };
}

/** A foreign-key violation on the insert: the player's account no longer exists. */
function unknownUser(userId: string) {
  return (error: unknown): never => {
    const code =
      error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
    throw code === FOREIGN_KEY_VIOLATION ? new UnknownUserError(userId) : error;
  };
}
