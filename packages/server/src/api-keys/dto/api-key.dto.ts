import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  Matches,
} from 'class-validator';
import type { ApiKeyScope } from '../api-keys.repository';

export const API_KEY_SCOPES: ApiKeyScope[] = ['scores:write'];
const NAME = /^(?=.*\S)[^\p{C}]{1,64}$/u;

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Game server EU-1', minLength: 1, maxLength: 64 })
  @IsDefined({ message: 'name is required' })
  @IsString({ message: 'name must be a string' })
  @Matches(NAME, { message: 'name must be 1 to 64 printable characters' })
  name: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, example: ['scores:write'] })
  @IsDefined({ message: 'scopes is required' })
  @IsIn(API_KEY_SCOPES, { each: true, message: `scopes may hold ${API_KEY_SCOPES.join(', ')}` })
  @ArrayUnique({ message: 'scopes must not repeat a scope' })
  @ArrayMinSize(1, { message: 'scopes must hold at least one scope' })
  @IsArray({ message: 'scopes must be an array' })
  scopes: ApiKeyScope[];

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    description: 'The boards the key may write to; omitted or null: every board',
  })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,64}$/, { each: true, message: 'boards must hold board ids' })
  @ArrayUnique({ message: 'boards must not repeat a board' })
  @ArrayMaxSize(100, { message: 'boards may name at most 100 boards' })
  @ArrayMinSize(1, { message: 'boards must name at least one board, or be omitted for all' })
  @IsArray({ message: 'boards must be an array of board ids' })
  boards?: string[] | null;
}

export class ApiKeyDto {
  @ApiProperty({ example: '3' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true })
  scopes: ApiKeyScope[];

  @ApiProperty({ type: [String], nullable: true, description: 'null: every board' })
  boards: string[] | null;

  @ApiProperty()
  created_at: string;

  @ApiProperty({ type: String, nullable: true })
  last_used_at: string | null;

  @ApiProperty({ type: String, nullable: true })
  revoked_at: string | null;
}

export class CreatedApiKeyDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true })
  scopes: ApiKeyScope[];

  @ApiProperty({ type: [String], nullable: true })
  boards: string[] | null;

  @ApiProperty({ description: 'The key itself: shown in this answer only, never again' })
  key: string;

  @ApiProperty()
  created_at: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] })
  items: ApiKeyDto[];
}
