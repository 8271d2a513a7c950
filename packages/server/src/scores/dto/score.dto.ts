import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { IntegerQueryParam } from '../../common/integer-query-param';

export type ScoreStatus = 'pending' | 'processed' | 'dead' | 'removed';

class StoredScoreDto {
  @ApiProperty({ example: '1001' })
  id: string;

  @ApiProperty({ example: 42 })
  value: number;

  @ApiProperty({ example: '2026-11-24T10:00:00.000Z' })
  created_at: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { level: 3 },
    description: 'The metadata sent with the score, when there was some',
  })
  metadata?: Record<string, unknown>;
}

export class SubmittedScoreDto extends StoredScoreDto {
  @ApiProperty({ enum: ['Score submitted successfully', 'Score already submitted'] })
  message: 'Score submitted successfully' | 'Score already submitted';
}

export class ScoreItemDto extends StoredScoreDto {
  @ApiProperty({ example: 'global' })
  board: string;

  @ApiProperty({
    enum: ['pending', 'processed', 'dead', 'removed'],
    description: 'removed: taken off by an admin; it no longer counts',
  })
  status: ScoreStatus;
}

export class ScorePageDto {
  @ApiProperty({ type: [ScoreItemDto] })
  items: ScoreItemDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  next_cursor: string | null;
}

export class ListScoresQuery {
  @IntegerQueryParam('limit', 1, 100, 20)
  limit?: number;

  @ApiProperty({ required: false, description: 'Only the scores submitted to this board' })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'board must be a board id' })
  board?: string;

  @ApiProperty({ required: false, description: 'next_cursor from the previous page' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'cursor is not valid' })
  cursor?: string;
}
