import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditRepository } from '../audit/audit.repository';
import { queryRows } from '../database/sql';

export type BoardSort = 'asc' | 'desc';

/** How a board ranks its standings (SPEC section 2c). */
export type BoardRanking = 'best' | 'latest' | 'sum' | 'count';
export const BOARD_RANKINGS: readonly BoardRanking[] = ['best', 'latest', 'sum', 'count'];

/**
 * How a board's values read: whole numbers, values in units of 10^-N shown with N decimals, or
 * durations kept in milliseconds or seconds (shown as m:ss.mmm or m:ss). Display only.
 */
export type DisplayFormat = 'integer' | `decimal:${number}` | 'duration:ms' | 'duration:s';
export const DISPLAY_FORMAT = /^(integer|decimal:[1-6]|duration:(ms|s))$/;

export type BoardRow = {
  id: string;
  name: string;
  sort: BoardSort;
  ranking: BoardRanking;
  /** Null on `global`: the configured SCORE_MIN..SCORE_MAX. */
  scoreMin: number | null;
  scoreMax: number | null;
  reset: string;
  timezone: string;
  authoritative: boolean;
  maxSubmissionsPerMinute: number;
  archived: boolean;
  displayFormat: DisplayFormat;
  /** Shown after a value ("pts", "km"); null: none. */
  unit: string | null;
  createdAt: Date;
};

export type Period = {
  id: string;
  boardId: string;
  startsAt: Date;
  endsAt: Date | null;
};

export type BoardFields = Omit<BoardRow, 'createdAt'>;

type BoardJson = {
  id: string;
  name: string;
  sort: BoardSort;
  ranking: BoardRanking;
  score_min: number | null;
  score_max: number | null;
  reset: string;
  timezone: string;
  authoritative: boolean;
  max_submissions_per_minute: number;
  archived: boolean;
  display_format: DisplayFormat;
  unit: string | null;
  created_at: string;
};
type PeriodJson = { id: string; board_id: string; starts_at: string; ends_at: string | null };

const BOARD_JSON = `json_build_object(
  'id', b.id, 'name', b.name, 'sort', b.sort, 'ranking', b.ranking, 'score_min', b.score_min,
  'score_max', b.score_max, 'reset', b.reset, 'timezone', b.timezone,
  'authoritative', b.authoritative, 'max_submissions_per_minute', b.max_submissions_per_minute,
  'archived', b.archived, 'display_format', b.display_format, 'unit', b.unit,
  'created_at', b.created_at)`;
const PERIOD_JSON = `json_build_object(
  'id', p.id::text, 'board_id', p.board_id, 'starts_at', p.starts_at, 'ends_at', p.ends_at)`;
/** The period that contains the database's present moment. */
const CONTAINS_NOW = `p.starts_at <= now() AND (p.ends_at IS NULL OR now() < p.ends_at)`;

const UNIQUE_VIOLATION = '23505';
export class BoardTakenError extends Error {}
/** A board's ranking may only change while it has no score. */
export class BoardHasScoresError extends Error {}

