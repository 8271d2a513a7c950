import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BackgroundLoop, type StepResult } from '../common/background-loop';
import { AppConfig } from '../config/app-config';
import { ScoreEventTransport, type Delivery } from '../events/score-event-transport';
import { Metrics } from '../metrics/metrics.service';
import { ScoreProcessor } from './score-processor';

const RECEIVE_WAIT_MS = 1000;
const MAX_BACKOFF_MS = 5000;

/**
 * Reads score events in batches and applies them. An event is acknowledged only after its batch
 * committed (or its permanent failure was recorded), so a worker killed mid-batch leaves its events
 * to be claimed again. Events whose apply failed transiently (PostgreSQL away, a deadlock) or whose
 * acknowledgement failed (Redis away) stay in hand and are tried again after a backoff: no attempt
 * is spent on them, and nothing waits for another worker to claim them.
 */
@Injectable()
export class ScoreWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ScoreWorker.name);
  private readonly loop: BackgroundLoop;
  private inHand: Delivery[] = [];

  constructor(
    private readonly transport: ScoreEventTransport,
    private readonly processor: ScoreProcessor,
    private readonly config: AppConfig,
    metrics: Metrics,
  ) {
    this.loop = new BackgroundLoop(
      'score-worker',
      () => this.step(),
      {
        idleMs: 0,
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

  private async step(): Promise<StepResult> {
    if (this.inHand.length === 0) {
      this.inHand = await this.transport.receive(this.config.workerBatchSize, RECEIVE_WAIT_MS);
      if (this.inHand.length === 0) return 'worked'; // receive already waited for events
    }
    await this.processor.process(this.inHand.map((delivery) => delivery.event.scoreId));
    await this.transport.ack(this.inHand);
    this.inHand = [];
    return 'worked';
  }
}
