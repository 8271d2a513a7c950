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
import type { ScoreLookupDto } from './dto/lookup-scores.dto';
import type { ScoreItemDto, ScorePageDto, SubmittedScoreDto } from './dto/score.dto';
import {
  KEY_REVOKED,
  PERIOD_ENDED,
  ScoresRepository,
  UnknownUserError,
  type StoredScore,
} from './scores.repository';
import { SubmissionBatcher } from './submission-batcher';
import type { Submitter } from './submitter.guard';
import { keysetPage } from '../common/keyset-page';

export type SubmitInput = {
  value: number;
  idempotencyKey: string;
  boardId?: string;
  /** With an API key: the player the score is for. */
  userId?: string | number | null;
  /** The client's context (validated: see score-metadata.ts). */
  metadata?: Record<string, unknown>;
};

const DEFAULT_PAGE_SIZE = 20;

@Injectable()
export class ScoresService {
  private readonly logger = new Logger(ScoresService.name);

  constructor(
    private readonly scores: ScoresRepository,
    private readonly batcher: SubmissionBatcher,
    private readonly events: ScoreEventTransport,
    private readonly updates: UpdatesBus,
    private readonly boards: BoardsService,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  /**
   * Stores the score once per (player, key), in the board's period that holds the moment it is
   * accepted. The player is the token's, or, for an API key, `user_id` (404 for no such user, 403
   * for a suspended one), on a board the key may write to (403). A repeated key, with any value,
   * answers with the score first stored under it and `replayed: true`, whatever board it named
   * and before any board rule is checked, and publishes nothing (through an API key, only when
   * the key may write that score's board: 403 otherwise). A key revoked after the guard let it
   * in stores nothing (401; see ScoresRepository's SUBMIT). Then: 404 for an unknown or
   * archived board, 400 for a value out of its range, 403 for a player's token on an
   * authoritative board, 429 past the board's max_submissions_per_minute.
   *
   * The score is committed before the event is published; if publishing fails (Redis away) the
   * answer is still 201, and the sweeper delivers the score from PostgreSQL.
   */
  async submit(
    submitter: Submitter,
    { value, idempotencyKey, boardId = GLOBAL_BOARD, userId: named, metadata }: SubmitInput,
  ): Promise<{ body: SubmittedScoreDto; replayed: boolean }> {
    const metadataJson = metadata === undefined ? null : JSON.stringify(metadata);
    const userId = this.player(submitter, named);
    if (submitter.kind === 'api-key' && submitter.key.boards?.includes(boardId) === false) {
      throw new ForbiddenException(`This API key may not submit to board ${boardId}`);
    }
    const apiKeyId = submitter.kind === 'api-key' ? submitter.key.id : null;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.batcher
        .submit({
          userId,
          idempotencyKey,
          boardId,
          value,
          apiKeyId,
          metadata: metadataJson,
          defaultRange: { min: this.config.scoreMin, max: this.config.scoreMax },
          sweepAfterMs: this.config.sweepDelayMs,
        })
        .catch((error: unknown) => this.refuseUnknownUser(submitter, error));
      if (outcome.keyRevoked) throw this.revokedKey();
      if (outcome.player === 'missing')
        this.refuseUnknownUser(submitter, new UnknownUserError(userId));
      if (outcome.player === 'suspended') throw new ForbiddenException(ACCOUNT_SUSPENDED);
      if (outcome.existing) return this.replayed(outcome.existing, submitter);
      const { board } = outcome;
      if (!board || board.archived) throw new NotFoundException('Board not found');
      if (value < board.scoreMin || value > board.scoreMax) {
        const message = `value must be between ${board.scoreMin} and ${board.scoreMax}`;
        throw new ValidationFailed([{ field: 'value', message }]);
      }
      if (board.authoritative && submitter.kind === 'player') {
        throw new ForbiddenException('This board accepts scores from trusted servers only');
      }
      let inserted = outcome.inserted;
      if (board.maxSubmissionsPerMinute > 0) {
        const { period } = await this.boards.forSubmission(boardId);
        const limited = await this.scores
          .insertWithinRate(
            {
              userId,
              idempotencyKey,
              value,
              period,
              apiKeyId,
              sweepAfterMs: this.config.sweepDelayMs,
              metadata: metadataJson,
            },
            board.maxSubmissionsPerMinute,
          )
          .catch((error: unknown) => this.refuseUnknownUser(submitter, error));
        if (limited === KEY_REVOKED) throw this.revokedKey();
        if (limited === PERIOD_ENDED) {
          if (attempt < 3) continue;
          throw this.changingPeriods();
        }
        if ('limited' in limited) {
          throw new HttpException(
            {
              message: `At most ${board.maxSubmissionsPerMinute} submissions per minute on this board; try again in ${limited.retryAfterSeconds} seconds`,
              retryAfterSeconds: limited.retryAfterSeconds,
            },
            HttpStatus.TOO_MANY_REQUESTS,
          );
        }
        if (!limited.created) return this.replayed(limited.score, submitter);
        inserted = limited.score;
      } else if (!inserted) {
        // A concurrent copy of this submission won the insert: answer with its score.
        const winner = await this.scores.findByKey(userId, idempotencyKey);
        if (winner) return this.replayed(winner, submitter);
        // The board's current period is not materialized yet: create it, then try again.
        if (board.periodId === null && attempt < 3) {
          await this.boards.forSubmission(boardId);
          continue;
        }
        throw this.changingPeriods();
      }
      this.metrics.scoresAccepted.inc();
      await this.publish(inserted, userId);
      return { body: toSubmitted(inserted, 'Score submitted successfully'), replayed: false };
    }
  }

