import { Injectable } from '@nestjs/common';
import { BoardsService, toPeriodDto, type PeriodSelector } from '../boards/boards.service';
import type { PeriodPageDto } from '../boards/dto/board.dto';
import {
  parseUserIds,
  type BoardLeaderboardDto,
  type BoardStandingDto,
} from './dto/leaderboard.dto';
import { LeaderboardService } from './leaderboard.service';

/** A board's leaderboards by period selector (`current`, `previous`, an id), with the period. */
@Injectable()
export class BoardLeaderboards {
  constructor(
    private readonly boards: BoardsService,
    private readonly leaderboard: LeaderboardService,
  ) {}

  /** A page of the leaderboard or, with `users`, the entries of those players only. */
  async page(
    boardId: string,
    selector: PeriodSelector = 'current',
    { limit = 10, offset = 0, users }: { limit?: number; offset?: number; users?: string },
  ): Promise<BoardLeaderboardDto> {
    const board = await this.boards.get(boardId);
    const period = await this.boards.period(board, selector);
    const [page, state] = await Promise.all([
      users === undefined
        ? this.leaderboard.page(board, period, limit, offset)
        : this.leaderboard.players(board, period, parseUserIds(users)),
      this.boards.periodDto(period),
    ]);
    return { ...page, period: state };
  }

  async around(
    boardId: string,
    selector: PeriodSelector = 'current',
    userId: string,
    { radius = 5 }: { radius?: number },
  ): Promise<BoardStandingDto> {
    const board = await this.boards.get(boardId);
    const period = await this.boards.period(board, selector);
    const [standing, state] = await Promise.all([
      this.leaderboard.around(board, period, userId, radius),
      this.boards.periodDto(period),
    ]);
    return { ...standing, period: state };
  }

  /** The current period and every past one with a score, newest first, each with its top 3. */
  async periods(boardId: string, limit: number, cursor?: string): Promise<PeriodPageDto> {
    const board = await this.boards.get(boardId);
    const rows = await this.boards.periods(board, limit + 1, cursor);
    const items = await Promise.all(
      rows.slice(0, limit).map(async (period) => ({
        ...toPeriodDto(period),
        players: period.players,
        final: period.final,
        top: (await this.leaderboard.page(board, period, 3, 0)).items,
      })),
    );
    return { items, next_cursor: rows.length > limit ? items[items.length - 1]!.id : null };
  }
}
