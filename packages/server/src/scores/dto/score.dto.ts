import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';

export type ScoreStatus = 'pending' | 'processed' | 'dead';

export class SubmittedScoreDto {
  @ApiProperty({ example: '1001' })
  id: string;

  @ApiProperty({ example: 42 })
  value: number;

  @ApiProperty({ example: '2026-11-24T10:00:00.000Z' })
  created_at: string;

  @ApiProperty({ enum: ['Score submitted successfully', 'Score already submitted'] })
  message: 'Score submitted successfully' | 'Score already submitted';
}

export class ScoreItemDto {
  @ApiProperty({ example: '1001' })
  id: string;

  @ApiProperty({ example: 42 })
  value: number;

  @ApiProperty({ example: '2026-11-24T10:00:00.000Z' })
  created_at: string;

  @ApiProperty({ enum: ['pending', 'processed', 'dead'] })
  status: ScoreStatus;
}

export class ScorePageDto {
  @ApiProperty({ type: [ScoreItemDto] })
  items: ScoreItemDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  next_cursor: string | null;
}

export class ListScoresQuery {
  @ApiProperty({ required: false, minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be between 1 and 100' })
  @Max(100, { message: 'limit must be between 1 and 100' })
  limit?: number;

  @ApiProperty({ required: false, description: 'next_cursor from the previous page' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'cursor is not valid' })
  cursor?: string;
}
