import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import type { Period } from '../boards/boards.repository';
import type { Pool } from 'pg';
import { API_KEY_LOCK_CLASS, API_KEY_LOCK_OBJECT } from '../api-keys/api-keys.repository';
import { poolOf, queryRows } from '../database/sql';
import type { ScoreStatus } from './dto/score.dto';
import { scoreStatus } from './score-status';

export type StoredScore = {
  id: string;
  boardId: string;
  value: number;
  createdAt: Date;
  status: ScoreStatus;
  /** The client's context for the score (SPEC section 2c), null when it sent none. */
  metadata: Record<string, unknown> | null;
};

type ScoreRow = {
  id: string;
  board_id: string;
  value: number;
  created_at: Date;
  applied_at: Date | null;
  dead_at: Date | null;
  removed_at: Date | null;
  metadata: Record<string, unknown> | null;
};

const COLUMNS = 'id, board_id, value, created_at, applied_at, dead_at, removed_at, metadata';
const FOREIGN_KEY_VIOLATION = '23503';
const WINDOW_SECONDS = 60;
/** Board ranges are within ±10^9 (PostgreSQL integers hold them). */
const SCORE_LIMIT = 1_000_000_000;

/**
 * Submissions, one round trip for all of them (the ones that arrived together: see
 * SubmissionBatcher), one result row each, in input order. For each: the player (whether they
 * exist and are suspended), the score already stored under the key, the board (its range
 * resolved, its current period if materialized: the one holding the statement's clock, which is
 * also the new score's created_at), and the insert, made only when no rule refuses it (a player
 * that exists and is not suspended, no score under the key, an open board with a current period,
 * a value in range, an API key on an authoritative board, no per-minute limit: those take
 * insertWithinRate). Inserts go in (user, key) order, so two batches cannot deadlock on the
 * unique index; two submissions of one (user, key) in one batch insert once, for the first of
 * them. Concurrent copies of one submission are settled by the unique constraint: the losers
 * insert nothing, see no existing row in their snapshot, and read the winner's after.
 *
 * The stored score under each key is looked up per submission (a LATERAL subquery the planner
 * cannot flatten), so that the plan is an index lookup whatever the statistics said when the
 * prepared statement's generic plan was made: as a semi-join, a plan made while `scores` was
 * nearly empty (a new database: autovacuum analyzes it a minute later at the soonest) scanned
 * the whole table on every batch.
 *
 * A submission sent with an API key inserts only while the key is not revoked, holding the key's
 * advisory lock shared (see API_KEY_LOCK_CLASS) and a KEY SHARE lock on its row until it commits:
 * a revoke (the advisory lock exclusively, then the row FOR UPDATE) waits for the submissions
 * that hold them, and those that come after wait for its commit and then find the row revoked
 * (a row lock reads the row's latest version, whatever the statement's snapshot). So no score is
 * stored under a key after its revoke commits. (KEY SHARE lets last_used_at be updated.)
 */
