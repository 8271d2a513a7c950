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
import { Coalescer } from './coalescer';
import { UpdatesBus, type Update } from './updates-bus';

export type LiveEvent =
  { type: 'stats'; data: StatsDto } | { type: 'leaderboard'; data: LeaderboardPageDto };

type Connection = { userId: string; send: (event: LiveEvent) => void; close: () => void };

/**
 * "The top 10 may have changed" arrives after every applied batch; within this window such
 * updates share one read of the top 10, so a busy worker costs each instance at most about five
 * reads (and pushes) a second, while a lone change is pushed at once.
 */
const LEADERBOARD_WINDOW_MS = 200;

/**
 * The streams connected to this API instance. One bus subscription per instance; for each update
 * the new state is read once and sent to the connections it concerns: a user's stats to that
 * user's streams (found by user, not by scanning every stream), the top 10 to all, and only when
 * it actually changed.
 */
@Injectable()
export class LiveUpdatesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LiveUpdatesService.name);
  private readonly connectionsByUser = new Map<string, Set<Connection>>();
  private connections = 0;
  private unsubscribe: (() => void) | undefined;
  private lastTopTen = '';
  private readonly topTenRefresh = new Coalescer(() => this.pushTopTen(), LEADERBOARD_WINDOW_MS);
  private topTenReads = 0;

  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly bus: UpdatesBus,
    private readonly stats: StatsService,
    private readonly leaderboard: LeaderboardService,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((update) => this.dispatch(update));
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

  get connectionCount(): number {
    return this.connections;
  }

  /** Reads of the top 10 for pushes (a new stream's first state aside): few, see Coalescer. */
  get leaderboardReads(): number {
    return this.topTenReads;
  }

  /** Ends every stream, so that the HTTP server can close. */
  private closeAll(): void {
    this.topTenRefresh.stop();
    const all: Connection[] = [];
    for (const mine of this.connectionsByUser.values()) {
      all.push(...mine);
      mine.clear();
    }
    this.connectionsByUser.clear();
    this.connections = 0;
    for (const connection of all) connection.close();
  }

  /** Registers a stream and sends it the current state; returns its removal. */
  connect(connection: Connection): () => void {
    if (!this.accepting) {
      connection.close();
      return () => undefined;
    }
    const mine = this.connectionsByUser.get(connection.userId) ?? new Set<Connection>();
    mine.add(connection);
    this.connectionsByUser.set(connection.userId, mine);
    this.connections += 1;
    void this.sendInitialState(connection);
    return () => {
      if (!mine.delete(connection)) return;
      this.connections -= 1;
      if (mine.size === 0) this.connectionsByUser.delete(connection.userId);
    };
  }

  private async sendInitialState(connection: Connection): Promise<void> {
    try {
      connection.send({ type: 'stats', data: await this.stats.stats(connection.userId) });
      connection.send({ type: 'leaderboard', data: await this.leaderboard.page(10, 0) });
    } catch (error) {
      this.logger.warn({ err: error }, 'Initial state for a stream failed');
    }
  }

  private dispatch(update: Update): void {
    if (update.type === 'stats') void this.pushStats(update.userId);
    else if (this.connections > 0) this.topTenRefresh.signal();
  }

  private async pushStats(userId: string): Promise<void> {
    if (!this.connectionsByUser.has(userId)) return;
    try {
      const data = await this.stats.stats(userId);
      // The user's streams as they are now: one may have opened or closed during the read.
      this.connectionsByUser.get(userId)?.forEach((c) => c.send({ type: 'stats', data }));
    } catch (error) {
      this.logger.warn({ err: error }, 'Sending a stats update failed');
    }
  }

  private async pushTopTen(): Promise<void> {
    try {
      this.topTenReads += 1;
      const data = await this.leaderboard.page(10, 0);
      const signature = JSON.stringify(data.items);
      if (signature === this.lastTopTen) return;
      this.lastTopTen = signature;
      for (const mine of this.connectionsByUser.values()) {
        mine.forEach((connection) => connection.send({ type: 'leaderboard', data }));
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Sending a leaderboard update failed');
    }
  }
}
