import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthGuard } from '../auth/auth.guard';
import { PeriodPageDto, PeriodsQuery } from '../boards/dto/board.dto';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import {
  BoardLeaderboardDto,
  BoardLeaderboardQuery,
  BoardStandingDto,
  BoardStandingQuery,
  LeaderboardPageDto,
  LeaderboardQuery,
  MyStandingDto,
  MyStandingQuery,
} from './dto/leaderboard.dto';
import { BoardLeaderboards } from './board-leaderboards';
import { PublicLeaderboards } from './public-leaderboards';

/**
 * The global board's current leaderboard, as before boards existed. Public pages may come from the
 * read replica; a player's own standing always comes from the primary (see PublicLeaderboards).
 */
@ApiTags('leaderboard')
@Controller('leaderboard')
export class LeaderboardController {
  constructor(
    private readonly leaderboards: BoardLeaderboards,
    private readonly publicLeaderboards: PublicLeaderboards,
  ) {}

  @Get()
  @ApiOkResponse({ type: LeaderboardPageDto })
  async page(@Query() query: LeaderboardQuery): Promise<LeaderboardPageDto> {
    const { items, total_players } = await this.publicLeaderboards.page('global', 'current', query);
    return { items, total_players };
  }

  @Get('me')
  @ApiBearerAuth()
  @UseGuards(AuthGuard)
  @ApiOkResponse({ type: MyStandingDto })
  async me(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: MyStandingQuery,
  ): Promise<MyStandingDto> {
    const { rank, items } = await this.leaderboards.around('global', 'current', user.id, query);
    return { rank, items };
  }
}

/** Every board's leaderboards, by period, and its archive of periods. */
@ApiTags('boards')
@ApiNotFoundResponse({ description: 'Board not found, or no such period' })
@Controller('boards/:board')
export class BoardLeaderboardController {
  constructor(
    private readonly leaderboards: BoardLeaderboards,
    private readonly publicLeaderboards: PublicLeaderboards,
  ) {}

  @Get('leaderboard')
  @ApiOkResponse({ type: BoardLeaderboardDto })
  page(
    @Param('board') board: string,
    @Query() query: BoardLeaderboardQuery,
  ): Promise<BoardLeaderboardDto> {
    return this.publicLeaderboards.page(board, query.period, query);
  }

  @Get('leaderboard/me')
  @ApiBearerAuth()
  @UseGuards(AuthGuard)
  @ApiOkResponse({ type: BoardStandingDto })
  me(
    @Param('board') board: string,
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: BoardStandingQuery,
  ): Promise<BoardStandingDto> {
    return this.leaderboards.around(board, query.period, user.id, query);
  }

  @Get('periods')
  @ApiOkResponse({ type: PeriodPageDto })
  periods(@Param('board') board: string, @Query() query: PeriodsQuery): Promise<PeriodPageDto> {
    return this.publicLeaderboards.periods(board, query.limit ?? 20, query.cursor);
  }
}
