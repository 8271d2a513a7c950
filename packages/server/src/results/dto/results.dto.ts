import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, ValidateBy } from 'class-validator';
import { IntegerQueryParam } from '../../common/integer-query-param';

export class ResultsQuery {
  @IntegerQueryParam('limit', 1, 100, 20)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor from the previous page' })
  @IsOptional()
  @Matches(/^\d{1,9}$/, { message: 'cursor is not valid' })
  cursor?: string;
}

export class MyResultsQuery {
  @IntegerQueryParam('limit', 1, 100, 20)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor from the previous page' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'cursor is not valid' })
  cursor?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'Only claimed (true) or unclaimed (false) placements; omitted: all',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'claimed must be true or false' })
  claimed?: 'true' | 'false';
}

export class ClaimResultDto {
  @ApiPropertyOptional({
    description: 'With an API key only: the player whose reward is claimed',
    oneOf: [{ type: 'string' }, { type: 'integer' }],
  })
  @IsOptional()
  @ValidateBy({
    name: 'isUserId',
    validator: {
      validate: (value: unknown) =>
        (typeof value === 'string' && /^[\x21-\x7e]{1,64}$/.test(value)) ||
        (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0),
      defaultMessage: () => 'user_id must be a user id (a string or a non-negative integer)',
    },
  })
  user_id?: string | number | null;
}

export class PeriodResultDto {
  @ApiProperty({ description: 'The placement; claim with POST /api/me/results/{id}/claim' })
  id: string;

  @ApiProperty()
  rank: number;

  @ApiProperty()
  user_id: string;

  @ApiProperty({ type: String, nullable: true })
  display_name: string | null;

  @ApiProperty({ description: 'The player’s best in the period' })
  value: number;

  @ApiProperty()
  achieved_at: string;

  @ApiProperty({ type: String, nullable: true })
  claimed_at: string | null;
}

export class PeriodResultsPageDto {
  @ApiProperty({ type: [PeriodResultDto] })
  items: PeriodResultDto[];

  @ApiProperty({ description: '1 when written; raised by each moderation that changed them' })
  revision: number;

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  next_cursor: string | null;
}

export class MyResultPeriodDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  starts_at: string;

  @ApiProperty()
  ends_at: string;
}

export class MyResultDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  board: string;

  @ApiProperty({ type: MyResultPeriodDto })
  period: MyResultPeriodDto;

  @ApiProperty()
  revision: number;

  @ApiProperty()
  rank: number;

  @ApiProperty()
  value: number;

  @ApiProperty()
  achieved_at: string;

  @ApiProperty({ type: String, nullable: true })
  claimed_at: string | null;
}

export class MyResultsPageDto {
  @ApiProperty({ type: [MyResultDto] })
  items: MyResultDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  next_cursor: string | null;
}

export class ClaimDto {
  @ApiProperty()
  claimed_at: string;

  @ApiProperty({ description: 'true for the one request that claimed it, false ever after' })
  first: boolean;
}
