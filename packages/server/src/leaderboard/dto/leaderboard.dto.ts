import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
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

/** `current` (the default), `previous`, or a period id. */
function PeriodParam() {
  return (target: object, property: string) => {
    ApiPropertyOptional({
      description: 'current (default), previous, or a period id',
      example: 'current',
    })(target, property);
    IsOptional()(target, property);
    Matches(/^(current|previous|\d{1,18})$/, {
      message: 'period must be current, previous or a period id',
    })(target, property);
  };
}

export class BoardLeaderboardQuery extends LeaderboardQuery {
  @PeriodParam()
  period?: string;
}

export class BoardStandingQuery extends MyStandingQuery {
  @PeriodParam()
  period?: string;
}

class PeriodOfLeaderboardDto {
  @ApiProperty({ example: '7' })
  id: string;

  @ApiProperty()
  starts_at: string;

  @ApiProperty({ type: String, nullable: true })
  ends_at: string | null;

  @ApiProperty({ description: 'Ended, and none of its scores is pending' })
  final: boolean;
}

export class BoardLeaderboardDto extends LeaderboardPageDto {
  @ApiProperty({ type: PeriodOfLeaderboardDto })
  period: PeriodOfLeaderboardDto;
}

export class BoardStandingDto extends MyStandingDto {
  @ApiProperty({ type: PeriodOfLeaderboardDto })
  period: PeriodOfLeaderboardDto;
}
