import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import { ListScoresQuery, ScoreItemDto, ScorePageDto, SubmittedScoreDto } from './dto/score.dto';
import { LookupScoresDto, ScoreLookupDto } from './dto/lookup-scores.dto';
import { SubmitScoreDto } from './dto/submit-score.dto';
import { resolveIdempotencyKey } from './idempotency-key';
import { ScoresService } from './scores.service';
import { CurrentSubmitter, SubmitterGuard, type Submitter } from './submitter.guard';

type HeaderSetter = { header(name: string, value: string): unknown };

@ApiTags('scores')
@ApiBearerAuth()
@Controller()
export class ScoresController {
  constructor(private readonly scores: ScoresService) {}

  @Post('scores')
  @UseGuards(SubmitterGuard)
  @ApiSecurity('api-key')
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
    @CurrentSubmitter() submitter: Submitter,
    @Body() dto: SubmitScoreDto,
    @Headers('idempotency-key') headerKey: string | undefined,
    @Res({ passthrough: true }) response: HeaderSetter,
  ): Promise<SubmittedScoreDto> {
    const { body, replayed } = await this.scores.submit(submitter, {
      value: dto.value,
      idempotencyKey: resolveIdempotencyKey(dto.idempotency_key, headerKey),
      boardId: dto.board,
      userId: dto.user_id,
      metadata: dto.metadata,
    });
    if (replayed) response.header('Idempotent-Replayed', 'true');
    return body;
  }

  @Post('scores/lookup')
  @HttpCode(200)
  @UseGuards(SubmitterGuard)
  @ApiSecurity('api-key')
  @ApiOkResponse({
    type: ScoreLookupDto,
    description: 'For each key asked, in order, the score stored under it or null',
  })
  lookup(
    @CurrentSubmitter() submitter: Submitter,
    @Body() dto: LookupScoresDto,
  ): Promise<ScoreLookupDto> {
    return this.scores.lookup(submitter, dto.idempotency_keys, dto.user_id);
  }

  @Get('me/scores')
  @UseGuards(AuthGuard)
  @ApiOkResponse({ type: ScorePageDto })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ListScoresQuery,
  ): Promise<ScorePageDto> {
    return this.scores.list(user.id, query.limit, query.cursor, query.board);
  }

  @Get('me/scores/:id')
  @UseGuards(AuthGuard)
  @ApiOkResponse({ type: ScoreItemDto })
  @ApiNotFoundResponse({ description: 'No such score among the caller’s' })
  get(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<ScoreItemDto> {
    return this.scores.get(user.id, id);
  }
}
