import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

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

export class LeaderboardQuery {
  @ApiProperty({ required: false, minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be between 1 and 100' })
  @Max(100, { message: 'limit must be between 1 and 100' })
  limit?: number;

  @ApiProperty({ required: false, minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be an integer' })
  @Min(0, { message: 'offset must be 0 or more' })
  @Max(1_000_000_000, { message: 'offset must be at most 1000000000' })
  offset?: number;
}

export class MyStandingQuery {
  @ApiProperty({ required: false, minimum: 0, maximum: 50, default: 5 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'radius must be an integer' })
  @Min(0, { message: 'radius must be between 0 and 50' })
  @Max(50, { message: 'radius must be between 0 and 50' })
  radius?: number;
}
