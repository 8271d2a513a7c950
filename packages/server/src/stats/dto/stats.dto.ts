import { ApiProperty } from '@nestjs/swagger';

export class HighScoreDto {
  @ApiProperty({ example: '42' })
  user_id: string;

  @ApiProperty({ example: 97, description: '0 before any processed score' })
  value: number;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-24T10:00:00.000Z' })
  updated_at: string | null;
}

export class StatsDto {
  @ApiProperty({ example: '42' })
  user_id: string;

  @ApiProperty({ example: 12 })
  total_scores: number;

  @ApiProperty({ example: 61.25, description: 'sum / count, exact; 0 before any score' })
  average: number;

  @ApiProperty({ example: 97 })
  high_score: number;

  @ApiProperty({ example: 1, description: 'Accepted but not yet applied' })
  pending_scores: number;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-24T10:00:00.000Z' })
  updated_at: string | null;
}
