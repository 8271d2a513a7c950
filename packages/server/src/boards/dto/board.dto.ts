import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IntegerQueryParam } from '../../common/integer-query-param';
import { LeaderboardEntryDto } from '../../leaderboard/dto/leaderboard.dto';
import {
  BOARD_RANKINGS,
  DISPLAY_FORMAT,
  type BoardRanking,
  type BoardSort,
  type DisplayFormat,
} from '../boards.repository';

const SCORE_LIMIT = 1_000_000_000;
const RANKING_DESCRIPTION =
  "best: each player's best by sort; latest: the score accepted last; sum: the exact total of " +
  'the counted scores; count: their number. Changes only while the board has no score.';
const NAME = /^(?=.*\S)[^\p{C}]{1,64}$/u;
const UNIT = /^(?=.*\S)[^\p{C}]{1,16}$/u;
const DISPLAY_FORMAT_DESCRIPTION =
  'How values read (display only; values stay integers): integer; decimal:N (1 to 6), a value ' +
  'in units of 10^-N shown with N decimals; duration:ms or duration:s, a time shown as m:ss.mmm ' +
  'or m:ss';

export class PeriodDto {
  @ApiProperty({ example: '7', description: 'Opaque' })
  id: string;

  @ApiProperty({ example: '2026-11-25T00:00:00.000Z' })
  starts_at: string;

  @ApiProperty({ type: String, nullable: true, description: 'null for a board that never resets' })
  ends_at: string | null;
}

export class PeriodStateDto extends PeriodDto {
  @ApiProperty({ description: 'Ended, and none of its scores is pending' })
  final: boolean;
}

export class BoardDto {
  @ApiProperty({ example: 'speedrun-daily' })
  id: string;

  @ApiProperty({ example: 'Speedrun (daily)' })
  name: string;

  @ApiProperty({ enum: ['desc', 'asc'], description: 'desc: higher is better; asc: lower is' })
  sort: BoardSort;

  @ApiProperty({ enum: BOARD_RANKINGS, description: RANKING_DESCRIPTION })
  ranking: BoardRanking;

  @ApiProperty()
  score_min: number;

  @ApiProperty()
  score_max: number;

  @ApiProperty({ example: 'daily', description: 'never, daily, weekly, monthly or a cron' })
  reset: string;

  @ApiProperty({ example: 'Europe/Paris' })
  timezone: string;

  @ApiProperty()
  authoritative: boolean;

  @ApiProperty({ description: 'Per player; 0 = no limit' })
  max_submissions_per_minute: number;

  @ApiProperty()
  archived: boolean;

  @ApiProperty({ example: 'duration:ms', description: DISPLAY_FORMAT_DESCRIPTION })
  display_format: DisplayFormat;

  @ApiProperty({ type: String, nullable: true, example: 'pts', description: 'Shown after values' })
  unit: string | null;

  @ApiProperty()
  created_at: string;

  @ApiProperty({ type: PeriodDto })
  current_period: PeriodDto;
}

export class BoardListDto {
  @ApiProperty({ type: [BoardDto] })
  items: BoardDto[];
}

export class PeriodSummaryDto extends PeriodStateDto {
  @ApiProperty()
  players: number;

  @ApiProperty({ type: [LeaderboardEntryDto], description: 'Up to 3 entries' })
  top: LeaderboardEntryDto[];
}

export class PeriodPageDto {
  @ApiProperty({ type: [PeriodSummaryDto] })
  items: PeriodSummaryDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}

export class PeriodsQuery {
  @IntegerQueryParam('limit', 1, 100, 20)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor from the previous page' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'cursor is not valid' })
  cursor?: string;
}

/**
 * Fields PATCH may change (besides the name); also the optional fields of a new board. The
 * decorator nearest a property runs first: type checks sit there, so a string is "not an integer"
 * rather than "out of range".
 */
