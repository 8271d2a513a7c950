import { Body, Controller, Get, Headers, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import { ListScoresQuery, ScoreItemDto, ScorePageDto, SubmittedScoreDto } from './dto/score.dto';
import { SubmitScoreDto } from './dto/submit-score.dto';
import { resolveIdempotencyKey } from './idempotency-key';
import { ScoresService } from './scores.service';

type HeaderSetter = { header(name: string, value: string): unknown };

@ApiTags('scores')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller()
export class ScoresController {
  constructor(private readonly scores: ScoresService) {}

  @Post('scores')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Instead of idempotency_key in the body',
  })
  @ApiCreatedResponse({
    type: SubmittedScoreDto,
    description: 'New, or a replay of the same key (then with header Idempotent-Replayed: true)',
  })
  async submit(
    @CurrentUser() user: AuthenticatedUser,
    @Body() dto: SubmitScoreDto,
    @Headers('idempotency-key') headerKey: string | undefined,
    @Res({ passthrough: true }) response: HeaderSetter,
  ): Promise<SubmittedScoreDto> {
    const key = resolveIdempotencyKey(dto.idempotency_key, headerKey);
    const { body, replayed } = await this.scores.submit(user.id, dto.value, key, dto.board);
    if (replayed) response.header('Idempotent-Replayed', 'true');
    return body;
  }

  @Get('me/scores')
  @ApiOkResponse({ type: ScorePageDto })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ListScoresQuery,
  ): Promise<ScorePageDto> {
    return this.scores.list(user.id, query.limit, query.cursor, query.board);
  }

  @Get('me/scores/:id')
  @ApiOkResponse({ type: ScoreItemDto })
  @ApiNotFoundResponse({ description: 'No such score among the caller’s' })
  get(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<ScoreItemDto> {
    return this.scores.get(user.id, id);
  }
}
