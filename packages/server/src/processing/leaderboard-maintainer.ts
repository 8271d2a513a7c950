import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LeaderboardStore } from '../leaderboard/leaderboard-store';
import { RedisLeaderboardStore } from '../leaderboard/redis-leaderboard.store';
import { ApplyNotifier } from './apply-notifier';

const CHECK_EVERY_MS = 1000;
const COUNT_EVERY_MS = 60_000;

/**
 * Keeps the Redis leaderboard whole (worker side): rebuilds it from PostgreSQL when Redis has
 * none (new, restarted or flushed), when it holds fewer players than PostgreSQL, and records the
 * standings whose recording failed.
 */
@Injectable()
export class LeaderboardMaintainer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LeaderboardMaintainer.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastCountAt = 0;

  constructor(
    private readonly store: LeaderboardStore,
    private readonly notifier: ApplyNotifier,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    if (!(this.store instanceof RedisLeaderboardStore)) return;
    const store = this.store;
    const tick = () => {
      this.running = this.check(store).finally(() => {
        this.timer = setTimeout(tick, CHECK_EVERY_MS);
      });
    };
    tick();
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
    clearTimeout(this.timer);
  }

  private async check(store: RedisLeaderboardStore): Promise<void> {
    try {
      await this.notifier.recordUnrecorded();
      const { ready, size } = await store.status();
      let rebuild = !ready;
      if (ready && Date.now() - this.lastCountAt > COUNT_EVERY_MS) {
        this.lastCountAt = Date.now();
        const [row]: Array<{ n: string }> = await this.dataSource.query(
          'SELECT count(*) AS n FROM user_high_scores',
        );
        rebuild = Number(row!.n) > size;
        if (rebuild) this.logger.warn(`Leaderboard holds ${size} of ${row!.n} players: rebuilding`);
      }
      if (rebuild) await store.rebuild();
    } catch (error) {
      this.logger.warn(`Leaderboard check failed: ${(error as Error).message}`);
    }
  }
}
