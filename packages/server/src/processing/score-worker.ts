import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ScoreEventTransport } from '../events/score-event-transport';
import { ScoreProcessor } from './score-processor';

const RECEIVE_WAIT_MS = 1000;
const MAX_PAUSE_MS = 5000;

/**
 * Reads score events in batches and applies them. An event is acknowledged only after its batch
 * committed (or its failure was recorded), so a worker killed mid-batch leaves its events to be
 * claimed again. Transport errors (Redis away, flushed) pause the loop; it resumes by itself.
 */
@Injectable()
export class ScoreWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ScoreWorker.name);
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly transport: ScoreEventTransport,
    private readonly processor: ScoreProcessor,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const deliveries = await this.transport.receive(
          this.config.workerBatchSize,
          RECEIVE_WAIT_MS,
        );
        if (deliveries.length > 0) {
          await this.processor.process(deliveries.map((d) => d.event.scoreId));
          await this.transport.ack(deliveries);
        }
        failures = 0;
      } catch (error) {
        failures += 1;
        if (failures === 1 || failures % 20 === 0) {
          this.logger.warn(
            `Receiving score events failed (${failures}x): ${(error as Error).message}`,
          );
        }
        await sleep(Math.min(MAX_PAUSE_MS, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
