import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { metadataProblem } from '../score-metadata';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency-key';

export class SubmitScoreDto {
  @ApiProperty({
    description: 'An integer in [SCORE_MIN, SCORE_MAX] (see GET /api/config)',
    example: 42,
  })
  @IsDefined({ message: 'value is required' })
  @IsInt({ message: 'value must be an integer' })
  value: number;

  @ApiPropertyOptional({
    description:
      '1 to 255 visible ASCII characters; may come instead in the Idempotency-Key header',
    example: '6f1c2d0e-8c8e-4a43-9d6b-1f0a7f5b2c11',
  })
  @IsOptional()
  @Matches(IDEMPOTENCY_KEY_PATTERN, {
    message: 'idempotency_key must be a string of 1 to 255 visible ASCII characters',
  })
  idempotency_key?: string;

  @ApiPropertyOptional({ description: 'The board to submit to', default: 'global' })
  @IsOptional()
  // class-validator runs a property's decorators bottom up and reports the first failure: a
  // board that is not a string is told so, not that it is too long.
  @MaxLength(64, { message: 'board must be at most 64 characters' })
  @IsString({ message: 'board must be a string' })
  board?: string;

  @ApiPropertyOptional({
    description: 'With an API key only (and then required): the player the score is for',
    example: '42',
    oneOf: [{ type: 'string' }, { type: 'integer' }],
  })
  @IsOptional()
  @ValidateBy({
    name: 'isUserId',
    validator: {
      validate: (value: unknown) =>
        (typeof value === 'string' && /^[\x21-\x7e]{1,64}$/.test(value)) ||
        (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0),
      defaultMessage: () => 'user_id must be a user id (a string or a non-negative integer)',
    },
  })
  user_id?: string | number | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { level: 3, character: 'fox' },
    description:
      'Context kept with the score: a JSON object of at most 1,024 bytes, nested at most 4 levels',
  })
  @ValidateIf((body: SubmitScoreDto) => body.metadata !== undefined) // null is refused
  // As parsed from the JSON: a copy made by the transformation could lose a __proto__ key.
  @Transform(({ obj }: { obj: Record<string, unknown> }) => obj.metadata)
  @ValidateBy({
    name: 'isScoreMetadata',
    validator: {
      validate: (value: unknown) => metadataProblem(value) === null,
      defaultMessage: (args) => metadataProblem(args?.value) ?? 'metadata is not valid',
    },
  })
  metadata?: Record<string, unknown>;
}
