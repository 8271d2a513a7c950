import { ApiProperty, PickType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, Matches } from 'class-validator';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency-key';
import { ScoreItemDto } from './score.dto';
import { SubmitScoreDto } from './submit-score.dto';

/** At most this many keys per lookup. */
export const MAX_LOOKUP_KEYS = 100;

/** `user_id` as POST /api/scores takes it: with an API key only, and then required. */
export class LookupScoresDto extends PickType(SubmitScoreDto, ['user_id'] as const) {
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: MAX_LOOKUP_KEYS,
    description: 'The idempotency keys to look up, each 1 to 255 visible ASCII characters',
    example: ['6f1c2d0e-8c8e-4a43-9d6b-1f0a7f5b2c11'],
  })
  @IsDefined({ message: 'idempotency_keys is required' })
  @Matches(IDEMPOTENCY_KEY_PATTERN, {
    each: true,
    message: 'idempotency_keys must hold strings of 1 to 255 visible ASCII characters',
  })
  @ArrayMaxSize(MAX_LOOKUP_KEYS, {
    message: `idempotency_keys may hold at most ${MAX_LOOKUP_KEYS} keys`,
  })
  @ArrayMinSize(1, { message: 'idempotency_keys must hold at least one key' })
  @IsArray({ message: 'idempotency_keys must be an array of strings' })
  idempotency_keys: string[];
}

export class ScoreLookupItemDto {
  @ApiProperty({ example: '6f1c2d0e-8c8e-4a43-9d6b-1f0a7f5b2c11' })
  idempotency_key: string;

  @ApiProperty({
    type: ScoreItemDto,
    nullable: true,
    description:
      'The score stored under the key; null when none is (or, for an API key limited to some boards, when it is on a board the key may not write to)',
  })
  score: ScoreItemDto | null;
}

export class ScoreLookupDto {
  @ApiProperty({ type: [ScoreLookupItemDto], description: 'One per key asked, in the same order' })
  items: ScoreLookupItemDto[];
}
