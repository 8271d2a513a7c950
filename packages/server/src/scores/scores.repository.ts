import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import type { ScoreStatus } from './dto/score.dto';

export type StoredScore = { id: string; value: number; createdAt: Date; status: ScoreStatus };

type ScoreRow = {
  id: string;
  value: number;
  created_at: Date;
  applied_at: Date | null;
  dead_at: Date | null;
};

const COLUMNS = 'id, value, created_at, applied_at, dead_at';
const FOREIGN_KEY_VIOLATION = '23503';

/** A valid token whose user no longer exists. */
export class UnknownUserError extends Error {}

@Injectable()
export class ScoresRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts the score unless this user already has one under the key. Returns the stored score and
   * whether this call created it. Concurrent calls with one key are settled by the unique
   * constraint: the losers wait for the winner's commit, find no row inserted, and read the winner's.
   */
  async insertIfAbsent(
    userId: string,
    idempotencyKey: string,
    value: number,
    sweepAfterMs: number,
  ): Promise<{ score: StoredScore; created: boolean }> {
    // retry_at: when the sweeper takes over if no worker has applied the score by then.
    const inserted: ScoreRow[] = await this.dataSource
      .query(
        `INSERT INTO scores (user_id, idempotency_key, value, retry_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4::double precision / 1000))
         ON CONFLICT (user_id, idempotency_key) DO NOTHING
         RETURNING ${COLUMNS}`,
        [userId, idempotencyKey, value, sweepAfterMs],
      )
      .catch((error: unknown) => {
        const code =
          error instanceof QueryFailedError
            ? (error.driverError as { code?: string }).code
            : undefined;
        throw code === FOREIGN_KEY_VIOLATION ? new UnknownUserError(userId) : error;
      });
    if (inserted[0]) return { score: toScore(inserted[0]), created: true };
    // A separate statement: its snapshot is taken after the conflicting insert committed.
    const [existing]: ScoreRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM scores WHERE user_id = $1 AND idempotency_key = $2`,
      [userId, idempotencyKey],
    );
    if (!existing) throw new Error('Conflicting score vanished; scores are never deleted');
    return { score: toScore(existing), created: false };
  }

  /** One page of a user's scores, newest first; `before` is the last id of the previous page. */
  async listForUser(
    userId: string,
    limit: number,
    before: string | undefined,
  ): Promise<StoredScore[]> {
    const rows: ScoreRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM scores
        WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
        ORDER BY id DESC
        LIMIT $3`,
      [userId, before ?? null, limit],
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
    value: row.value,
    createdAt: row.created_at,
    status: row.applied_at ? 'processed' : row.dead_at ? 'dead' : 'pending',
  };
}
