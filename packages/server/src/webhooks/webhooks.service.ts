import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { BoardsService } from '../boards/boards.service';
import { ValidationFailed } from '../common/api-exception.filter';
import { keysetPage } from '../common/keyset-page';
import { AppConfig } from '../config/app-config';
import type {
  CreateWebhookDto,
  CreatedWebhookDto,
  UpdateWebhookDto,
  WebhookDeliveryPageDto,
  WebhookDto,
} from './dto/webhook.dto';
import { assertReachable, RefusedAddressError, urlProblem } from './webhook-address';
import { WebhooksRepository, type Endpoint, type EndpointFields } from './webhooks.repository';

const ID = /^\d{1,18}$/;

/**
 * Webhook endpoints (SPEC 2d): created with a signing secret shown once, changed, deleted, each
 * change in the audit log; their delivery log, and redelivery. A URL must be http(s) and resolve
 * to public addresses only, unless WEBHOOK_ALLOW_PRIVATE=true (see webhook-address.ts).
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly boards: BoardsService,
    private readonly config: AppConfig,
  ) {}

  async create(dto: CreateWebhookDto, actorId: string): Promise<CreatedWebhookDto> {
    const fields: EndpointFields = {
      url: dto.url,
      events: dto.events,
      boards: dto.boards ?? null,
      enabled: true,
    };
    await this.assertValid(fields);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const endpoint = await this.webhooks.create(fields, secret, actorId);
    this.logger.log({ webhookId: endpoint.id, actorId, events: fields.events }, 'Webhook created');
    return { ...toDto(endpoint), secret };
  }

  async list(): Promise<WebhookDto[]> {
    return (await this.webhooks.list()).map(toDto);
  }

  async get(id: string): Promise<WebhookDto> {
    return toDto(await this.endpoint(id));
  }

  async update(id: string, dto: UpdateWebhookDto, actorId: string): Promise<WebhookDto> {
    const endpoint = await this.endpoint(id);
    const fields: EndpointFields = {
      url: dto.url ?? endpoint.url,
      events: dto.events ?? endpoint.events,
      boards: dto.boards === undefined ? endpoint.boards : dto.boards,
      enabled: dto.enabled ?? endpoint.enabled,
    };
    if (dto.url !== undefined || dto.boards) await this.assertValid(fields);
    const changed = (['url', 'events', 'boards', 'enabled'] as const).filter(
      (field) => dto[field] !== undefined,
    );
    const updated = await this.webhooks.update(id, fields, { actorId, changed });
    if (!updated) throw new NotFoundException('Webhook not found');
    return toDto(updated);
  }

  async delete(id: string, actorId: string): Promise<void> {
    if (!ID.test(id) || !(await this.webhooks.delete(id, actorId))) {
      throw new NotFoundException('Webhook not found');
    }
    this.logger.log({ webhookId: id, actorId }, 'Webhook deleted');
  }

  async deliveries(id: string, limit = 20, cursor?: string): Promise<WebhookDeliveryPageDto> {
    await this.endpoint(id);
    const rows = await this.webhooks.deliveries(id, limit + 1, cursor);
    return keysetPage(rows, limit, (delivery) => ({
      id: delivery.id,
      event_id: delivery.eventId,
      event: delivery.eventType,
      status: delivery.status,
      attempts: delivery.attempts,
      last_status_code: delivery.lastStatusCode,
      last_error: delivery.lastError,
      next_attempt_at: delivery.nextAttemptAt?.toISOString() ?? null,
      created_at: delivery.createdAt.toISOString(),
      delivered_at: delivery.deliveredAt?.toISOString() ?? null,
    }));
  }

  async redeliver(id: string, deliveryId: string, actorId: string): Promise<void> {
    const found =
      ID.test(id) &&
      ID.test(deliveryId) &&
      (await this.webhooks.redeliver(id, deliveryId, this.config.webhooks.retryWindowMs, actorId));
    if (!found) throw new NotFoundException('Delivery not found');
  }

  private async endpoint(id: string): Promise<Endpoint> {
    const endpoint = ID.test(id) ? await this.webhooks.find(id) : null;
    if (!endpoint) throw new NotFoundException('Webhook not found');
    return endpoint;
  }

  private async assertValid(fields: EndpointFields): Promise<void> {
    const problem = urlProblem(fields.url);
    if (problem) throw new ValidationFailed([{ field: 'url', message: problem }]);
    try {
      const { allowPrivate, timeoutMs } = this.config.webhooks;
      await assertReachable(new URL(fields.url), allowPrivate, timeoutMs);
    } catch (error) {
      if (!(error instanceof RefusedAddressError)) throw error;
      throw new ValidationFailed([{ field: 'url', message: error.message }]);
    }
    if (fields.boards) {
      const known = new Set((await this.boards.list()).map((board) => board.id));
      const unknown = fields.boards.filter((board) => !known.has(board));
      if (unknown.length > 0) {
        throw new ValidationFailed([
          { field: 'boards', message: `unknown boards: ${unknown.join(', ')}` },
        ]);
      }
    }
  }
}

function toDto(endpoint: Endpoint): WebhookDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    boards: endpoint.boards,
    enabled: endpoint.enabled,
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
  };
}
