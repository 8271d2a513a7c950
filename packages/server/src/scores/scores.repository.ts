import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import type { Period } from '../boards/boards.repository';
import type { ScoreStatus } from './dto/score.dto';

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
};

const COLUMNS = 'id, board_id, value, created_at, applied_at, dead_at';
const FOREIGN_KEY_VIOLATION = '23503';

/** A valid token whose user no longer exists. */
export class UnknownUserError extends Error {}

/** The period given is over (a reset came between choosing it and the insert): choose again. */
export const PERIOD_ENDED = 'period-ended';

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
  async insertIfAbsent(
    userId: string,
    idempotencyKey: string,
    value: number,
    period: Period,
    sweepAfterMs: number,
  ): Promise<{ score: StoredScore; created: boolean } | typeof PERIOD_ENDED> {
    // retry_at: when the sweeper takes over if no worker has applied the score by then.
    const inserted: ScoreRow[] = await this.dataSource
      .query(
        `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, retry_at)
         SELECT $1, $2, $3, p.board_id, p.id,
                now() + make_interval(secs => $5::double precision / 1000)
           FROM board_periods p
          WHERE p.id = $4 AND p.starts_at <= now() AND (p.ends_at IS NULL OR now() < p.ends_at)
         ON CONFLICT (user_id, idempotency_key) DO NOTHING
         RETURNING ${COLUMNS}`,
        [userId, idempotencyKey, value, period.id, sweepAfterMs],
      )
      .catch((error: unknown) => {
        const code =
          error instanceof QueryFailedError
            ? (error.driverError as { code?: string }).code
            : undefined;
        throw code === FOREIGN_KEY_VIOLATION ? new UnknownUserError(userId) : error;
      });
    if (inserted[0]) return { score: toScore(inserted[0]), created: true };
    // A separate statement: its snapshot is taken after a conflicting insert committed.
    const existing = await this.findByKey(userId, idempotencyKey);
    return existing ? { score: existing, created: false } : PERIOD_ENDED;
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
    status: row.applied_at ? 'processed' : row.dead_at ? 'dead' : 'pending',
  };
}
