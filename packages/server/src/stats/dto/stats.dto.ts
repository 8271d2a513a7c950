import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import type { BoardRanking } from '../../boards/boards.repository';
import { PeriodDto } from '../../boards/dto/board.dto';

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

export class StandingQuery {
  @ApiPropertyOptional({ description: 'A board id', default: 'global' })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'board must be a board id' })
  board?: string;

  @ApiPropertyOptional({ description: 'current (default), previous, or a period id' })
  @IsOptional()
  @Matches(/^(current|previous|\d{1,18})$/, {
    message: 'period must be current, previous or a period id',
  })
  period?: string;
}

export class MyBoardStandingDto {
  @ApiProperty({ example: 'global' })
  board: string;

  @ApiProperty({ enum: ['best', 'latest', 'sum', 'count'], description: "The board's ranking" })
  ranking: BoardRanking;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The ranked value by the board’s ranking; null before a score in this period',
  })
  value: number | null;

  @ApiProperty({ type: PeriodDto })
  period: PeriodDto;

  @ApiProperty({ type: Number, nullable: true, description: 'null before a score in this period' })
  rank: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The best by the board’s sort (the lowest on an asc board)',
  })
  best: number | null;

  @ApiProperty()
  total_scores: number;

  @ApiProperty()
  average: number;
}

export class MyBoardsDto {
  @ApiProperty({ type: [MyBoardStandingDto] })
  items: MyBoardStandingDto[];
}
