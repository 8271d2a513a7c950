import {
  Injectable,
  Logger,
  NotFoundException,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BoardsService, GLOBAL_BOARD, toPeriodDto } from '../boards/boards.service';
import type { PeriodDto } from '../boards/dto/board.dto';
import { Lifecycle } from '../common/lifecycle';
import type { LeaderboardPageDto } from '../leaderboard/dto/leaderboard.dto';
import { LeaderboardService } from '../leaderboard/leaderboard.service';
import type { StatsDto } from '../stats/dto/stats.dto';
import { StatsService } from '../stats/stats.service';
import { Coalescer } from './coalescer';
import { UpdatesBus, type Update } from './updates-bus';

/** A board's current top 10, with the board and period it is of. */
export type BoardLeaderboardEvent = LeaderboardPageDto & { board: string; period: PeriodDto };
export type RankEvent = {
  board: string;
  period: string;
  rank: number;
  previous_rank: number | null;
};

export type LiveEvent =
  | { type: 'stats'; data: StatsDto }
  | { type: 'leaderboard'; data: BoardLeaderboardEvent }
  | { type: 'rank'; data: RankEvent };

export type Connection = {
  userId: string;
  /** The boards whose leaderboards (and the caller's rank on them) this stream follows. */
  boards: string[];
  send: (event: LiveEvent) => void;
  close: () => void;
};

/**
 * "The top 10 may have changed" arrives after every applied batch; within this window such
 * updates share one read of the top 10, so a busy worker costs each instance at most about five
 * reads (and pushes) a second per board, while a lone change is pushed at once.
 */
const LEADERBOARD_WINDOW_MS = 200;

/**
 * How long a new stream's first state waits for its player's updates to reach this process (the
 * bus's subscription, a Redis round trip): past it (Redis slow or away) the first state goes at
 * once, and the stats again once the updates flow, so that none published between is missed.
 */
const WATCH_WAIT_MS = 2_000;

/** Per board: the coalesced refresh of its top 10, and the last one pushed. */
type BoardFeed = { refresh: Coalescer; lastTopTen: string };

/**
 * The streams connected to this API instance. One bus subscription per instance; for each update
 * the new state is read once and sent to the connections it concerns: a user's stats and ranks to
 * that user's streams (found by user, not by scanning every stream), a board's top 10 to the
 * streams that follow the board, and only when it actually changed.
 */
