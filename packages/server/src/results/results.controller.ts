import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import { ClaimerGuard, CurrentClaimer, type Claimer } from './claimer.guard';
import {
  ClaimDto,
  ClaimResultDto,
  MyResultsPageDto,
  MyResultsQuery,
  PeriodResultsPageDto,
  ResultsQuery,
} from './dto/results.dto';
import { ResultsService } from './results.service';

@ApiTags('boards')
@Controller('boards/:board/periods/:period/results')
export class PeriodResultsController {
  constructor(private readonly service: ResultsService) {}

  /** The final placements of a period (written once it became final), by rank. */
  @Get()
  @ApiOkResponse({ type: PeriodResultsPageDto })
  @ApiNotFoundResponse({ description: 'Unknown board or period, or the period is not final' })
  results(
    @Param('board') board: string,
    @Param('period') period: string,
    @Query() query: ResultsQuery,
  ): Promise<PeriodResultsPageDto> {
    return this.service.periodResults(board, period, query);
  }
}

@ApiTags('me')
@Controller('me/results')
export class MyResultsController {
  constructor(private readonly service: ResultsService) {}

  /** The caller's placements in final periods, newest first. */
  @Get()
  @ApiBearerAuth()
  @UseGuards(AuthGuard)
  @ApiOkResponse({ type: MyResultsPageDto })
  mine(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: MyResultsQuery,
  ): Promise<MyResultsPageDto> {
    return this.service.mine(user.id, query);
  }

  /** Claims the placement's reward: `first: true` exactly once. */
  @Post(':id/claim')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiSecurity('api-key')
  @UseGuards(ClaimerGuard)
  @ApiOkResponse({ type: ClaimDto })
  @ApiNotFoundResponse({ description: 'No such placement of this player' })
  claim(
    @CurrentClaimer() claimer: Claimer,
    @Param('id') id: string,
    @Body() body: ClaimResultDto,
  ): Promise<ClaimDto> {
    return this.service.claim(id, claimer, body.user_id);
  }
}
