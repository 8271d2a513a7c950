import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { PasswordHasher } from '../auth/password-hasher';
import { exactAverage } from '../stats/stats.service';
import { UsersRepository } from '../users/users.repository';
import { ModerationRepository } from './moderation.repository';
import { ModerationService } from './moderation.service';

/** A user's own data: all of it in one document, or deleted (SPEC 2b, privacy). */
@Injectable()
export class PrivacyService {
  constructor(
    private readonly moderation: ModerationRepository,
    private readonly moderationService: ModerationService,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async export(userId: string) {
    const data = await this.moderation.exportOf(userId);
    if (!data) throw new NotFoundException('User not found');
    const { account, scores, standings, results } = data;
    return {
      exported_at: new Date().toISOString(),
      account: {
        id: account.id,
        email: account.email,
        display_name: account.display_name,
        role: account.role,
        created_at: account.created_at.toISOString(),
        banned_at: account.banned_at?.toISOString() ?? null,
        ban_reason: account.ban_reason,
      },
      scores: scores.map((score) => ({
        id: score.id,
        value: score.value,
        board: score.boardId,
        period: score.periodId,
        created_at: score.createdAt.toISOString(),
        status: score.status,
        applied_at: score.appliedAt?.toISOString() ?? null,
        removed_at: score.removedAt?.toISOString() ?? null,
        removed_reason: score.removedReason,
        submitted_with_api_key: score.apiKeyId !== null,
        metadata: score.metadata,
      })),
      standings: standings.map((standing) => ({
        board: standing.board_id,
        period: {
          id: standing.period_id,
          starts_at: standing.starts_at.toISOString(),
          ends_at: standing.ends_at?.toISOString() ?? null,
        },
        best: standing.high_score,
        achieved_at: standing.achieved_at.toISOString(),
        total_scores: Number(standing.total_scores),
        // A string: exact at any size.
        sum_scores: standing.sum_scores,
        average: exactAverage(BigInt(standing.sum_scores), Number(standing.total_scores)),
        ranked: standing.ranked,
        updated_at: standing.updated_at.toISOString(),
      })),
      results: results.map((result) => ({
        id: result.id,
        board: result.boardId,
        period: {
          id: result.periodId,
          starts_at: result.startsAt.toISOString(),
          ends_at: result.endsAt.toISOString(),
        },
        revision: result.revision,
        rank: result.rank,
        value: result.value,
        achieved_at: result.achievedAt.toISOString(),
        claimed_at: result.claimedAt?.toISOString() ?? null,
      })),
    };
  }

  /** Deletes the caller's account once their password confirms it (403 otherwise). */
  async deleteOwnAccount(userId: string, password: string): Promise<void> {
    const hash = await this.users.passwordHash(userId);
    if (!hash || !(await this.hasher.verify(hash, password))) {
      throw new ForbiddenException('Invalid password');
    }
    await this.moderationService.deleteUser(userId, null);
  }
}
