import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { IntegerQueryParam } from '../../common/integer-query-param';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhook-events';

const EVENTS = `events may hold ${WEBHOOK_EVENT_TYPES.join(', ')}`;

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://game.example.com/scoreboard-events', maxLength: 2048 })
  @IsDefined({ message: 'url is required' })
  @IsString({ message: 'url must be a string' })
  @MaxLength(2048, { message: 'url must be at most 2048 characters' })
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['score.applied'] })
  @IsDefined({ message: 'events is required' })
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: EVENTS })
  @ArrayUnique({ message: 'events must not repeat an event' })
  @ArrayMinSize(1, { message: 'events must hold at least one event' })
  @IsArray({ message: 'events must be an array' })
  events: WebhookEventType[];

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    description:
      'Only events about these boards (events about a player, such as bans, go to every endpoint); omitted or null: every board',
  })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,64}$/, { each: true, message: 'boards must hold board ids' })
  @ArrayUnique({ message: 'boards must not repeat a board' })
  @ArrayMaxSize(100, { message: 'boards may name at most 100 boards' })
  @ArrayMinSize(1, { message: 'boards must name at least one board, or be omitted for all' })
  @IsArray({ message: 'boards must be an array of board ids' })
  boards?: string[] | null;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ maxLength: 2048 })
  @IsOptional()
  @IsString({ message: 'url must be a string' })
  @MaxLength(2048, { message: 'url must be at most 2048 characters' })
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  @IsOptional()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: EVENTS })
  @ArrayUnique({ message: 'events must not repeat an event' })
  @ArrayMinSize(1, { message: 'events must hold at least one event' })
  @IsArray({ message: 'events must be an array' })
  events?: WebhookEventType[];

  @ApiPropertyOptional({ type: [String], nullable: true, description: 'null: every board' })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,64}$/, { each: true, message: 'boards must hold board ids' })
  @ArrayUnique({ message: 'boards must not repeat a board' })
  @ArrayMaxSize(100, { message: 'boards may name at most 100 boards' })
  @ArrayMinSize(1, { message: 'boards must name at least one board, or be null for all' })
  @IsArray({ message: 'boards must be an array of board ids' })
  boards?: string[] | null;

  @ApiPropertyOptional({ description: 'false: no new deliveries until enabled again' })
  @IsOptional()
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;
}

export class WebhookDto {
  @ApiProperty({ example: '1' })
  id: string;

  @ApiProperty()
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  events: WebhookEventType[];

  @ApiProperty({ type: [String], nullable: true, description: 'null: every board' })
  boards: string[] | null;

  @ApiProperty()
  enabled: boolean;

  @ApiProperty()
  created_at: string;

  @ApiProperty()
  updated_at: string;
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({
    description:
      'The signing secret: shown in this answer only. Deliveries carry Scoreboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>',
  })
  secret: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookDto] })
  items: WebhookDto[];
}

export class WebhookDeliveryDto {
  @ApiProperty()
  id: string;

  @ApiProperty({ description: 'The event’s stable id (the same in every delivery of it)' })
  event_id: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  event: WebhookEventType;

  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] })
  status: 'pending' | 'delivered' | 'failed';

  @ApiProperty()
  attempts: number;

  @ApiProperty({ type: Number, nullable: true, description: 'The last answer’s HTTP status' })
  last_status_code: number | null;

  @ApiProperty({ type: String, nullable: true })
  last_error: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'null unless pending' })
  next_attempt_at: string | null;

  @ApiProperty()
  created_at: string;

  @ApiProperty({ type: String, nullable: true })
  delivered_at: string | null;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] })
  items: WebhookDeliveryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  next_cursor: string | null;
}

export class DeliveriesQuery {
  @IntegerQueryParam('limit', 1, 100, 20)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor from the previous page' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'cursor is not valid' })
  cursor?: string;
}
