import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics.service';
import { ProcessingRepository } from './processing.repository';
import { ScoreProcessor } from './score-processor';

const SWEEP_LIMIT = 1000;

/**
 * The safety net under the transport: PostgreSQL knows every pending score and when it is due
 * (SWEEP_DELAY_MS after it was accepted, or after its retry backoff). Due scores are applied from
 * here directly, whatever happened to their event: the API died before publishing, Redis lost its
 * data or is down, the stream was trimmed, or a retry is due. Workers split the due scores between
 * them (SKIP LOCKED) and lease each for another delay while they work on it.
 */
@Injectable()
export class ScoreSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ScoreSweeper.name);
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly repository: ProcessingRepository,
    private readonly processor: ScoreProcessor,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
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
      if (due.length < SWEEP_LIMIT || !this.running) return total;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const swept = await this.sweep();
        if (swept > 0) this.logger.log(`Swept ${swept} pending scores from PostgreSQL`);
      } catch (error) {
        this.logger.warn(`Sweep failed: ${(error as Error).message}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.sweepIntervalMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
