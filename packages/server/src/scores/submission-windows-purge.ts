import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BackgroundLoop } from '../common/background-loop';
import { ScoresRepository } from './scores.repository';

const PURGE_EVERY_MS = 5 * 60_000;

/** Drops the submission windows (max_submissions_per_minute) that hold nothing recent. */
@Injectable()
export class SubmissionWindowsPurge implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SubmissionWindowsPurge.name);
  private readonly loop: BackgroundLoop;

  constructor(scores: ScoresRepository) {
    this.loop = new BackgroundLoop(
      'submission-windows-purge',
      async () => {
        const purged = await scores.purgeWindows();
        if (purged > 0) this.logger.debug({ purged }, 'Purged ended submission windows');
        return 'idle';
      },
      { idleMs: PURGE_EVERY_MS, maxBackoffMs: PURGE_EVERY_MS },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }
}