@Injectable()
export class LiveUpdatesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LiveUpdatesService.name);
  private readonly connectionsByUser = new Map<string, Set<Connection>>();
  /** Per player with a stream here, the bus's watch of their updates (see UpdatesBus.watch). */
  private readonly watching = new Map<string, Promise<void>>();
  private connections = 0;
  /**
   * Stats reads are numbered as they start; each stream remembers the newest it was sent. Reads run
   * concurrently (a score's acceptance and its apply, a new stream's first state), so one that
   * started earlier can end later: it is dropped where a newer one was sent, never the last word.
   */
  private statsReadsStarted = 0;
  private readonly statsSent = new WeakMap<Connection, number>();
  private unsubscribe: (() => void) | undefined;
  private readonly feeds = new Map<string, BoardFeed>();
  private topTenReads = 0;

  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly bus: UpdatesBus,
    private readonly stats: StatsService,
    private readonly boards: BoardsService,
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
    this.feeds.forEach((feed) => feed.refresh.stop());
    const all: Connection[] = [];
    for (const mine of this.connectionsByUser.values()) {
      all.push(...mine);
      mine.clear();
    }
    this.connectionsByUser.clear();
    this.connections = 0;
    for (const userId of [...this.watching.keys()]) this.unwatch(userId);
    for (const connection of all) connection.close();
  }

  /** The boards a stream asks to follow (global by default); 404 for unknown or archived ones. */
  async followable(boards: string | undefined): Promise<string[]> {
    const ids = [...new Set((boards ?? GLOBAL_BOARD).split(','))];
    for (const id of ids) {
      const board = await this.boards.get(id);
      if (board.archived) throw new NotFoundException('Board not found');
    }
    return ids;
  }

  /** Registers a stream and sends it the current state; returns its removal. */
  connect(connection: Connection): () => void {
    if (!this.accepting) {
      connection.close();
      return () => undefined;
    }
    const { userId } = connection;
    const mine = this.connectionsByUser.get(userId) ?? new Set<Connection>();
    mine.add(connection);
    this.connectionsByUser.set(userId, mine);
    this.connections += 1;
    if (!this.watching.has(userId)) this.watching.set(userId, this.bus.watch(userId));
    void this.sendInitialState(connection);
    return () => {
      if (!mine.delete(connection)) return;
      this.connections -= 1;
      if (mine.size > 0 || this.connectionsByUser.get(userId) !== mine) return;
      this.connectionsByUser.delete(userId);
      this.unwatch(userId);
    };
  }

  private unwatch(userId: string): void {
    if (this.watching.delete(userId)) this.bus.unwatch(userId);
  }

  /** The player's updates reach this process: at once, or after WATCH_WAIT_MS at the latest. */
  private async untilWatched(connection: Connection): Promise<void> {
    const watching = this.watching.get(connection.userId);
    if (!watching) return;
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      watching.then(
        () => false,
        () => false,
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), WATCH_WAIT_MS))),
    ]);
    clearTimeout(timer);
    if (!late) return;
    watching
      .then(
        () => this.sendStats(connection.userId, [connection]),
        () => undefined, // no subscription: the updates never flowed, and a reconnect retries
      )
      .catch((error: unknown) =>
        this.logger.warn({ err: error, userId: connection.userId }, 'Sending stats again failed'),
      );
  }

  /**
   * Reads the player's stats and sends them to those of `to` still open and not already sent a
   * newer read's (see statsSent).
   */
  private async sendStats(userId: string, to?: Connection[]): Promise<void> {
    const read = ++this.statsReadsStarted;
    const data = await this.stats.stats(userId);
    const open = this.connectionsByUser.get(userId);
    for (const connection of to ?? open ?? []) {
      if (!open?.has(connection) || (this.statsSent.get(connection) ?? 0) > read) continue;
      this.statsSent.set(connection, read);
      connection.send({ type: 'stats', data });
    }
  }

  private async sendInitialState(connection: Connection): Promise<void> {
    try {
      await this.untilWatched(connection);
      await this.sendStats(connection.userId, [connection]);
      for (const boardId of connection.boards) {
        connection.send({ type: 'leaderboard', data: (await this.topTen(boardId)).data });
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Initial state for a stream failed');
    }
  }

  private dispatch(update: Update): void {
    if (update.type === 'stats') void this.pushStanding(update);
    else if (update.type === 'account-closed') this.closeUser(update.userId);
    else if (this.connections > 0) this.feed(update.boardId).refresh.signal();
  }

  /** A suspended or deleted account's streams end (a reconnect is refused by its token). */
  private closeUser(userId: string): void {
    const mine = this.connectionsByUser.get(userId);
    if (!mine) return;
    this.connectionsByUser.delete(userId);
    this.unwatch(userId);
    this.connections -= mine.size;
    for (const connection of [...mine]) connection.close();
    mine.clear();
  }

  private feed(boardId: string): BoardFeed {
    let feed = this.feeds.get(boardId);
    if (!feed) {
      feed = {
        refresh: new Coalescer(() => this.pushTopTen(boardId), LEADERBOARD_WINDOW_MS),
        lastTopTen: '',
      };
      this.feeds.set(boardId, feed);
    }
    return feed;
  }

  /**
   * A score of the player's on a board was accepted or applied: their streams get fresh stats (for
   * global). When an applied score moved their ranked standing in the board's current period
   * (better, or worse on a `latest`, `sum` or `count` board), the streams that follow the board
   * get a `rank` event, if their rank moved: from the rank their former standing holds in today's
   * ranking (null for a first score) to the rank they hold now.
   */
  private async pushStanding(update: Extract<Update, { type: 'stats' }>): Promise<void> {
    const { userId, boardId, moved } = update;
    if (!this.connectionsByUser.has(userId)) return;
    try {
      // To the user's streams as they are after the read: one may have opened or closed during it.
      if (boardId === GLOBAL_BOARD) await this.sendStats(userId);
      const following = [...(this.connectionsByUser.get(userId) ?? [])].filter((c) =>
        c.boards.includes(boardId),
      );
      if (!moved || following.length === 0) return;
      const period = await this.boards.currentPeriod(await this.boards.get(boardId));
      if (period.id !== moved.periodId) return; // a late score of a period that has ended
      const [rank, previous] = await Promise.all([
        this.leaderboard.rank(period, userId),
        moved.before
          ? this.leaderboard.rankBefore(period, userId, moved.before, moved.worse)
          : null,
      ]);
      if (rank === null || rank === previous) return;
      const data = { board: boardId, period: period.id, rank, previous_rank: previous };
      following.forEach((connection) => connection.send({ type: 'rank', data }));
    } catch (error) {
      this.logger.warn({ err: error, userId, boardId }, 'Sending a standing update failed');
    }
  }

  private async topTen(boardId: string): Promise<{ data: BoardLeaderboardEvent }> {
    const board = await this.boards.get(boardId);
    const period = await this.boards.currentPeriod(board);
    const page = await this.leaderboard.page(board, period, 10, 0);
    return { data: { ...page, board: board.id, period: toPeriodDto(period) } };
  }

  private async pushTopTen(boardId: string): Promise<void> {
    try {
      this.topTenReads += 1;
      const { data } = await this.topTen(boardId);
      const feed = this.feed(boardId);
      const signature = JSON.stringify([data.period.id, data.items]);
      if (signature === feed.lastTopTen) return;
      feed.lastTopTen = signature;
      for (const mine of this.connectionsByUser.values()) {
        mine.forEach((connection) => {
          if (connection.boards.includes(boardId)) connection.send({ type: 'leaderboard', data });
        });
      }
    } catch (error) {
      this.logger.warn({ err: error, boardId }, 'Sending a leaderboard update failed');
    }
  }
}
