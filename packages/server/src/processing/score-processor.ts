import { Injectable, Logger } from '@nestjs/common';
import { failureClass, isTransient } from '../common/failure-class';
import { backoffMs, isLastAttempt } from '../common/retry-policy';
import { AppConfig } from '../config/app-config';
import { LeaderboardStore } from '../leaderboard/leaderboard-store';
import { Metrics } from '../metrics/metrics.service';
import { ProcessingRepository, type AppliedBatch } from './processing.repository';

type AppliedListener = (batch: AppliedBatch) => Promise<void>;

/**
 * Applies scores to the aggregates: a whole batch in one transaction.
 *
 * A transient failure (deadlock, timeout, lost connection, database restarting: see
 * failure-class.ts) is nobody's fault: `process` throws it, having recorded nothing, and the
 * caller tries the same scores again after a backoff; no attempt is spent. A permanent failure is
 * the content's: the batch is split and each score applied on its own, so that a poison score
 * fails alone; its failed attempt is recorded, it is retried with backoff, and after its last
 * attempt it is dead-lettered.
 */
@Injectable()
export class ScoreProcessor {
  private readonly logger = new Logger(ScoreProcessor.name);
  private readonly listeners: AppliedListener[] = [];

  constructor(
    private readonly repository: ProcessingRepository,
    private readonly leaderboard: LeaderboardStore,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  /** Called after each committed batch with what it changed (live updates hook in here). */
  onApplied(listener: AppliedListener): void {
    this.listeners.push(listener);
  }

  /** Applies the scores; throws only a transient failure (then nothing was recorded). */
  async process(scoreIds: string[]): Promise<void> {
    const ids = [...new Set(scoreIds.filter((id) => /^\d{1,18}$/.test(id)))];
    if (ids.length === 0) return;
    let batch: AppliedBatch;
    try {
      batch = await this.apply(ids);
    } catch (batchError) {
      if (isTransient(batchError)) throw batchError;
      if (ids.length === 1) return this.failed(ids[0]!, batchError);
      this.logger.warn(
        { err: batchError, scores: ids.length },
        'Batch failed, applying its scores one by one',
      );
      for (const id of ids) {
        let single: AppliedBatch;
        try {
          single = await this.apply([id]);
        } catch (error) {
          if (isTransient(error)) throw error;
          await this.failed(id, error);
          continue;
        }
        await this.applied(single, 1);
      }
      return;
    }
    await this.applied(batch, ids.length);
  }

  private apply(ids: string[]): Promise<AppliedBatch> {
    return this.repository.applyBatch(ids, { trackStandings: this.leaderboard.recordsStandings });
  }

  /** Metrics, then the listeners, which run after the commit: their failure undoes nothing. */
  private async applied(batch: AppliedBatch, delivered: number): Promise<void> {
    this.metrics.eventsProcessed.inc(batch.applied.length);
    this.metrics.eventsDuplicate.inc(delivered - batch.applied.length);
    if (batch.applied.length === 0) return;
    this.metrics.applyDuration.observe(batch.seconds);
    for (const score of batch.applied) {
      this.metrics.processingLag.observe(
        (score.appliedAt.getTime() - score.createdAt.getTime()) / 1000,
      );
    }
    for (const listener of this.listeners) {
      try {
        await listener(batch);
      } catch (error) {
        this.logger.error({ err: error }, 'Listener failed after apply');
      }
    }
  }

  /**
   * Records a permanent failure of one score: one attempt spent. If recording fails too
   * (PostgreSQL away), that failure is transient and is thrown: the score stays pending with its
   * attempts untouched, and is tried again.
   */
  private async failed(scoreId: string, error: unknown): Promise<void> {
    const policy = this.config.retry;
    const outcome = await this.repository.recordFailure(scoreId, describe(error), (attempt) =>
      isLastAttempt(policy, attempt) ? null : backoffMs(policy, attempt),
    );
    if (!outcome) return;
    const fields = { scoreId, attempts: outcome.attempts, err: error };
    if (outcome.dead) {
      this.metrics.eventsDeadLettered.inc();
      this.logger.error(fields, 'Score dead-lettered after its last attempt');
    } else {
      this.metrics.eventsRetried.inc();
      this.metrics.retries.inc({ class: failureClass(error) });
      this.logger.warn(fields, 'Score failed, will retry');
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
