import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard';
import { AuditRepository } from './audit.repository';
import { AuditPageDto, AuditQuery } from './dto/audit.dto';
import { keysetPage } from '../common/keyset-page';

@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'The caller is not an admin' })
@UseGuards(AdminGuard)
@Controller('admin/audit-log')
export class AuditController {
  constructor(private readonly audit: AuditRepository) {}

  /** Every admin action, and every role change made by the command-line tool, newest first. */
  @Get()
  @ApiOkResponse({ type: AuditPageDto })
  async page(@Query() query: AuditQuery): Promise<AuditPageDto> {
    const limit = query.limit ?? 50;
    const rows = await this.audit.page(limit + 1, query.cursor);
    return keysetPage(rows, limit, (entry) => ({
      id: entry.id,
      at: entry.at.toISOString(),
      actor_id: entry.actorId,
      action: entry.action,
      target: entry.target,
      reason: entry.reason,
      actor: entry.actor && {
        id: entry.actor.id,
        email: entry.actor.email,
        display_name: entry.actor.displayName,
      },
      target_user: entry.targetUser && {
        id: entry.targetUser.id,
        email: entry.targetUser.email,
        display_name: entry.targetUser.displayName,
      },
    }));
  }
}
