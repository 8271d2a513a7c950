import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import {
  CreateWebhookDto,
  CreatedWebhookDto,
  DeliveriesQuery,
  UpdateWebhookDto,
  WebhookDeliveryPageDto,
  WebhookDto,
  WebhookListDto,
} from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'The caller is not an admin' })
@UseGuards(AdminGuard)
@Controller('admin/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedWebhookDto, description: 'The secret is in this answer only' })
  create(
    @CurrentUser() admin: AuthenticatedUser,
    @Body() dto: CreateWebhookDto,
  ): Promise<CreatedWebhookDto> {
    return this.webhooks.create(dto, admin.id);
  }

  @Get()
  @ApiOkResponse({ type: WebhookListDto })
  async list(): Promise<WebhookListDto> {
    return { items: await this.webhooks.list() };
  }

  @Get(':id')
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse({ description: 'Webhook not found' })
  get(@Param('id') id: string): Promise<WebhookDto> {
    return this.webhooks.get(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse({ description: 'Webhook not found' })
  update(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: UpdateWebhookDto,
  ): Promise<WebhookDto> {
    return this.webhooks.update(id, dto, admin.id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted, with its deliveries' })
  @ApiNotFoundResponse({ description: 'Webhook not found' })
  delete(@CurrentUser() admin: AuthenticatedUser, @Param('id') id: string): Promise<void> {
    return this.webhooks.delete(id, admin.id);
  }

  /** The endpoint's deliveries, newest first. */
  @Get(':id/deliveries')
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiNotFoundResponse({ description: 'Webhook not found' })
  deliveries(
    @Param('id') id: string,
    @Query() query: DeliveriesQuery,
  ): Promise<WebhookDeliveryPageDto> {
    return this.webhooks.deliveries(id, query.limit, query.cursor);
  }

  /** Sends the delivery again, whatever its status, with the same event id. */
  @Post(':id/deliveries/:delivery/redeliver')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Queued: a worker sends it at once' })
  @ApiNotFoundResponse({ description: 'Delivery not found' })
  redeliver(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id') id: string,
    @Param('delivery') delivery: string,
  ): Promise<void> {
    return this.webhooks.redeliver(id, delivery, admin.id);
  }
}
