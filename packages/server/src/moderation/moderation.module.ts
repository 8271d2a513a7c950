import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PeriodResultsModule } from '../results/results.module';
import { OutboxModule } from '../webhooks/outbox.module';
import { AdminScoresController, AdminUsersController } from './moderation.controller';
import { ModerationRepository } from './moderation.repository';
import { ModerationService } from './moderation.service';
import { PrivacyController } from './privacy.controller';
import { PrivacyService } from './privacy.service';

/** Bans, score removals, account deletions (admin routes), and the user's own export/deletion. */
@Module({
  imports: [AuditModule, OutboxModule, PeriodResultsModule],
  controllers: [AdminUsersController, AdminScoresController, PrivacyController],
  providers: [ModerationRepository, ModerationService, PrivacyService],
})
export class ModerationModule {}
