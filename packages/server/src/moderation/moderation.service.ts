import { BadRequestException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { LoginThrottle } from '../auth/login-throttle';
import { retryOnConflict } from '../common/retry-on-conflict';
import { LeaderboardStore } from '../leaderboard/leaderboard-store';
import { UpdatesBus } from '../live/updates-bus';
import type { User } from '../users/user.entity';
import { UsersRepository } from '../users/users.repository';
import type {
  AdminScoreDto,
  AdminScorePageDto,
  AdminUserDto,
  AdminUserPageDto,
} from './dto/moderation.dto';
import {
  ModerationRepository,
  type ChangedStandings,
  type ScoreRecord,
} from './moderation.repository';
import { keysetPage } from '../common/keyset-page';

const ID = /^\d{1,18}$/;

/**
 * Moderation (SPEC 2b): bans, score removals and account deletions. Each is one transaction in
 * PostgreSQL (with its audit log entry); then the leaderboards learn of the standings it changed,
 * the streams that follow them are told, and a closed account's streams end. If the Redis write
 * fails, the outbox rows written in the transaction let the workers' leaderboard upkeep finish it.
 */
@Injectable()
export class ModerationService {
  private readonly logger = new Logger(ModerationService.name);

  constructor(
    private readonly moderation: ModerationRepository,
    private readonly users: UsersRepository,
    private readonly store: LeaderboardStore,
    private readonly bus: UpdatesBus,
  ) {}

  async searchUsers(query = '', limit = 20, cursor?: string): Promise<AdminUserPageDto> {
    const rows = await this.users.search(query, limit + 1, cursor);
    return keysetPage(rows, limit, toAdminUser);
  }

  async ban(userId: string, actorId: string, reason: string): Promise<AdminUserDto> {
    if (userId === actorId) throw new BadRequestException('You cannot ban yourself');
    const changed = ID.test(userId)
      ? await retryOnConflict(() =>
          this.moderation.ban(userId, { actorId, reason }, this.store.recordsStandings),
        )
      : null;
    if (!changed) throw new NotFoundException('User not found');
    this.logger.log({ userId, actorId, standings: changed.standings.length }, 'Account suspended');
    await this.announce(changed, userId);
    await this.bus.publishBestEffort({ type: 'account-closed', userId });
    return this.adminUser(userId);
  }

  async unban(userId: string, actorId: string, reason: string | null): Promise<AdminUserDto> {
    const changed = ID.test(userId)
      ? await retryOnConflict(() =>
          this.moderation.unban(userId, { actorId, reason }, this.store.recordsStandings),
        )
      : null;
    if (!changed) throw new NotFoundException('User not found');
    this.logger.log({ userId, actorId, standings: changed.standings.length }, 'Account restored');
    await this.announce(changed, userId);
    return this.adminUser(userId);
  }

  async scoresOf(
    userId: string,
    limit = 20,
    cursor?: string,
    boardId?: string,
  ): Promise<AdminScorePageDto> {
    if (!ID.test(userId) || !(await this.users.findById(userId))) {
      throw new NotFoundException('User not found');
    }
    const rows = await this.moderation.scoresOf(userId, limit + 1, cursor, boardId);
    return keysetPage(rows, limit, toAdminScore);
  }

  async removeScore(scoreId: string, actorId: string, reason: string): Promise<void> {
    const removed = ID.test(scoreId)
      ? await retryOnConflict(() =>
          this.moderation.removeScore(scoreId, { actorId, reason }, this.store.recordsStandings),
        )
      : null;
    if (!removed) throw new NotFoundException('Score not found');
    this.logger.log({ scoreId, userId: removed.score.userId, actorId }, 'Score removed');
    await this.announce(removed.changed, removed.score.userId, removed.score.boardId);
  }

  /** Deletes the account and all its data; `actorId` names the admin who did (null: the user). */
  async deleteUser(userId: string, actorId: string | null): Promise<void> {
    const changed = ID.test(userId)
      ? await retryOnConflict(() =>
          this.moderation.deleteUser(
            userId,
            (email) => LoginThrottle.keys(email, undefined).account,
            actorId === null ? null : { actorId },
            this.store.recordsStandings,
          ),
        )
      : null;
    if (!changed) throw new NotFoundException('User not found');
    this.logger.log({ userId, actorId, standings: changed.standings.length }, 'Account deleted');
    await this.announce(changed);
    await this.bus.publishBestEffort({ type: 'account-closed', userId });
  }

  /**
   * After the commit: the changed standings go to the leaderboard store (then their outbox rows
   * are forgotten), and the boards' followers and the player's own streams are told.
   */
  private async announce(
    changed: ChangedStandings,
    userId?: string,
    boardId?: string,
  ): Promise<void> {
    if (this.store.recordsStandings && changed.standings.length > 0) {
      try {
        await this.store.record(changed.standings);
        await this.moderation.forgetChanges(changed.changeIds);
      } catch (error) {
        this.logger.warn(
          { err: error, standings: changed.standings.length },
          'Recording moderated standings failed; the leaderboard upkeep will record them',
        );
      }
    }
    const boards = new Set(changed.standings.map((standing) => standing.boardId));
    if (userId && boardId) await this.bus.publishBestEffort({ type: 'stats', userId, boardId });
    for (const board of boards)
      await this.bus.publishBestEffort({ type: 'leaderboard', boardId: board });
  }

  private async adminUser(userId: string): Promise<AdminUserDto> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundException('User not found');
    return toAdminUser(user);
  }
}

function toAdminUser(user: User): AdminUserDto {
  return {
    id: user.id,
    email: user.email,
    display_name: user.displayName,
    role: user.role,
    banned_at: user.bannedAt?.toISOString() ?? null,
    created_at: user.createdAt.toISOString(),
  };
}

function toAdminScore(score: ScoreRecord): AdminScoreDto {
  return {
    id: score.id,
    value: score.value,
    board: score.boardId,
    created_at: score.createdAt.toISOString(),
    status: score.status,
    removed_at: score.removedAt?.toISOString() ?? null,
    removed_reason: score.removedReason,
    ...(score.metadata ? { metadata: score.metadata } : {}),
  };
}