  /** The account was deleted (or never was): as if its token, or the user_id, named nobody. */
  private refuseUnknownUser(submitter: Submitter, error: unknown): never {
    if (!(error instanceof UnknownUserError)) throw error;
    throw submitter.kind === 'player'
      ? new UnauthorizedException('Invalid or expired token')
      : new NotFoundException('User not found');
  }

  private changingPeriods(): ServiceUnavailableException {
    return new ServiceUnavailableException({
      message: 'The board is changing periods; try again',
      retryAfterSeconds: 1,
    });
  }

  /**
   * The player a submission is for: the token's own, or the one an API key names (whether they
   * exist, 404, and are suspended, 403, the submission's statement tells).
   */
  private player(submitter: Submitter, named: string | number | null | undefined): string {
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
    if (!/^\d{1,18}$/.test(userId)) throw new NotFoundException('User not found');
    return userId;
  }

  /** The key was revoked after the guard verified it; its revoke has committed by now. */
  private revokedKey(): UnauthorizedException {
    return new UnauthorizedException('Invalid API key');
  }

  /**
   * The original score, for a repeated key. Through an API key, only when the key may write the
   * original's board: otherwise 403, revealing nothing of the original (not even that it exists
   * on another board than the one this request named).
   */
  private replayed(
    score: StoredScore,
    submitter: Submitter,
  ): { body: SubmittedScoreDto; replayed: boolean } {
    if (submitter.kind === 'api-key' && submitter.key.boards?.includes(score.boardId) === false) {
      throw new ForbiddenException(
        'This idempotency key was used for a board this API key may not submit to',
      );
    }
    this.metrics.scoresReplayed.inc();
    return { body: toSubmitted(score, 'Score already submitted'), replayed: true };
  }

  /**
   * The event for the workers and, at the same time (one round trip with Redis), the update that
   * gives the owner's open streams their new pending count.
   */
  private async publish(score: StoredScore, userId: string): Promise<void> {
    const [event] = await Promise.allSettled([
      this.events.publish({ scoreId: score.id, userId }),
      this.updates.publishBestEffort({ type: 'stats', userId, boardId: score.boardId }),
    ]);
    if (event.status === 'fulfilled') {
      this.metrics.eventsPublished.inc();
    } else {
      this.metrics.eventsPublishFailed.inc();
      this.logger.warn(
        { err: event.reason, scoreId: score.id },
        'Publishing a score failed; the sweeper will deliver it',
      );
    }
  }

  /**
   * For each key, in the order given, the score the player stored under it, or null: for a client
   * that lost the answers of its submissions, to settle them without sending them again. The
   * player is the token's, or an API key's `user_id` (as for submit); a key limited to some boards
   * sees null for a score on any other board, so it learns nothing beyond what it may write.
   */
  async lookup(
    submitter: Submitter,
    idempotencyKeys: string[],
    named: string | number | null | undefined,
  ): Promise<ScoreLookupDto> {
    const userId = this.player(submitter, named);
    const { player, scores } = await this.scores.findByKeys(userId, idempotencyKeys);
    if (player === 'missing') this.refuseUnknownUser(submitter, new UnknownUserError(userId));
    if (player === 'suspended') throw new ForbiddenException(ACCOUNT_SUSPENDED);
    const boards = submitter.kind === 'api-key' ? submitter.key.boards : null;
    return {
      items: idempotencyKeys.map((key, index) => {
        const score = scores[index] ?? null;
        const visible = score !== null && (!boards || boards.includes(score.boardId));
        return { idempotency_key: key, score: visible ? toItem(score) : null };
      }),
    };
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

export function toItem(score: StoredScore): ScoreItemDto {
  return {
    id: score.id,
    value: score.value,
    board: score.boardId,
    created_at: score.createdAt.toISOString(),
    status: score.status,
    ...(score.metadata ? { metadata: score.metadata } : {}),
  };
}

function toSubmitted(score: StoredScore, message: SubmittedScoreDto['message']): SubmittedScoreDto {
  return {
    id: score.id,
    value: score.value,
    created_at: score.createdAt.toISOString(),
    ...(score.metadata ? { metadata: score.metadata } : {}),
    message,
  };
}
