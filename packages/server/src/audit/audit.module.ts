import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';

/** The append-only audit log, written by every admin action (every role has it). */
@Module({
  providers: [AuditRepository],
  exports: [AuditRepository],
})
export class AuditModule {}

/** GET /api/admin/audit-log. */
@Module({
  imports: [AuditModule],
  controllers: [AuditController],
})
export class AuditApiModule {}
