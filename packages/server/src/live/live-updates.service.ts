import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { LeaderboardPageDto } from '../leaderboard/dto/leaderboard.dto';
import { Lifecycle } from '../common/lifecycle';
import { LeaderboardService } from '../leaderboard/leaderboard.service';
import type { StatsDto } from '../stats/dto/stats.dto';
import { StatsService } from '../stats/stats.service';
import { UpdatesBus, type Update } from './updates-bus';

export type LiveEvent =
  { type: 'stats'; data: StatsDto } | { type: 'leaderboard'; data: LeaderboardPageDto };

type Connection = { userId: string; send: (event: LiveEvent) => void; close: () => void };

/**
 * The streams connected to this API instance. One bus subscription per instance; for each update
 * the new state is read once and sent to the connections it concerns. The leaderboard event goes
 * out only when the top 10 actually changed.
 */
@Injectable()
export class LiveUpdatesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LiveUpdatesService.name);
  private readonly connections = new Set<Connection>();
  private unsubscribe: (() => void) | undefined;
  private lastTopTen = '';

  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly bus: UpdatesBus,
    private readonly stats: StatsService,
    private readonly leaderboard: LeaderboardService,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((update) => void this.dispatch(update));
    this.lifecycle.onShutdown(() => this.closeAll());
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    this.closeAll();
  }

  /**
   * False once shutdown has begun. New streams are refused from then on (with 503): a browser
   * reconnects about a second after its stream ends, while the shutdown is still draining, and a
   * stream opened then would hold the HTTP server open.
   */
  get accepting(): boolean {
    return !this.lifecycle.isStopping;
  }

  /** Ends every stream, so that the HTTP server can close. */
  private closeAll(): void {
    for (const connection of this.connections) connection.close();
    this.connections.clear();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Registers a stream and sends it the current state; returns its removal. */
  connect(connection: Connection): () => void {
    if (!this.accepting) {
      connection.close();
      return () => undefined;
    }
    this.connections.add(connection);
    void this.sendInitialState(connection);
    return () => this.connections.delete(connection);
  }

  private async sendInitialState(connection: Connection): Promise<void> {
    try {
      connection.send({ type: 'stats', data: await this.stats.stats(connection.userId) });
      connection.send({ type: 'leaderboard', data: await this.leaderboard.page(10, 0) });
    } catch (error) {
      this.logger.warn({ err: error }, 'Initial state for a stream failed');
    }
  }

  private async dispatch(update: Update): Promise<void> {
    try {
      if (update.type === 'stats') {
        const targets = [...this.connections].filter((c) => c.userId === update.userId);
        if (targets.length === 0) return;
        const data = await this.stats.stats(update.userId);
        targets.forEach((connection) => connection.send({ type: 'stats', data }));
      } else {
        if (this.connections.size === 0) return;
        const data = await this.leaderboard.page(10, 0);
        const signature = JSON.stringify(data.items);
        if (signature === this.lastTopTen) return;
        this.lastTopTen = signature;
        this.connections.forEach((connection) => connection.send({ type: 'leaderboard', data }));
      }
    } catch (error) {
      this.logger.warn({ err: error, update: update.type }, 'Dispatching an update failed');
    }
  }
}
