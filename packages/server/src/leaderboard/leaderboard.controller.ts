import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import {
  LeaderboardPageDto,
  LeaderboardQuery,
  MyStandingDto,
  MyStandingQuery,
} from './dto/leaderboard.dto';
import { LeaderboardService } from './leaderboard.service';

@ApiTags('leaderboard')
@Controller('leaderboard')
export class LeaderboardController {
  constructor(private readonly leaderboard: LeaderboardService) {}

  @Get()
  @ApiOkResponse({ type: LeaderboardPageDto })
  page(@Query() query: LeaderboardQuery): Promise<LeaderboardPageDto> {
    return this.leaderboard.page(query.limit, query.offset);
  }

  @Get('me')
  @ApiBearerAuth()
  @UseGuards(AuthGuard)
  @ApiOkResponse({ type: MyStandingDto })
  me(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: MyStandingQuery,
  ): Promise<MyStandingDto> {
    return this.leaderboard.around(user.id, query.radius);
  }
}
