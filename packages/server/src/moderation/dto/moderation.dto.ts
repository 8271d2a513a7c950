import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IntegerQueryParam } from '../../common/integer-query-param';
import type { Role } from '../../common/current-user';
import type { ScoreStatus } from '../../scores/dto/score.dto';

/** 1 to 500 characters, not only spaces, no control characters. */
const REASON = /^(?=.*\S)[^\p{Cc}]{1,500}$/u;
const REASON_MESSAGE = 'reason must be 1 to 500 characters without control characters';

export class ReasonDto {
  @ApiProperty({ example: 'Impossible scores from a modified client', maxLength: 500 })
  @IsDefined({ message: 'reason is required' })
  @IsString({ message: 'reason must be a string' })
  @Matches(REASON, { message: REASON_MESSAGE })
  reason: string;
}

export class OptionalReasonDto {
  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString({ message: 'reason must be a string' })
  @Matches(REASON, { message: REASON_MESSAGE })
  reason?: string;
}

export class AdminUserDto {
  @ApiProperty({ example: '42' })
  id: string;

  @ApiProperty()
  email: string;

  @ApiProperty()
  display_name: string;

  @ApiProperty({ enum: ['player', 'admin'] })
  role: Role;

  @ApiProperty({ type: String, nullable: true, description: 'Set while suspended' })
  banned_at: string | null;

  @ApiProperty()
  created_at: string;
}

export class AdminUserPageDto {
  @ApiProperty({ type: [AdminUserDto] })
  items: AdminUserDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  next_cursor: string | null;
}

export class UserSearchQuery {
  @ApiPropertyOptional({ description: 'A prefix of the email or the display name (any case)' })
  @IsOptional()
  @Matches(/^[^\p{Cc}]*$/u, { message: 'query must not contain control characters' })
  @MaxLength(254, { message: 'query must be at most 254 characters' })
  @IsString({ message: 'query must be a string' })
  query?: string;

  @IntegerQueryParam('limit', 1, 100, 20)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor from the previous page' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'cursor is not valid' })
  cursor?: string;
}

export class AdminScoreDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  value: number;

  @ApiProperty()
  board: string;

  @ApiProperty()
  created_at: string;

  @ApiProperty({ enum: ['pending', 'processed', 'dead', 'removed'] })
  status: ScoreStatus;

  @ApiProperty({ type: String, nullable: true })
  removed_at: string | null;

  @ApiProperty({ type: String, nullable: true })
  removed_reason: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  metadata?: Record<string, unknown>;
}

export class AdminScorePageDto {
  @ApiProperty({ type: [AdminScoreDto] })
  items: AdminScoreDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}

export class AdminScoresQuery {
  @IntegerQueryParam('limit', 1, 100, 20)
  limit?: number;

  @ApiPropertyOptional({ description: 'Only the scores submitted to this board' })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'board must be a board id' })
  board?: string;

  @ApiPropertyOptional({ description: 'next_cursor from the previous page' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'cursor is not valid' })
  cursor?: string;
}

export class DeleteAccountDto {
  @ApiProperty({ description: 'The account’s password, to confirm' })
  @IsDefined({ message: 'password is required' })
  @IsString({ message: 'password must be a string' })
  @MaxLength(128, { message: 'password must be at most 128 characters' })
  password: string;
}