/** Boards and their materialized periods. */
@Injectable()
export class BoardsRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRepository,
  ) {}

  async find(id: string): Promise<BoardRow | null> {
    const [row] = await queryRows<{ board: BoardJson }>(
      this.dataSource,
      `SELECT ${BOARD_JSON} AS board FROM boards b WHERE b.id = $1`,
      [id],
    );
    return row ? toBoard(row.board) : null;
  }

  /** The board and the period it is in now (if materialized), in one round trip. */
  async findWithCurrentPeriod(
    id: string,
  ): Promise<{ board: BoardRow; period: Period | null } | null> {
    const [row] = await queryRows<{ board: BoardJson; period: PeriodJson | null }>(
      this.dataSource,
      `SELECT ${BOARD_JSON} AS board,
              (SELECT ${PERIOD_JSON} FROM board_periods p
                WHERE p.board_id = b.id AND ${CONTAINS_NOW}) AS period
         FROM boards b WHERE b.id = $1`,
      [id],
    );
    return row ? { board: toBoard(row.board), period: row.period && toPeriod(row.period) } : null;
  }

  /** The boards that are not archived, each with the period it is in now (if materialized). */
  async listWithCurrentPeriods(): Promise<Array<{ board: BoardRow; period: Period | null }>> {
    const rows = await queryRows<{ board: BoardJson; period: PeriodJson | null }>(
      this.dataSource,
      `SELECT ${BOARD_JSON} AS board,
              (SELECT ${PERIOD_JSON} FROM board_periods p
                WHERE p.board_id = b.id AND ${CONTAINS_NOW}) AS period
         FROM boards b WHERE NOT b.archived ORDER BY b.created_at, b.id`,
    );
    return rows.map((row) => ({
      board: toBoard(row.board),
      period: row.period && toPeriod(row.period),
    }));
  }

  async list(includeArchived = false): Promise<BoardRow[]> {
    const rows = await queryRows<{ board: BoardJson }>(
      this.dataSource,
      `SELECT ${BOARD_JSON} AS board FROM boards b
        WHERE $1 OR NOT b.archived ORDER BY b.created_at, b.id`,
      [includeArchived],
    );
    return rows.map((row) => toBoard(row.board));
  }

  /** Creates the board, with the audit log entry of its creation by `actorId`. */
  async create(fields: BoardFields, actorId: string): Promise<BoardRow> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const [row] = await queryRows<{ board: BoardJson }>(
          manager,
          `INSERT INTO boards AS b (id, name, sort, score_min, score_max, reset, timezone,
                                    authoritative, max_submissions_per_minute, archived, ranking,
                                    display_format, unit)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           RETURNING ${BOARD_JSON} AS board`,
          boardParams(fields),
        );
        await this.audit.append(manager, {
          actorId,
          action: 'boards.create',
          target: `board:${fields.id}`,
        });
        return toBoard(row!.board);
      });
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION) {
        throw new BoardTakenError(fields.id);
      }
      throw error;
    }
  }

  /**
   * Writes the board's fields, and, when it has an open-ended period that must now end (a `never`
   * board given a reset), that period's end, with the audit log entry naming what `actorId`
   * changed, in one transaction.
   */
  async update(
    fields: BoardFields,
    endOpenPeriodAt: (now: Date) => Date | null,
    audit: { actorId: string; changed: string[] },
  ): Promise<BoardRow | null> {
    return this.dataSource.transaction(async (manager) => {
      await lockPeriods(manager, fields.id);
      const [current] = await queryRows<{ ranking: BoardRanking; scored: boolean }>(
        manager,
        `SELECT b.ranking, ${HAS_SCORES} AS scored FROM boards b WHERE b.id = $1 FOR UPDATE`,
        [fields.id],
      );
      if (!current) return null;
      if (current.ranking !== fields.ranking && current.scored) throw new BoardHasScoresError();
      const [row] = await queryRows<{ board: BoardJson; now: Date }>(
        manager,
        `UPDATE boards AS b
            SET name = $2, sort = $3, score_min = $4, score_max = $5, reset = $6, timezone = $7,
                authoritative = $8, max_submissions_per_minute = $9, archived = $10, ranking = $11,
                display_format = $12, unit = $13
          WHERE b.id = $1
          RETURNING ${BOARD_JSON} AS board, now() AS now`,
        boardParams(fields),
      );
      if (!row) return null;
      const end = endOpenPeriodAt(row.now);
      if (end) {
        await manager.query(
          `UPDATE board_periods p SET ends_at = $2
            WHERE p.board_id = $1 AND p.ends_at IS NULL AND ${CONTAINS_NOW}`,
          [fields.id, end],
        );
      }
      await this.audit.append(manager, {
        actorId: audit.actorId,
        action: 'boards.update',
        target: `board:${fields.id}`,
        reason: audit.changed.length > 0 ? `changed ${audit.changed.join(', ')}` : null,
      });
      return toBoard(row.board);
    });
  }

  /**
   * The board's period that contains the present moment, creating it if it does not exist yet:
   * `compute` is given the board's last period (if any) and the database's clock, and returns the
   * boundaries of the new one. Serialized per board (an advisory lock), so that two processes
   * cannot create overlapping periods.
   */
  async currentPeriod(
    boardId: string,
    compute: (last: Period | null, now: Date) => { startsAt: Date; endsAt: Date | null },
  ): Promise<Period> {
    return this.dataSource.transaction(async (manager) => {
      await lockPeriods(manager, boardId);
      const [current] = await queryRows<{ period: PeriodJson }>(
        manager,
        `SELECT ${PERIOD_JSON} AS period FROM board_periods p
          WHERE p.board_id = $1 AND ${CONTAINS_NOW}`,
        [boardId],
      );
      if (current) return toPeriod(current.period);
      const [state] = await queryRows<{ last: PeriodJson | null; now: Date }>(
        manager,
        `SELECT (SELECT ${PERIOD_JSON} FROM board_periods p WHERE p.board_id = $1
                  ORDER BY p.starts_at DESC LIMIT 1) AS last,
                now() AS now`,
        [boardId],
      );
      const { startsAt, endsAt } = compute(state!.last && toPeriod(state!.last), state!.now);
      const [created] = await queryRows<{ period: PeriodJson }>(
        manager,
        `INSERT INTO board_periods AS p (board_id, starts_at, ends_at) VALUES ($1, $2, $3)
         RETURNING ${PERIOD_JSON} AS period`,
        [boardId, startsAt, endsAt],
      );
      return toPeriod(created!.period);
    });
  }

  /** The board's period that contains the present moment, if it is materialized. */
  async periodNow(boardId: string): Promise<Period | null> {
    const [row] = await queryRows<{ period: PeriodJson }>(
      this.dataSource,
      `SELECT ${PERIOD_JSON} AS period FROM board_periods p
        WHERE p.board_id = $1 AND ${CONTAINS_NOW}`,
      [boardId],
    );
    return row ? toPeriod(row.period) : null;
  }

  async period(boardId: string, periodId: string): Promise<Period | null> {
    const [row] = await queryRows<{ period: PeriodJson }>(
      this.dataSource,
      `SELECT ${PERIOD_JSON} AS period FROM board_periods p WHERE p.board_id = $1 AND p.id = $2`,
      [boardId, periodId],
    );
    return row ? toPeriod(row.period) : null;
  }

  /** The last period that ended before `before` began. */
  async periodBefore(boardId: string, before: Period): Promise<Period | null> {
    const [row] = await queryRows<{ period: PeriodJson }>(
      this.dataSource,
      `SELECT ${PERIOD_JSON} AS period FROM board_periods p
        WHERE p.board_id = $1 AND p.starts_at < $2 ORDER BY p.starts_at DESC LIMIT 1`,
      [boardId, before.startsAt],
    );
    return row ? toPeriod(row.period) : null;
  }

  /**
   * A page of the board's periods, newest first: `current` and the past periods that hold a score
   * (applied, or still pending), each with its number of players and whether it is final.
   */
  async periodsPage(
    boardId: string,
    current: Period,
    limit: number,
    beforeId: string | undefined,
  ): Promise<Array<Period & { players: number; final: boolean }>> {
    const rows = await queryRows<{ period: PeriodJson; players: string; final: boolean }>(
      this.dataSource,
      `SELECT ${PERIOD_JSON} AS period,
              (SELECT coalesce(sum(c.players), 0) FROM leaderboard_counts c
                WHERE c.period_id = p.id)::text AS players,
              ${FINAL} AS final
         FROM board_periods p
        WHERE p.board_id = $1 AND ($3::bigint IS NULL OR p.id < $3)
          AND (p.id = $2 OR EXISTS (SELECT 1 FROM user_stats s WHERE s.period_id = p.id AND s.total_scores > 0)
               OR EXISTS (SELECT 1 FROM scores s WHERE s.period_id = p.id
                             AND s.applied_at IS NULL AND s.dead_at IS NULL
                             AND s.removed_at IS NULL))
        ORDER BY p.starts_at DESC
        LIMIT $4`,
      [boardId, current.id, beforeId ?? null, limit],
    );
    return rows.map((row) => ({
      ...toPeriod(row.period),
      players: Number(row.players),
      final: row.final,
    }));
  }

  async isFinal(periodId: string): Promise<boolean> {
    const [row] = await queryRows<{ final: boolean }>(
      this.dataSource,
      `SELECT ${FINAL} AS final FROM board_periods p WHERE p.id = $1`,
      [periodId],
    );
    return row?.final ?? false;
  }
}

