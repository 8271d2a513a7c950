import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { ValidationFailed } from '../common/api-exception.filter';
import { AppConfig } from '../config/app-config';
import { NotOnReplica } from '../database/read-replica';
import {
  BoardHasScoresError,
  BoardsRepository,
  BoardTakenError,
  type BoardFields,
  type BoardRow,
  type Period,
} from './boards.repository';
import type { BoardDto, CreateBoardDto, PeriodDto, UpdateBoardDto } from './dto/board.dto';
import { ResetSchedule, resetProblem, timezoneProblem } from './reset-schedule';

export const GLOBAL_BOARD = 'global';

/** A board as the rest of the server uses it: its effective range resolved. */
export type Board = BoardRow & { scoreMin: number; scoreMax: number };

/** `current`, `previous`, or a period id (SPEC section 2a). */
export type PeriodSelector = string;

/**
 * Boards and their periods: validation of their rules, and which period is which. A period is
 * created when first needed (a score accepted in it, a read of the current one, the upkeep that
 * keeps every board's current period ready): from the end of the last one, or the board's
 * creation, to the next fire time of its reset, skipping periods nobody could have scored in.
 */
@Injectable()
export class BoardsService {
  constructor(
    private readonly boards: BoardsRepository,
    private readonly config: AppConfig,
  ) {}

  /** The board, archived ones included; 404 for an unknown one. */
  async get(id: string): Promise<Board> {
    const board = BOARD_ID.test(id) ? await this.boards.find(id) : null;
    if (!board) throw new NotFoundException('Board not found');
    return this.resolved(board);
  }

  /** The board that accepts scores now, and its current period; 404 if unknown or archived. */
  async forSubmission(id: string): Promise<{ board: Board; period: Period }> {
    const found = BOARD_ID.test(id) ? await this.boards.findWithCurrentPeriod(id) : null;
    if (!found || found.board.archived) throw new NotFoundException('Board not found');
    const board = this.resolved(found.board);
    return { board, period: found.period ?? (await this.materialize(board)) };
  }

  async list(): Promise<Board[]> {
    return (await this.boards.list()).map((board) => this.resolved(board));
  }

  /** Every board that is not archived, with its current period (created where missing). */
  async activeWithCurrentPeriods(): Promise<Array<{ board: Board; period: Period }>> {
    const rows = await this.boards.listWithCurrentPeriods();
    return Promise.all(
      rows.map(async ({ board, period }) => ({
        board: this.resolved(board),
        period: period ?? (await this.materialize(board)),
      })),
    );
  }

  async currentPeriod(board: BoardRow): Promise<Period> {
    return (await this.boards.periodNow(board.id)) ?? this.materialize(board);
  }

  protected materialize(board: BoardRow): Promise<Period> {
    const schedule = new ResetSchedule(board.reset, board.timezone);
    return this.boards.currentPeriod(board.id, (last, now) => {
      const base = last?.endsAt ?? board.createdAt;
      const fired = schedule.previous(now);
      return {
        startsAt: fired && fired > base ? fired : base,
        endsAt: schedule.next(now),
      };
    });
  }

  /** `current`, `previous` or a period id of the board; 404 when there is none. */
  async period(board: Board, selector: PeriodSelector = 'current'): Promise<Period> {
    const current = await this.currentPeriod(board);
    if (selector === 'current') return current;
    const period =
      selector === 'previous'
        ? await this.boards.periodBefore(board.id, current)
        : /^\d{1,18}$/.test(selector)
          ? await this.boards.period(board.id, selector)
          : null;
    if (!period) throw new NotFoundException('Period not found');
    return period;
  }

  async periodDto(period: Period): Promise<PeriodDto & { final: boolean }> {
    return { ...toPeriodDto(period), final: await this.boards.isFinal(period.id) };
  }

  async create(dto: CreateBoardDto, actorId: string): Promise<BoardDto> {
    const fields: BoardFields = {
      id: dto.id,
      name: dto.name,
      sort: dto.sort ?? 'desc',
      ranking: dto.ranking ?? 'best',
      scoreMin: dto.score_min ?? this.config.scoreMin,
      scoreMax: dto.score_max ?? this.config.scoreMax,
      reset: dto.reset ?? 'never',
      timezone: dto.timezone ?? 'UTC',
      authoritative: dto.authoritative ?? false,
      maxSubmissionsPerMinute: dto.max_submissions_per_minute ?? 0,
      archived: dto.archived ?? false,
      displayFormat: dto.display_format ?? 'integer',
      unit: dto.unit || null,
    };
    this.assertValid(fields);
    // global exists from the start (and ranks by best, which its CHECK would say first).
    if (dto.id === GLOBAL_BOARD)
      throw new ConflictException(`A board with id ${dto.id} already exists`);
    try {
      return this.toDto(await this.boards.create(fields, actorId));
    } catch (error) {
      if (error instanceof BoardTakenError) {
        throw new ConflictException(`A board with id ${dto.id} already exists`);
      }
      throw error;
    }
  }

