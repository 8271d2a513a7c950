import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BackgroundLoop, type StepResult } from '../common/background-loop';
import { Metrics } from '../metrics/metrics.service';
import { PeriodResultsRepository } from './period-results.repository';

const CHECK_EVERY_MS = 1000;
const PAGE = 20;

/**
 * Writes the results of every period that became final (worker side): once a second it looks for
 * ended periods with nothing pending and no results, and finalizes each in a transaction of its
 * own. Several workers may run it at once: the first to insert a period's finalization writes
 * its results; the others find it done.
 */
@Injectable()
export class PeriodFinalizer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PeriodFinalizer.name);
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly results: PeriodResultsRepository,
    metrics: Metrics,
  ) {
    this.loop = new BackgroundLoop(
      'period-finalizer',
      () => this.step(),
      {
        idleMs: CHECK_EVERY_MS,
        maxBackoffMs: 10_000,
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

  private async step(): Promise<StepResult> {
    const due = await this.results.dueForFinalization(PAGE);
    for (const periodId of due) {
      if (await this.results.finalize(periodId)) {
        this.logger.log({ periodId }, 'Period results written');
      }
    }
    return due.length === PAGE ? 'worked' : 'idle';
  }
}