/**
 * Whether the board `b` has a score, counted or not: a standing in one of its periods (cheap, by
 * primary key), a pending score (a partial index), or else any score of it (a scan, reached only
 * for a board with neither).
 */
const HAS_SCORES = `(
  EXISTS (SELECT 1 FROM board_periods p JOIN user_stats st ON st.period_id = p.id
           WHERE p.board_id = b.id)
  OR EXISTS (SELECT 1 FROM board_periods p JOIN scores s ON s.period_id = p.id
              WHERE p.board_id = b.id AND s.applied_at IS NULL AND s.dead_at IS NULL
                AND s.removed_at IS NULL)
  OR EXISTS (SELECT 1 FROM scores s WHERE s.board_id = b.id))`;

/** A period is final once it has ended and none of its scores is pending. */
const FINAL = `(p.ends_at IS NOT NULL AND p.ends_at <= now() AND NOT EXISTS (
  SELECT 1 FROM scores s WHERE s.period_id = p.id AND s.applied_at IS NULL AND s.dead_at IS NULL
                             AND s.removed_at IS NULL))`;

export async function lockPeriods(manager: EntityManager, boardId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
    `board-periods:${boardId}`,
  ]);
}

function boardParams(fields: BoardFields): unknown[] {
  return [
    fields.id,
    fields.name,
    fields.sort,
    fields.scoreMin,
    fields.scoreMax,
    fields.reset,
    fields.timezone,
    fields.authoritative,
    fields.maxSubmissionsPerMinute,
    fields.archived,
    fields.ranking,
    fields.displayFormat,
    fields.unit,
  ];
}

function toBoard(json: BoardJson): BoardRow {
  return {
    id: json.id,
    name: json.name,
    sort: json.sort,
    ranking: json.ranking,
    scoreMin: json.score_min,
    scoreMax: json.score_max,
    reset: json.reset,
    timezone: json.timezone,
    authoritative: json.authoritative,
    maxSubmissionsPerMinute: json.max_submissions_per_minute,
    archived: json.archived,
    displayFormat: json.display_format,
    unit: json.unit,
    createdAt: new Date(json.created_at),
  };
}

export function toPeriod(json: PeriodJson): Period {
  return {
    id: json.id,
    boardId: json.board_id,
    startsAt: new Date(json.starts_at),
    endsAt: json.ends_at === null ? null : new Date(json.ends_at),
  };
}
