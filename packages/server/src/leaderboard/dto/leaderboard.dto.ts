import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, ValidateBy } from 'class-validator';
import { IntegerQueryParam } from '../../common/integer-query-param';

export class LeaderboardEntryDto {
  @ApiProperty({ example: 1 })
  rank: number;

  @ApiProperty({ example: '42' })
  user_id: string;

  @ApiProperty({ example: 'Ada' })
  display_name: string;

  @ApiProperty({
    example: 100,
    description:
      "The ranked value, by the board's ranking: the best, the latest, the sum or the count",
  })
  value: number;

  @ApiProperty({ example: 100, description: 'The best score (equal to value on a best board)' })
  high_score: number;

  @ApiProperty({
    example: '2026-11-24T10:00:00.000Z',
    description: 'When the high score was first reached',
  })
  achieved_at: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { level: 3, character: 'fox' },
    description:
      'The metadata of the score that set the value (best and latest boards, when it had some)',
  })
  metadata?: Record<string, unknown>;
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

export class RankedStandingDto extends MyStandingDto {
  @ApiProperty({ example: 200, description: 'Ranked players in the period' })
  players: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.5,
    description: 'rank / players × 100, two decimals (0.5: top 0.5 %); null before any score',
  })
  percentile: number | null;
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

/** The most players `users=` may name. */
export const MAX_LEADERBOARD_USERS = 100;

/** `users=7,12,40`: 1 to 100 user ids, given once (parsed by parseUserIds). */
function UserIdList() {
  return (target: object, property: string) => {
    // Checked in this order, the first failure answered.
    IsString({ message: 'users must be given once' })(target, property);
    Matches(/^ *\d{1,18} *(, *\d{1,18} *)*$/, {
      message: 'users must be user ids (integers) separated by commas',
    })(target, property);
    ValidateBy({
      name: 'maxUserIds',
      validator: {
        validate: (value: unknown) =>
          typeof value !== 'string' || value.split(',').length <= MAX_LEADERBOARD_USERS,
        defaultMessage: () => `users must name at most ${MAX_LEADERBOARD_USERS} players`,
      },
    })(target, property);
  };
}

/** The distinct user ids of a valid `users=` parameter. */
export function parseUserIds(users: string): string[] {
  return [...new Set(users.split(',').map((id) => BigInt(id.trim()).toString()))];
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

  @ApiPropertyOptional({
    description: `Only these players (1 to ${MAX_LEADERBOARD_USERS} user ids, comma-separated), with their ranks`,
    example: '7,12,40',
  })
  @IsOptional()
  @UserIdList()
  users?: string;
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

export class BoardStandingDto extends RankedStandingDto {
  @ApiProperty({ type: PeriodOfLeaderboardDto })
  period: PeriodOfLeaderboardDto;
}
