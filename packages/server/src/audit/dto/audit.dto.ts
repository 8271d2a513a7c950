import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { IntegerQueryParam } from '../../common/integer-query-param';

export class AuditPersonDto {
  @ApiProperty({ example: '42' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ example: 'Ada' })
  display_name: string;
}

export class AuditEntryDto {
  @ApiProperty({ example: '12' })
  id: string;

  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' })
  at: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The admin; null for the command-line tool',
  })
  actor_id: string | null;

  @ApiProperty({ example: 'users.ban' })
  action: string;

  @ApiProperty({ example: 'user:42' })
  target: string;

  @ApiProperty({ type: String, nullable: true })
  reason: string | null;

  @ApiProperty({
    type: AuditPersonDto,
    nullable: true,
    description: 'The admin as they are now; null for the command-line tool or a deleted account',
  })
  actor: AuditPersonDto | null;

  @ApiProperty({
    type: AuditPersonDto,
    nullable: true,
    description: 'The player a user:<id> target names, as they are now; null otherwise',
  })
  target_user: AuditPersonDto | null;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] })
  items: AuditEntryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  next_cursor: string | null;
}

export class AuditQuery {
  @IntegerQueryParam('limit', 1, 100, 50)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor from the previous page' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'cursor is not valid' })
  cursor?: string;
}
