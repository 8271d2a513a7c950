import {
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ACCOUNT_SUSPENDED } from '../auth/auth.guard';
import { BoardsService, GLOBAL_BOARD } from '../boards/boards.service';
import { ValidationFailed } from '../common/api-exception.filter';
import { AppConfig } from '../config/app-config';
import { ScoreEventTransport } from '../events/score-event-transport';
import { UpdatesBus } from '../live/updates-bus';
import { Metrics } from '../metrics/metrics.service';
import type { ScoreItemDto, ScorePageDto, SubmittedScoreDto } from './dto/score.dto';
import { UsersRepository } from '../users/users.repository';
import {
  PERIOD_ENDED,
  ScoresRepository,
  UnknownUserError,
  type StoredScore,
  type Submission,
} from './scores.repository';
import type { Submitter } from './submitter.guard';
import { keysetPage } from '../common/keyset-page';

export type SubmitInput = {
  value: number;
  idempotencyKey: string;
  boardId?: string;
  /** With an API key: the player the score is for. */
  userId?: string | number | null;
};

const DEFAULT_PAGE_SIZE = 20;

@Injectable()
export class ScoresService {
  private readonly logger = new Logger(ScoresService.name);

  constructor(
    private readonly scores: ScoresRepository,
    private readonly events: ScoreEventTransport,
    private readonly updates: UpdatesBus,
    private readonly boards: BoardsService,
    private readonly users: UsersRepository,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  /**
   * Stores the score once per (player, key), in the board's period that holds the moment it is
   * accepted. The player is the token's, or, for an API key, `user_id` (404 for no such user, 403
   * for a suspended one), on a board the key may write to (403). A repeated key, with any value,
   * answers with the score first stored under it and `replayed: true`, whatever board it named
   * and before any board rule is checked, and publishes nothing. Then: 404 for an unknown or
   * archived board, 400 for a value out of its range, 403 for a player's token on an
   * authoritative board, 429 past the board's max_submissions_per_minute.
   *
   * The score is committed before the event is published; if publishing fails (Redis away) the
   * answer is still 201, and the sweeper delivers the score from PostgreSQL.
   */
  async submit(
    submitter: Submitter,
    { value, idempotencyKey, boardId = GLOBAL_BOARD, userId: named }: SubmitInput,
  ): Promise<{ body: SubmittedScoreDto; replayed: boolean }> {
    const userId = await this.player(submitter, named);
    if (submitter.kind === 'api-key' && submitter.key.boards?.includes(boardId) === false) {
      throw new ForbiddenException(`This API key may not submit to board ${boardId}`);
    }
    const original = await this.scores.findByKey(userId, idempotencyKey);
    if (original) return this.replayed(original);
    for (let attempt = 1; ; attempt++) {
      const { board, period } = await this.boards.forSubmission(boardId);
      if (value < board.scoreMin || value > board.scoreMax) {
        const message = `value must be between ${board.scoreMin} and ${board.scoreMax}`;
        throw new ValidationFailed([{ field: 'value', message }]);
      }
      if (board.authoritative && submitter.kind === 'player') {
        throw new ForbiddenException('This board accepts scores from trusted servers only');
      }
      const submission: Submission = {
        userId,
        idempotencyKey,
        value,
        period,
        apiKeyId: submitter.kind === 'api-key' ? submitter.key.id : null,
        sweepAfterMs: this.config.sweepDelayMs,
      };
      const outcome = await (
        board.maxSubmissionsPerMinute > 0
          ? this.scores.insertWithinRate(submission, board.maxSubmissionsPerMinute)
          : this.scores.insertIfAbsent(submission)
      ).catch((error: unknown) => {
        if (!(error instanceof UnknownUserError)) throw error;
        // The account was deleted meanwhile: as if its token, or the user_id, named nobody.
        throw submitter.kind === 'player'
          ? new UnauthorizedException('Invalid or expired token')
          : new NotFoundException('User not found');
      });
      // The board reset between choosing the period and inserting: choose again.
      if (outcome === PERIOD_ENDED) {
        if (attempt < 3) continue;
        throw new ServiceUnavailableException({
          message: 'The board is changing periods; try again',
          retryAfterSeconds: 1,
        });
      }
      if ('limited' in outcome) {
        throw new HttpException(
          {
            message: `At most ${board.maxSubmissionsPerMinute} submissions per minute on this board; try again in ${outcome.retryAfterSeconds} seconds`,
            retryAfterSeconds: outcome.retryAfterSeconds,
          },
          HttpStatus.TOO_MANY_REQUESTS,
        );
      }
      if (!outcome.created) return this.replayed(outcome.score);
      this.metrics.scoresAccepted.inc();
      await this.publish(outcome.score, userId);
      return { body: toSubmitted(outcome.score, 'Score submitted successfully'), replayed: false };
    }
  }

  /** The player a submission is for: the token's own, or the one an API key names. */
  private async player(
    submitter: Submitter,
    named: string | number | null | undefined,
  ): Promise<string> {
    if (submitter.kind === 'player') {
      if (named !== undefined) {
        throw new ValidationFailed([
          { field: 'user_id', message: 'user_id is only accepted with an API key' },
        ]);
      }
      return submitter.userId;
    }
    if (named === undefined || named === null) {
      throw new ValidationFailed([
        { field: 'user_id', message: 'user_id is required with an API key' },
      ]);
    }
    const userId = String(named);
    const access = /^\d{1,18}$/.test(userId) ? await this.users.access(userId) : null;
    if (!access) throw new NotFoundException('User not found');
    if (access.suspended) throw new ForbiddenException(ACCOUNT_SUSPENDED);
    return userId;
  }

  private replayed(score: StoredScore): { body: SubmittedScoreDto; replayed: boolean } {
    this.metrics.scoresReplayed.inc();
    return { body: toSubmitted(score, 'Score already submitted'), replayed: true };
  }

  private async publish(score: StoredScore, userId: string): Promise<void> {
    try {
      await this.events.publish({ scoreId: score.id, userId });
      this.metrics.eventsPublished.inc();
      // The owner's pending count changed: their open streams get fresh stats.
      await this.updates.publish({ type: 'stats', userId, boardId: score.boardId });
    } catch (error) {
      this.metrics.eventsPublishFailed.inc();
      this.logger.warn(
        { err: error, scoreId: score.id },
        'Publishing a score failed; the sweeper will deliver it',
      );
    }
  }

  async list(
    userId: string,
    limit = DEFAULT_PAGE_SIZE,
    cursor?: string,
    boardId?: string,
  ): Promise<ScorePageDto> {
    // One extra row tells whether another page follows.
    const rows = await this.scores.listForUser(userId, limit + 1, cursor, boardId);
    return keysetPage(rows, limit, toItem);
  }

  async get(userId: string, id: string): Promise<ScoreItemDto> {
    const score = /^\d{1,18}$/.test(id) ? await this.scores.findForUser(userId, id) : null;
    if (!score) throw new NotFoundException('Score not found');
    return toItem(score);
  }
}

function toItem(score: StoredScore): ScoreItemDto {
  return {
    id: score.id,
    value: score.value,
    board: score.boardId,
    created_at: score.createdAt.toISOString(),
    status: score.status,
  };
}

function toSubmitted(score: StoredScore, message: SubmittedScoreDto['message']): SubmittedScoreDto {
  return { id: score.id, value: score.value, created_at: score.createdAt.toISOString(), message };
}
