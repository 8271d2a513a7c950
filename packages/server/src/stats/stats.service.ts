import { Injectable } from '@nestjs/common';
import type { HighScoreDto, StatsDto } from './dto/stats.dto';
import { StatsRepository, type UserStatsRow } from './stats.repository';

@Injectable()
export class StatsService {
  constructor(private readonly repository: StatsRepository) {}

  async highScore(userId: string): Promise<HighScoreDto> {
    const row = await this.repository.forUser(userId);
    return {
      user_id: userId,
      value: row.highScore ?? 0,
      updated_at: row.highScoreUpdatedAt?.toISOString() ?? null,
    };
  }

  async stats(userId: string): Promise<StatsDto> {
    return toStatsDto(userId, await this.repository.forUser(userId));
  }
}

/**
 * The average is derived from the exact integer sum, never stored rounded. A sum beyond 2^53 is not
 * exact as a double, so then its quotient and remainder are taken in integers first.
 */
export function exactAverage(sum: bigint, count: number): number {
  if (count === 0) return 0;
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  if (sum <= safe && sum >= -safe) return Number(sum) / count;
  const divisor = BigInt(count);
  return Number(sum / divisor) + Number(sum % divisor) / count;
}

export function toStatsDto(
  userId: string,
  row: Omit<UserStatsRow, 'highScoreUpdatedAt'>,
): StatsDto {
  return {
    user_id: userId,
    total_scores: row.totalScores,
    average: exactAverage(row.sumScores, row.totalScores),
    high_score: row.highScore ?? 0,
    pending_scores: row.pendingScores,
    updated_at: row.statsUpdatedAt?.toISOString() ?? null,
  };
}
