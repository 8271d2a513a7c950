import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BackgroundLoop, type StepResult } from '../common/background-loop';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics.service';
import { ProcessingRepository } from './processing.repository';
import { ScoreProcessor } from './score-processor';

const SWEEP_LIMIT = 1000;
const MAX_BACKOFF_MS = 10_000;

/**
 * The safety net under the transport: PostgreSQL knows every pending score and when it is due
 * (SWEEP_DELAY_MS after it was accepted, or after its retry backoff). Due scores are applied from
 * here directly, whatever happened to their event: the API died before publishing, Redis lost its
 * data or is down, the stream was trimmed, or a retry is due. Workers split the due scores between
 * them (SKIP LOCKED) and lease each for another delay while they work on it; a lease that ends
 * with the sweep failing (PostgreSQL away) just runs out, and the scores are due again.
 */
@Injectable()
export class ScoreSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ScoreSweeper.name);
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly repository: ProcessingRepository,
    private readonly processor: ScoreProcessor,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {
    this.loop = new BackgroundLoop(
      'score-sweeper',
      async (): Promise<StepResult> => {
        const swept = await this.sweep();
        if (swept > 0) this.logger.log({ swept }, 'Swept pending scores from PostgreSQL');
        return 'idle';
      },
      {
        idleMs: config.sweepIntervalMs,
        maxBackoffMs: MAX_BACKOFF_MS,
        onFailure: (failureClass) => metrics.retries.inc({ class: failureClass }),
      },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass: applies every due score, a thousand at a time. Returns how many it took. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const due = await this.repository.claimDue(SWEEP_LIMIT, this.config.sweepDelayMs);
      if (due.length === 0) return total;
      total += due.length;
      this.metrics.eventsSwept.inc(due.length);
      for (let i = 0; i < due.length; i += this.config.workerBatchSize) {
        await this.processor.process(due.slice(i, i + this.config.workerBatchSize));
      }
      if (due.length < SWEEP_LIMIT || !this.loop.isRunning) return total;
    }
  }
}
