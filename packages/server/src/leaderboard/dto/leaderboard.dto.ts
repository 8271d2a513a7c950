import { ApiProperty } from '@nestjs/swagger';
import { IntegerQueryParam } from '../../common/integer-query-param';

export class LeaderboardEntryDto {
  @ApiProperty({ example: 1 })
  rank: number;

  @ApiProperty({ example: '42' })
  user_id: string;

  @ApiProperty({ example: 'Ada' })
  display_name: string;

  @ApiProperty({ example: 100 })
  high_score: number;

  @ApiProperty({
    example: '2026-11-24T10:00:00.000Z',
    description: 'When the high score was first reached',
  })
  achieved_at: string;
}

export class LeaderboardPageDto {
  @ApiProperty({ type: [LeaderboardEntryDto] })
  items: LeaderboardEntryDto[];

  @ApiProperty({ example: 1234 })
  total_players: number;
}

export class MyStandingDto {
  @ApiProperty({ type: Number, nullable: true, example: 17 })
  rank: number | null;

  @ApiProperty({ type: [LeaderboardEntryDto] })
  items: LeaderboardEntryDto[];
}

/**
 * How deep a page may start. Beyond it, a leaderboard without Redis would scan that many index
 * entries per request; a player finds their own place with /leaderboard/me instead.
 */
export const MAX_LEADERBOARD_OFFSET = 10_000;

export class LeaderboardQuery {
  @IntegerQueryParam('limit', 1, 100, 10)
  limit?: number;

  @IntegerQueryParam('offset', 0, MAX_LEADERBOARD_OFFSET, 0)
  offset?: number;
}

export class MyStandingQuery {
  @IntegerQueryParam('radius', 0, 50, 5)
  radius?: number;
}