const SUBMIT = `
  WITH input AS (
    SELECT t.*, min(t.n) OVER (PARTITION BY t.user_id, t.idempotency_key) AS first_n
      FROM unnest($1::bigint[], $2::varchar[], $3::varchar[], $4::int[], $5::bigint[],
                  $9::text[])
           WITH ORDINALITY AS t (user_id, idempotency_key, board_id, value, api_key_id, metadata,
                                 n)
  ),
  player AS (
    SELECT u.id AS user_id, u.banned_at IS NOT NULL AS suspended
      FROM users u WHERE u.id IN (SELECT user_id FROM input)
  ),
  existing AS (
    SELECT s.user_id, s.idempotency_key, ${COLUMNS.split(', ')
      .map((column) => `s.${column}`)
      .join(', ')}
      FROM input i
     CROSS JOIN LATERAL (
       SELECT * FROM scores s
        WHERE s.user_id = i.user_id AND s.idempotency_key = i.idempotency_key
        LIMIT 1
     ) s
     WHERE i.n = i.first_n
  ),
  key_lock AS (
    SELECT t.api_key_id, pg_advisory_xact_lock_shared($10::int, (t.api_key_id % 2147483647)::int)
      FROM (SELECT DISTINCT api_key_id FROM input WHERE api_key_id IS NOT NULL
             ORDER BY api_key_id) t
  ),
  api_key AS (
    SELECT k.id FROM api_keys k
     WHERE k.id IN (SELECT api_key_id FROM key_lock) AND k.revoked_at IS NULL
     ORDER BY k.id
       FOR KEY SHARE
  ),
  board AS (
    SELECT b.id, b.archived, b.authoritative, b.max_submissions_per_minute,
           coalesce(b.score_min, $6::int) AS score_min, coalesce(b.score_max, $7::int) AS score_max,
           (SELECT p.id FROM board_periods p
             WHERE p.board_id = b.id AND p.starts_at <= now()
               AND (p.ends_at IS NULL OR now() < p.ends_at)) AS period_id
      FROM boards b WHERE b.id IN (SELECT board_id FROM input)
  ),
  inserted AS (
    INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, api_key_id, retry_at,
                        metadata)
    SELECT i.user_id, i.idempotency_key, i.value, b.id, b.period_id, i.api_key_id,
           now() + make_interval(secs => $8::double precision / 1000), i.metadata::jsonb
      FROM input i
      JOIN player u ON u.user_id = i.user_id
      JOIN board b ON b.id = i.board_id
     WHERE i.n = i.first_n AND NOT u.suspended
       AND (i.api_key_id IS NULL OR i.api_key_id IN (SELECT id FROM api_key))
       AND NOT EXISTS (SELECT 1 FROM existing e
                        WHERE e.user_id = i.user_id AND e.idempotency_key = i.idempotency_key)
       AND NOT b.archived AND b.period_id IS NOT NULL
       AND i.value BETWEEN b.score_min AND b.score_max
       AND (NOT b.authoritative OR i.api_key_id IS NOT NULL)
       AND b.max_submissions_per_minute = 0
     ORDER BY i.user_id, i.idempotency_key
    ON CONFLICT (user_id, idempotency_key) DO NOTHING
    RETURNING user_id, idempotency_key, ${COLUMNS}
  )
  SELECT u.user_id IS NOT NULL AS player_found, u.suspended,
         i.api_key_id IS NOT NULL AND i.api_key_id NOT IN (SELECT id FROM api_key) AS key_revoked,
         e.id::text AS e_id, e.board_id AS e_board_id, e.value AS e_value,
         e.created_at AS e_created_at, e.applied_at AS e_applied_at, e.dead_at AS e_dead_at,
         e.removed_at AS e_removed_at, e.metadata AS e_metadata,
         b.id AS b_id, b.archived AS b_archived, b.authoritative AS b_authoritative,
         b.max_submissions_per_minute AS b_max_per_minute, b.score_min AS b_score_min,
         b.score_max AS b_score_max, b.period_id::text AS b_period_id,
         s.id::text AS i_id, s.board_id AS i_board_id, s.value AS i_value,
         s.created_at AS i_created_at, s.applied_at AS i_applied_at, s.dead_at AS i_dead_at,
         s.removed_at AS i_removed_at, s.metadata AS i_metadata
    FROM input i
    LEFT JOIN player u ON u.user_id = i.user_id
    LEFT JOIN existing e ON e.user_id = i.user_id AND e.idempotency_key = i.idempotency_key
    LEFT JOIN board b ON b.id = i.board_id
    LEFT JOIN inserted s
      ON s.user_id = i.user_id AND s.idempotency_key = i.idempotency_key AND i.n = i.first_n
   ORDER BY i.n`;

export type SubmitAttempt = {
  userId: string;
  idempotencyKey: string;
  boardId: string;
  value: number;
  /** The API key that sends it; null for the player's own token. */
  apiKeyId: string | null;
  /** The score's metadata as JSON text (validated: see score-metadata.ts), or null. */
  metadata: string | null;
  /** The configured SCORE_MIN..SCORE_MAX, for a board without a range of its own (global). */
  defaultRange: { min: number; max: number };
  sweepAfterMs: number;
};

export type SubmitOutcome = {
  /** The API key it was sent with has been revoked: nothing was inserted. */
  keyRevoked: boolean;
  player: 'missing' | 'suspended' | 'active';
  existing: StoredScore | null;
  board: {
    id: string;
    archived: boolean;
    authoritative: boolean;
    maxSubmissionsPerMinute: number;
    scoreMin: number;
    scoreMax: number;
    /** Null until the board's current period is materialized. */
    periodId: string | null;
  } | null;
  inserted: StoredScore | null;
};

