import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

export class StreamQuery {
  @ApiPropertyOptional({
    description:
      'Comma-separated board ids whose leaderboards to follow (default global, at most 10)',
    example: 'global,speedrun-daily',
  })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,64}(,[a-z0-9-]{1,64}){0,9}$/, {
    message: 'boards must be 1 to 10 board ids separated by commas',
  })
  boards?: string;
}
