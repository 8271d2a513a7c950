import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { ACCOUNT_SUSPENDED } from '../auth/auth.guard';
import { BoardsService } from '../boards/boards.service';
import { ValidationFailed } from '../common/api-exception.filter';
import { keysetPage } from '../common/keyset-page';
import { UsersRepository } from '../users/users.repository';
import type { Claimer } from './claimer.guard';
import type {
  ClaimDto,
  MyResultsPageDto,
  PeriodResultsPageDto,
  MyResultsQuery,
  ResultsQuery,
} from './dto/results.dto';
import { PeriodResultsRepository } from './period-results.repository';

const ID = /^\d{1,18}$/;

/** Period results and reward claims (SPEC 2d). */
@Injectable()
export class ResultsService {
  constructor(
    private readonly results: PeriodResultsRepository,
    private readonly boards: BoardsService,
    private readonly users: UsersRepository,
  ) {}

  /** The period's current results by rank; 404 for an unknown board or period, or one not final. */
  async periodResults(
    boardId: string,
    periodSelector: string,
    query: ResultsQuery,
  ): Promise<PeriodResultsPageDto> {
    const board = await this.boards.get(boardId);
    const period = await this.boards.period(board, periodSelector);
    const limit = query.limit ?? 20;
    const page = await this.results.page(period.id, Number(query.cursor ?? 0), limit + 1);
    if (!page) throw new NotFoundException('This period has no results yet: it is not final');
    const items = page.items.slice(0, limit);
    return {
      items: items.map((item) => ({
        id: item.id,
        rank: item.rank,
        user_id: item.userId,
        display_name: item.displayName,
        value: item.value,
        achieved_at: item.achievedAt.toISOString(),
        claimed_at: item.claimedAt?.toISOString() ?? null,
      })),
      revision: page.revision,
      next_cursor: page.items.length > limit ? String(items[items.length - 1]!.rank) : null,
    };
  }

  async mine(userId: string, query: MyResultsQuery): Promise<MyResultsPageDto> {
    const limit = query.limit ?? 20;
    const claimed = query.claimed === undefined ? undefined : query.claimed === 'true';
    const rows = await this.results.mine(userId, claimed, limit + 1, query.cursor);
    return keysetPage(rows, limit, (row) => ({
      id: row.id,
      board: row.boardId,
      period: {
        id: row.periodId,
        starts_at: row.startsAt.toISOString(),
        ends_at: row.endsAt.toISOString(),
      },
      revision: row.revision,
      rank: row.rank,
      value: row.value,
      achieved_at: row.achievedAt.toISOString(),
      claimed_at: row.claimedAt?.toISOString() ?? null,
    }));
  }

  /** Claims the placement's reward: `first` once, whatever the concurrency. */
  async claim(
    resultId: string,
    claimer: Claimer,
    userIdField: string | number | null | undefined,
  ): Promise<ClaimDto> {
    const userId = await this.playerOf(claimer, userIdField);
    const claimed = ID.test(resultId) ? await this.results.claim(resultId, userId) : null;
    if (!claimed) throw new NotFoundException('Result not found');
    return { claimed_at: claimed.claimedAt.toISOString(), first: claimed.first };
  }

  /** The player a claim is for: the token's, or the API key's `user_id` (an existing player). */
  private async playerOf(
    claimer: Claimer,
    userIdField: string | number | null | undefined,
  ): Promise<string> {
    const given = userIdField === undefined || userIdField === null ? null : String(userIdField);
    if (claimer.kind === 'player') {
      if (given !== null) {
        throw new ValidationFailed([
          { field: 'user_id', message: 'user_id is only accepted with an API key' },
        ]);
      }
      return claimer.userId;
    }
    if (given === null) {
      throw new ValidationFailed([
        { field: 'user_id', message: 'user_id is required with an API key' },
      ]);
    }
    const user = ID.test(given) ? await this.users.findById(given) : null;
    if (!user) throw new NotFoundException('User not found');
    if (user.bannedAt) throw new ForbiddenException(ACCOUNT_SUSPENDED);
    return user.id;
  }
}