type Prefixed<P extends string> = { [K in keyof ScoreRow as `${P}${K}`]: ScoreRow[K] | null };
type SubmitRow = Prefixed<'e_'> &
  Prefixed<'i_'> & {
    player_found: boolean;
    suspended: boolean | null;
    key_revoked: boolean;
    b_id: string | null;
    b_archived: boolean | null;
    b_authoritative: boolean | null;
    b_max_per_minute: number | null;
    b_score_min: number | null;
    b_score_max: number | null;
    b_period_id: string | null;
  };

function toOutcome(row: SubmitRow): SubmitOutcome {
  return {
    keyRevoked: row.key_revoked,
    player: row.player_found ? (row.suspended ? 'suspended' : 'active') : 'missing',
    existing: row.e_id === null ? null : toScore(prefixed(row, 'e_')),
    board:
      row.b_id === null
        ? null
        : {
            id: row.b_id,
            archived: row.b_archived!,
            authoritative: row.b_authoritative!,
            maxSubmissionsPerMinute: row.b_max_per_minute!,
            scoreMin: row.b_score_min!,
            scoreMax: row.b_score_max!,
            periodId: row.b_period_id,
          },
    inserted: row.i_id === null ? null : toScore(prefixed(row, 'i_')),
  };
}

function prefixed(row: SubmitRow, prefix: 'e_' | 'i_'): ScoreRow {
  const get = <K extends keyof ScoreRow>(key: K) =>
    (row as unknown as Record<string, unknown>)[`${prefix}${key}`] as ScoreRow[K];
  return {
    id: get('id'),
    board_id: get('board_id'),
    value: get('value'),
    created_at: get('created_at'),
    applied_at: get('applied_at'),
    dead_at: get('dead_at'),
    removed_at: get('removed_at'),
    metadata: get('metadata'),
  };
}

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
  /** JSON text, or null. */
  metadata: string | null;
};

/** The API key the submission was sent with has been revoked: nothing was stored. */
export const KEY_REVOKED = 'key-revoked';

export type InsertOutcome =
  | { score: StoredScore; created: boolean }
  | typeof PERIOD_ENDED
  | typeof KEY_REVOKED
  | { limited: true; retryAfterSeconds: number };