  /**
   * Changes what PATCH may change. A new range applies to new submissions; a new reset or
   * timezone from the next period on, except that an open-ended period (a board that never
   * reset) ends at the new schedule's next fire time.
   */
  async update(id: string, dto: UpdateBoardDto, actorId: string): Promise<BoardDto> {
    const board = await this.get(id);
    const fields: BoardFields = {
      id: board.id,
      name: dto.name ?? board.name,
      sort: board.sort,
      ranking: dto.ranking ?? board.ranking,
      scoreMin: dto.score_min ?? board.scoreMin,
      scoreMax: dto.score_max ?? board.scoreMax,
      reset: dto.reset ?? board.reset,
      timezone: dto.timezone ?? board.timezone,
      authoritative: dto.authoritative ?? board.authoritative,
      maxSubmissionsPerMinute: dto.max_submissions_per_minute ?? board.maxSubmissionsPerMinute,
      archived: dto.archived ?? board.archived,
      displayFormat: dto.display_format ?? board.displayFormat,
      unit: dto.unit === undefined ? board.unit : dto.unit || null,
    };
    if (id === GLOBAL_BOARD) {
      if (fields.reset !== 'never') invalid('reset', 'the global board never resets');
      if (fields.archived) invalid('archived', 'the global board cannot be archived');
      if (fields.ranking !== 'best') invalid('ranking', 'the global board always ranks by best');
      const unchangedRange = dto.score_min === undefined && dto.score_max === undefined;
      // global's range stays "the configured one" until a PATCH sets it.
      if (unchangedRange) Object.assign(fields, { scoreMin: null, scoreMax: null });
    }
    this.assertValid(fields);
    const schedule = new ResetSchedule(fields.reset, fields.timezone);
    const changed = Object.keys(dto).filter(
      (field) => dto[field as keyof UpdateBoardDto] !== undefined,
    );
    const updated = await this.boards
      .update(fields, (now) => schedule.next(now), { actorId, changed })
      .catch((error: unknown) => {
        if (error instanceof BoardHasScoresError) {
          throw new ConflictException('Board already has scores');
        }
        throw error;
      });
    if (!updated) throw new NotFoundException('Board not found');
    return this.toDto(updated);
  }

  async toDto(row: BoardRow): Promise<BoardDto> {
    const board = this.resolved(row);
    return {
      id: board.id,
      name: board.name,
      sort: board.sort,
      ranking: board.ranking,
      score_min: board.scoreMin,
      score_max: board.scoreMax,
      reset: board.reset,
      timezone: board.timezone,
      authoritative: board.authoritative,
      max_submissions_per_minute: board.maxSubmissionsPerMinute,
      archived: board.archived,
      display_format: board.displayFormat,
      unit: board.unit,
      created_at: board.createdAt.toISOString(),
      current_period: toPeriodDto(await this.currentPeriod(board)),
    };
  }

  async periods(board: Board, limit: number, cursor: string | undefined) {
    const current = await this.currentPeriod(board);
    return this.boards.periodsPage(board.id, current, limit, cursor);
  }

  private resolved(board: BoardRow): Board {
    return {
      ...board,
      scoreMin: board.scoreMin ?? this.config.scoreMin,
      scoreMax: board.scoreMax ?? this.config.scoreMax,
    };
  }

  /** Refuses the fields with every problem they have at once, each naming its field. */
  private assertValid(fields: BoardFields): void {
    const problems = [
      { field: 'reset', message: resetProblem(fields.reset) },
      { field: 'timezone', message: timezoneProblem(fields.timezone) },
      {
        field: 'score_max',
        message:
          fields.scoreMin !== null && fields.scoreMax !== null && fields.scoreMin > fields.scoreMax
            ? 'score_max must not be below score_min'
            : undefined,
      },
    ].filter((problem): problem is { field: string; message: string } => !!problem.message);
    if (problems.length > 0) throw new ValidationFailed(problems);
  }
}

const BOARD_ID = /^[a-z0-9-]{1,64}$/;

function invalid(field: string, message: string): never {
  throw new ValidationFailed([{ field, message }]);
}

/**
 * The boards as a read replica holds them: the same reads, but a period that does not exist there
 * is never created (the replica refuses writes, and the primary may have it already).
 */
export class ReplicaBoardsService extends BoardsService {
  protected override materialize(board: BoardRow): Promise<Period> {
    return Promise.reject(
      new NotOnReplica(`No current period of board ${board.id} on the replica`),
    );
  }
}

export function toPeriodDto(period: Period): PeriodDto {
  return {
    id: period.id,
    starts_at: period.startsAt.toISOString(),
    ends_at: period.endsAt?.toISOString() ?? null,
  };
}
