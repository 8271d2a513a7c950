import { Injectable, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { ValidationFailed } from '../common/api-exception.filter';
import { AppConfig } from '../config/app-config';
import { ScoreEventTransport } from '../events/score-event-transport';
import { UpdatesBus } from '../live/updates-bus';
import { Metrics } from '../metrics/metrics.service';
import type { ScoreItemDto, ScorePageDto, SubmittedScoreDto } from './dto/score.dto';
import { ScoresRepository, UnknownUserError, type StoredScore } from './scores.repository';

const DEFAULT_PAGE_SIZE = 20;

@Injectable()
export class ScoresService {
  private readonly logger = new Logger(ScoresService.name);

  constructor(
    private readonly scores: ScoresRepository,
    private readonly events: ScoreEventTransport,
    private readonly updates: UpdatesBus,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  /**
   * Stores the score once per (user, key). A repeated key, with any value, answers with the score
   * first stored under it and `replayed: true`, and publishes nothing.
   *
   * The score is committed before the event is published; if publishing fails (Redis away) the
   * answer is still 201, and the sweeper delivers the score from PostgreSQL.
   */
  async submit(
    userId: string,
    value: number,
    idempotencyKey: string,
  ): Promise<{ body: SubmittedScoreDto; replayed: boolean }> {
    if (value < this.config.scoreMin || value > this.config.scoreMax) {
      const message = `value must be between ${this.config.scoreMin} and ${this.config.scoreMax}`;
      throw new ValidationFailed([{ field: 'value', message }]);
    }
    const { score, created } = await this.scores
      .insertIfAbsent(userId, idempotencyKey, value, this.config.sweepDelayMs)
      .catch((error: unknown) => {
        throw error instanceof UnknownUserError
          ? new UnauthorizedException('Invalid or expired token')
          : error;
      });
    if (created) {
      this.metrics.scoresAccepted.inc();
      await this.publish(score.id, userId);
    } else {
      this.metrics.scoresReplayed.inc();
    }
    return {
      body: {
        id: score.id,
        value: score.value,
        created_at: score.createdAt.toISOString(),
        message: created ? 'Score submitted successfully' : 'Score already submitted',
      },
      replayed: !created,
    };
  }

  private async publish(scoreId: string, userId: string): Promise<void> {
    try {
      await this.events.publish({ scoreId, userId });
      this.metrics.eventsPublished.inc();
      // The owner's pending count changed: their open streams get fresh stats.
      await this.updates.publish({ type: 'stats', userId });
    } catch (error) {
      this.metrics.eventsPublishFailed.inc();
      this.logger.warn(
        `Publishing score ${scoreId} failed, the sweeper will deliver it: ${(error as Error).message}`,
      );
    }
  }

  async list(userId: string, limit = DEFAULT_PAGE_SIZE, cursor?: string): Promise<ScorePageDto> {
    // One extra row tells whether another page follows.
    const rows = await this.scores.listForUser(userId, limit + 1, cursor);
    const items = rows.slice(0, limit).map(toItem);
    return { items, next_cursor: rows.length > limit ? items[items.length - 1]!.id : null };
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
    created_at: score.createdAt.toISOString(),
    status: score.status,
  };
}
