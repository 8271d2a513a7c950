import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { BoardsModule } from '../boards/boards.module';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookSender } from './webhook-sender';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** The admin routes of webhook endpoints and their deliveries. */
@Module({
  imports: [AuditModule, BoardsModule],
  controllers: [WebhooksController],
  providers: [WebhooksRepository, WebhooksService],
})
export class WebhooksApiModule {}

/** The worker side: fans outbox events out and delivers them. */
@Module({
  imports: [AuditModule],
  providers: [WebhooksRepository, WebhookSender, WebhookDispatcher],
})
export class WebhookDeliveryModule {}
