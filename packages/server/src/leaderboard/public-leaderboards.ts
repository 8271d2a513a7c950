import { HttpException, Injectable, NotFoundException } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AuditRepository } from '../audit/audit.repository';
import { BoardsRepository } from '../boards/boards.repository';
import { ReplicaBoardsService, type PeriodSelector } from '../boards/boards.service';
import type { PeriodPageDto } from '../boards/dto/board.dto';
import { AppConfig } from '../config/app-config';
import { NotOnReplica, ReadReplica } from '../database/read-replica';
import { BoardLeaderboards } from './board-leaderboards';
import type { BoardLeaderboardDto } from './dto/leaderboard.dto';
import { LeaderboardService } from './leaderboard.service';
import { LeaderboardStore } from './leaderboard-store';
import { PostgresLeaderboardStore } from './postgres-leaderboard.store';

/**
 * The public leaderboard pages and period archives: reads that may be a little stale, and so the
 * only ones served by the read replica (DATABASE_READ_URL) when there is one. A player's own
 * standing is not here: it must show their new score, so it is read from the primary.
 *
 * Fallback to the primary, for the one read:
 * - the replica does not hold the board or period (404 there, or a current period it would have
 *   to create: NotOnReplica): it may lag a board or period the primary has just created, so only
 *   the primary's answer is final, its 404 included;
 * - the replica fails (unreachable, a timeout): and the next reads too, for a few seconds (see
 *   ReadReplica.failed).
 * Any other refusal (a 400) is the answer.
 */
@Injectable()
export class PublicLeaderboards {
  private onReplica: { dataSource: DataSource; leaderboards: BoardLeaderboards } | undefined;

  constructor(
    private readonly primary: BoardLeaderboards,
    private readonly replica: ReadReplica,
    private readonly config: AppConfig,
    private readonly audit: AuditRepository,
    private readonly store: LeaderboardStore,
  ) {}

  page(
    boardId: string,
    selector: PeriodSelector | undefined,
    options: { limit?: number; offset?: number; users?: string },
  ): Promise<BoardLeaderboardDto> {
    return this.read((leaderboards) => leaderboards.page(boardId, selector, options));
  }

  periods(boardId: string, limit: number, cursor?: string): Promise<PeriodPageDto> {
    return this.read((leaderboards) => leaderboards.periods(boardId, limit, cursor));
  }

  private async read<T>(work: (leaderboards: BoardLeaderboards) => Promise<T>): Promise<T> {
    const replica = this.replicaLeaderboards();
    if (!replica) return work(this.primary);
    try {
      return await work(replica);
    } catch (error) {
      const lags = error instanceof NotOnReplica || error instanceof NotFoundException;
      if (!lags && error instanceof HttpException) throw error;
      if (!lags) this.replica.failed(error);
    }
    return work(this.primary);
  }

  /** The same services over the replica's pool (Redis, when configured, serves current periods). */
  private replicaLeaderboards(): BoardLeaderboards | undefined {
    const dataSource = this.replica.available();
    if (!dataSource) return undefined;
    if (this.onReplica?.dataSource !== dataSource) {
      const postgres = new PostgresLeaderboardStore(dataSource);
      const leaderboards = new BoardLeaderboards(
        new ReplicaBoardsService(new BoardsRepository(dataSource, this.audit), this.config),
        new LeaderboardService(this.store.recordsStandings ? this.store : postgres, postgres),
      );
      this.onReplica = { dataSource, leaderboards };
    }
    return this.onReplica.leaderboards;
  }
}
