import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BackgroundLoop, type StepResult } from '../common/background-loop';
import { BoardsService } from '../boards/boards.service';
import { LeaderboardStore, type PeriodKey } from '../leaderboard/leaderboard-store';
import { UpdatesBus } from '../live/updates-bus';
import { Metrics } from '../metrics/metrics.service';
import { StandingsRepository } from './standings.repository';

const CHECK_EVERY_MS = 1000;
const COUNT_EVERY_MS = 60_000;
const REBUILD_PAGE = 10_000;
const OUTBOX_PAGE = 1000;
/**
 * An outbox row older than this was left by a worker that died or could not reach Redis: the
 * worker that wrote it normally records the standing within milliseconds of its commit.
 */
export const STALE_CHANGE_MS = 5000;

/**
 * Keeps a leaderboard store that lives apart from PostgreSQL (Redis) equal to it (worker side).
 * Every second: records the standings whose outbox rows are stale (so the store converges within
 * about STALE_CHANGE_MS + CHECK_EVERY_MS of a commit, whatever happened to the worker that made
 * it); and for the current period of every board, builds its ranking when the store has none (a
 * new period, a new, restarted or flushed Redis) and, once a minute, rebuilds it when it holds
 * another number of players than PostgreSQL ranks. Periods that have ended are served from PostgreSQL. Whatever
 * the store, it also announces each board's rollover to the live streams, and by reading every
 * board's current period it creates new periods as they are reached.
 */
@Injectable()
export class LeaderboardMaintainer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LeaderboardMaintainer.name);
  private readonly loop: BackgroundLoop;
  /** The current period of each board, as last seen. */
  private readonly currentPeriods = new Map<string, string>();
  /** When each period's size was last compared with PostgreSQL's. */
  private readonly countedAt = new Map<string, number>();

  constructor(
    private readonly store: LeaderboardStore,
    private readonly standings: StandingsRepository,
    private readonly boards: BoardsService,
    private readonly bus: UpdatesBus,
    metrics: Metrics,
  ) {
    this.loop = new BackgroundLoop(
      'leaderboard-upkeep',
      () => this.check(),
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

  private async check(): Promise<StepResult> {
    const recorded = this.store.recordsStandings
      ? await this.standings.recordStaleChanges(STALE_CHANGE_MS, OUTBOX_PAGE, (standings) =>
          this.store.record(standings),
        )
      : 0;
    if (recorded > 0) this.logger.log({ recorded }, 'Recorded standings left in the outbox');
    for (const { board, period } of await this.boards.activeWithCurrentPeriods()) {
      if (this.store.recordsStandings) {
        await this.keepWhole({ boardId: board.id, periodId: period.id }, period.endsAt);
      }
      await this.announceRollover(board.id, period.id);
    }
    return recorded === OUTBOX_PAGE ? 'worked' : 'idle';
  }

  /**
   * A board's new period starts with an empty leaderboard: the streams that follow the board are
   * told, as after any change of its top 10 (nobody's score announces it).
   */
  private async announceRollover(boardId: string, periodId: string): Promise<void> {
    const known = this.currentPeriods.get(boardId);
    this.currentPeriods.set(boardId, periodId);
    if (known !== undefined && known !== periodId) {
      await this.bus.publish({ type: 'leaderboard', boardId });
    }
  }

  /** Builds the period's ranking when the store has none (a new period: O(its players)). */
  private async keepWhole(period: PeriodKey, endsAt: Date | null): Promise<void> {
    const { ready, size } = await this.store.status(period);
    let rebuild = !ready;
    const countedAt = this.countedAt.get(period.periodId) ?? 0;
    if (ready && Date.now() - countedAt > COUNT_EVERY_MS) {
      this.countedAt.set(period.periodId, Date.now());
      const players = await this.standings.count(period.periodId);
      // Fewer: a standing was lost (Redis restarted between writes). More: a standing of a
      // deleted account came back (a write delayed past its deletion and a rebuild).
      rebuild = players !== size;
      if (rebuild) {
        this.logger.warn({ ...period, size, players }, 'Leaderboard differs: rebuilding');
      }
    }
    if (rebuild) {
      await this.store.rebuild(
        period,
        (after) => this.standings.pageAfter(period.periodId, after, REBUILD_PAGE),
        endsAt,
      );
    }
  }
}
