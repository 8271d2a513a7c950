import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import { HighScoreDto, MyBoardsDto, StandingQuery, StatsDto } from './dto/stats.dto';
import { StatsService } from './stats.service';

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('me')
export class StatsController {
  constructor(private readonly service: StatsService) {}

  @Get('high-score')
  @ApiOkResponse({ type: HighScoreDto })
  highScore(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: StandingQuery,
  ): Promise<HighScoreDto> {
    return this.service.highScore(user.id, query.board, query.period);
  }

  @Get('stats')
  @ApiOkResponse({ type: StatsDto })
  stats(@CurrentUser() user: AuthenticatedUser, @Query() query: StandingQuery): Promise<StatsDto> {
    return this.service.stats(user.id, query.board, query.period);
  }

  @Get('boards')
  @ApiOkResponse({ type: MyBoardsDto })
  boards(@CurrentUser() user: AuthenticatedUser): Promise<MyBoardsDto> {
    return this.service.myBoards(user.id);
  }
}
