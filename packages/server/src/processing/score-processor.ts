import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics.service';
import { ProcessingRepository, type AppliedBatch } from './processing.repository';
import { backoffMs, isLastAttempt } from './retry-policy';

type AppliedListener = (batch: AppliedBatch) => Promise<void>;

/**
 * Applies scores to the aggregates: a whole batch in one transaction, and when that fails, each
 * score on its own, so that one poison score fails alone. A score that fails is retried with
 * backoff; after its last attempt it is dead-lettered.
 */
@Injectable()
export class ScoreProcessor {
  private readonly logger = new Logger(ScoreProcessor.name);
  private readonly listeners: AppliedListener[] = [];

  constructor(
    private readonly repository: ProcessingRepository,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  /** Called after each committed batch with what it changed (live updates hook in here). */
  onApplied(listener: AppliedListener): void {
    this.listeners.push(listener);
  }

  async process(scoreIds: string[]): Promise<void> {
    const ids = [...new Set(scoreIds.filter((id) => /^\d{1,18}$/.test(id)))];
    if (ids.length === 0) return;
    let batch: AppliedBatch;
    try {
      batch = await this.repository.applyBatch(ids);
    } catch (batchError) {
      if (ids.length === 1) return this.failed(ids[0]!, batchError);
      this.logger.warn(
        `Batch of ${ids.length} failed, applying one by one: ${describe(batchError)}`,
      );
      for (const id of ids) {
        try {
          batch = await this.repository.applyBatch([id]);
        } catch (error) {
          await this.failed(id, error);
          continue;
        }
        await this.applied(batch, 1);
      }
      return;
    }
    await this.applied(batch, ids.length);
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
        this.logger.error(`Listener failed after apply: ${describe(error)}`);
      }
    }
  }

  private async failed(scoreId: string, error: unknown): Promise<void> {
    const policy = this.config.retry;
    // If even this bookkeeping fails (PostgreSQL away), nothing is recorded and the score stays
    // pending: the transport redelivers it or the sweeper finds it.
    const outcome = await this.repository.recordFailure(scoreId, describe(error), (attempt) =>
      isLastAttempt(policy, attempt) ? null : backoffMs(policy, attempt),
    );
    if (!outcome) return;
    if (outcome.dead) {
      this.metrics.eventsDeadLettered.inc();
      this.logger.error(
        `Score ${scoreId} dead-lettered after ${outcome.attempts} attempts: ${describe(error)}`,
      );
    } else {
      this.metrics.eventsRetried.inc();
      this.logger.warn(
        `Score ${scoreId} failed (attempt ${outcome.attempts}), will retry: ${describe(error)}`,
      );
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