@Injectable()
export class ScoresRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The request pool itself, for the submission's prepared statement (no ORM on this path). */
  private get pool(): Pool {
    return poolOf(this.dataSource);
  }

  async findByKey(userId: string, idempotencyKey: string): Promise<StoredScore | null> {
    const [row]: ScoreRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM scores WHERE user_id = $1 AND idempotency_key = $2`,
      [userId, idempotencyKey],
    );
    return row ? toScore(row) : null;
  }

  /**
   * Submissions in one round trip, as one prepared statement on the pool (see SUBMIT): for each,
   * what the answer depends on (the player, a score already stored under the key, the board with
   * its current period) and, when every rule lets it, the insert; in the order given. The caller
   * decides from these what to answer, in SPEC's order.
   */
  async submitAll(attempts: SubmitAttempt[]): Promise<SubmitOutcome[]> {
    const column = <T>(pick: (attempt: SubmitAttempt) => T) => attempts.map(pick);
    const [first] = attempts;
    const { rows } = await this.pool.query<SubmitRow>({
      name: 'scores.submit',
      text: SUBMIT,
      values: [
        column((a) => a.userId),
        column((a) => a.idempotencyKey),
        column((a) => a.boardId),
        // A value outside PostgreSQL's integer is out of every board's range: it is not sent.
        column((a) => (Math.abs(a.value) <= SCORE_LIMIT ? a.value : null)),
        column((a) => a.apiKeyId),
        first!.defaultRange.min,
        first!.defaultRange.max,
        first!.sweepAfterMs,
        column((a) => a.metadata),
        API_KEY_LOCK_CLASS,
      ],
    });
    return rows.map(toOutcome);
  }

  /**
   * The insert on a board that accepts `limit` submissions per player in any 60 seconds:
   * the player's window (the times of their accepted submissions within the last minute) is
   * locked, and the score inserted only if the window has room, in one transaction; the window
   * then holds the score's created_at. A replay, found by the insert, takes no room (its
   * transaction is rolled back), and a refused submission stores nothing. The window's row lock
   * makes the count exact across every API instance.
   */
  async insertWithinRate(submission: Submission, limit: number): Promise<InsertOutcome> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      if (!(await this.holdApiKey(manager, submission.apiKeyId))) return KEY_REVOKED;
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
    if (outcome === KEY_REVOKED || (outcome && 'score' in outcome)) return outcome;
    const existing = await this.findByKey(submission.userId, submission.idempotencyKey);
    if (existing) return { score: existing, created: false };
    return outcome ?? PERIOD_ENDED;
  }

  /**
   * For the rest of the transaction, the API key's advisory lock shared and a KEY SHARE lock on its
   * row, if it is not revoked (see SUBMIT): false when it is. True for a player's own submission (no key).
   */
  private async holdApiKey(manager: EntityManager, apiKeyId: string | null): Promise<boolean> {
    if (apiKeyId === null) return true;
    await manager.query(`SELECT pg_advisory_xact_lock_shared($1, ${API_KEY_LOCK_OBJECT})`, [
      API_KEY_LOCK_CLASS,
      apiKeyId,
    ]);
    const rows = await queryRows(
      manager,
      `SELECT 1 FROM api_keys WHERE id = $1 AND revoked_at IS NULL FOR KEY SHARE`,
      [apiKeyId],
    );
    return rows.length === 1;
  }

  private async insert(
    db: DataSource | EntityManager,
    { userId, idempotencyKey, value, period, apiKeyId, sweepAfterMs, metadata }: Submission,
  ): Promise<StoredScore | null> {
    // retry_at: when the sweeper takes over if no worker has applied the score by then.
    const [row] = await queryRows<ScoreRow>(
      db,
      `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, api_key_id,
                           retry_at, metadata)
       SELECT $1, $2, $3, p.board_id, p.id, $5,
              now() + make_interval(secs => $6::double precision / 1000), $7::jsonb
         FROM board_periods p
        WHERE p.id = $4 AND p.starts_at <= now() AND (p.ends_at IS NULL OR now() < p.ends_at)
       ON CONFLICT (user_id, idempotency_key) DO NOTHING
       RETURNING ${COLUMNS}`,
      [userId, idempotencyKey, value, period.id, apiKeyId, sweepAfterMs, metadata],
    ).catch(unknownUser(userId));
    return row ? toScore(row) : null;
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

  /**
   * The player's state and, for each key in the order given, the score stored under it (null for
   * none): one statement, so a lookup costs one round trip. `player` is `missing` for an id that
   * names no user.
   */
  async findByKeys(
    userId: string,
    idempotencyKeys: string[],
  ): Promise<{ player: 'missing' | 'suspended' | 'active'; scores: (StoredScore | null)[] }> {
    const rows = await queryRows<
      { [K in keyof ScoreRow]: ScoreRow[K] | null } & {
        suspended: boolean;
      }
    >(
      this.dataSource,
      `SELECT u.banned_at IS NOT NULL AS suspended,
              ${COLUMNS.split(', ')
                .map((column) => `s.${column}`)
                .join(', ')}
         FROM users u
        CROSS JOIN unnest($2::varchar[]) WITH ORDINALITY AS k (idempotency_key, n)
         LEFT JOIN scores s ON s.user_id = u.id AND s.idempotency_key = k.idempotency_key
        WHERE u.id = $1
        ORDER BY k.n`,
      [userId, idempotencyKeys],
    );
    const [first] = rows;
    if (!first) return { player: 'missing', scores: [] };
    return {
      player: first.suspended ? 'suspended' : 'active',
      scores: rows.map((row) => (row.id === null ? null : toScore(row as ScoreRow))),
    };
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
    metadata: row.metadata,
  };
}

/** A foreign-key violation on an insert of the player's: their account no longer exists. */
export function asUnknownUser(error: unknown, userId: string): unknown {
  const driverError = error instanceof QueryFailedError ? error.driverError : error;
  const code = (driverError as { code?: unknown } | undefined)?.code;
  return code === FOREIGN_KEY_VIOLATION ? new UnknownUserError(userId) : error;
}

function unknownUser(userId: string) {
  return (error: unknown): never => {
    throw asUnknownUser(error, userId);
  };
}