class MutableBoardFields {
  @ApiPropertyOptional({ enum: BOARD_RANKINGS, default: 'best', description: RANKING_DESCRIPTION })
  @IsOptional()
  @IsIn(BOARD_RANKINGS, { message: 'ranking must be best, latest, sum or count' })
  ranking?: BoardRanking;

  @ApiPropertyOptional({ minimum: -SCORE_LIMIT, maximum: SCORE_LIMIT })
  @IsOptional()
  @Min(-SCORE_LIMIT, { message: 'score_min must be within ±1000000000' })
  @Max(SCORE_LIMIT, { message: 'score_min must be within ±1000000000' })
  @IsInt({ message: 'score_min must be an integer' })
  score_min?: number;

  @ApiPropertyOptional({ minimum: -SCORE_LIMIT, maximum: SCORE_LIMIT })
  @IsOptional()
  @Min(-SCORE_LIMIT, { message: 'score_max must be within ±1000000000' })
  @Max(SCORE_LIMIT, { message: 'score_max must be within ±1000000000' })
  @IsInt({ message: 'score_max must be an integer' })
  score_max?: number;

  @ApiPropertyOptional({ description: 'never, daily, weekly, monthly or a five-field cron' })
  @IsOptional()
  @IsString({ message: 'reset must be a string' })
  @MaxLength(100, { message: 'reset must be at most 100 characters' })
  reset?: string;

  @ApiPropertyOptional({ description: 'An IANA time zone name', example: 'UTC' })
  @IsOptional()
  @IsString({ message: 'timezone must be a string' })
  @MaxLength(64, { message: 'timezone must be at most 64 characters' })
  timezone?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: 'authoritative must be true or false' })
  authoritative?: boolean;

  @ApiPropertyOptional({ minimum: 0, maximum: 1_000_000 })
  @IsOptional()
  @Min(0, { message: 'max_submissions_per_minute must be between 0 and 1000000' })
  @Max(1_000_000, { message: 'max_submissions_per_minute must be between 0 and 1000000' })
  @IsInt({ message: 'max_submissions_per_minute must be an integer' })
  max_submissions_per_minute?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: 'archived must be true or false' })
  archived?: boolean;

  @ApiPropertyOptional({ default: 'integer', description: DISPLAY_FORMAT_DESCRIPTION })
  @IsOptional()
  @Matches(DISPLAY_FORMAT, {
    message: 'display_format must be integer, decimal:1 to decimal:6, duration:ms or duration:s',
  })
  @IsString({ message: 'display_format must be a string' })
  display_format?: DisplayFormat;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 16,
    description: 'Shown after values ("pts"); null for none',
  })
  @IsOptional()
  @Matches(UNIT, { message: 'unit must be 1 to 16 printable characters' })
  @IsString({ message: 'unit must be a string' })
  unit?: string | null;
}

export class UpdateBoardDto extends MutableBoardFields {
  @ApiPropertyOptional({ minLength: 1, maxLength: 64 })
  @IsOptional()
  @IsString({ message: 'name must be a string' })
  @Matches(NAME, { message: 'name must be 1 to 64 printable characters' })
  name?: string;
}

export class CreateBoardDto extends MutableBoardFields {
  @ApiProperty({ example: 'speedrun-daily', description: '1 to 64 of a-z 0-9 -; immutable' })
  @IsDefined({ message: 'id is required' })
  @IsString({ message: 'id must be a string' })
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'id must be 1 to 64 of a-z, 0-9 and -' })
  id: string;

  @ApiProperty({ minLength: 1, maxLength: 64 })
  @IsDefined({ message: 'name is required' })
  @IsString({ message: 'name must be a string' })
  @Matches(NAME, { message: 'name must be 1 to 64 printable characters' })
  name: string;

  @ApiPropertyOptional({ enum: ['desc', 'asc'], default: 'desc' })
  @IsOptional()
  @IsIn(['desc', 'asc'], { message: 'sort must be desc or asc' })
  sort?: BoardSort;
}
